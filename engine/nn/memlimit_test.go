package nn

import (
	"context"
	"errors"
	"math"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/arch"
)

// A dry build only counts: the estimate of a batch of a billion images
// (terabytes) must allocate next to nothing, or estimating it kills the
// process the estimate was meant to protect.
func TestMemoryEstimateAllocatesNothing(t *testing.T) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	need, err := Memory(Reference(), Config{Batch: 1_000_000_000, Threads: 2})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if need < 1<<40 {
		t.Errorf("batch 1e9 needs %d bytes, want over a TiB", need)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
		t.Errorf("the estimate allocated %d bytes", got)
	}
}

// A network whose sizes overflow int64 needs "more than 8 EiB", not a
// negative number of bytes that would pass any limit.
func TestMemoryEstimateSaturates(t *testing.T) {
	n := &arch.Network{Input: arch.Shape{H: 1 << 20, W: 1 << 20, C: 1}, Classes: 10}
	x := n.Append(arch.Layer{Op: arch.Conv, Kernel: 1, Stride: 1, Out: 1 << 20}, arch.Input)
	n.Append(arch.Layer{Op: arch.GlobalAvgPool}, x)
	n.Append(arch.Layer{Op: arch.Dense, Out: 10}, len(n.Layers)-1)
	need, err := Memory(n, Config{Batch: math.MaxInt32})
	if err != nil || need != math.MaxInt64 {
		t.Fatalf("need %d (%v), want MaxInt64", need, err)
	}
	e := &MemoryError{Need: need, Limit: 1 << 30, Batch: 1}
	if !strings.Contains(e.Error(), "needs more than 8 EiB") {
		t.Errorf("%v", e)
	}
}

// Under GOMEMLIMIT the machine's limit is three quarters of it, and a
// training over it fails with both numbers and the setting named.
func TestMachineMemoryLimit(t *testing.T) {
	old := debug.SetMemoryLimit(1 << 30)
	defer debug.SetMemoryLimit(old)
	limit, from := MachineMemoryLimit()
	if limit != 3<<28 || !strings.Contains(from, "GOMEMLIMIT 1.00 GiB") {
		t.Fatalf("limit %d from %q, want 768 MiB from GOMEMLIMIT", limit, from)
	}
	train, _ := mnist(t)
	_, err := Train(context.Background(), Reference(), subset(t, train, 64), nil, nil,
		Config{Batch: 1_000_000, MemoryLimitBytes: limit, MemoryLimitFrom: from})
	var me *MemoryError
	if !errors.As(err, &me) || !strings.Contains(err.Error(), "over the memory limit of 768.0 MiB (3/4 of GOMEMLIMIT 1.00 GiB)") {
		t.Fatalf("%v", err)
	}
}
