package kernel

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"time"

	"github.com/hwnas/hwnas/engine/nn"
	"github.com/hwnas/hwnas/kernel/core"
)

// A %%go cell that recurses without end would grow its goroutine's stack to
// Go's 1 GB limit, and that is a fatal error no recover can catch: the
// kernel would die. yaegi keeps no call depth, and its interpreted calls
// take about 600 bytes of Go stack each, so while a cell runs the kernel
// watches the stack memory of the whole process and stops the cell, as an
// interrupt does, once it passes cellStackLimit: well before 1 GB. Stacks
// grow by doubling, so a cell gets 128 MiB, about 200,000 interpreted calls.
// A goroutine a cell started that recurses after the cell has ended is not
// watched and still kills the kernel (docs/kernel.md).
const cellStackLimit = 192 << 20

// errStackOverflow is the cause of a cell stopped by stackGuard for its stacks.
var errStackOverflow = errors.New("stack overflow")

// errOutOfMemory is the cause of a cell stopped by stackGuard because the
// heap passed the memory limit (nn.MachineMemoryLimit): a cell that keeps
// allocating would otherwise have the kernel killed by the system.
var errOutOfMemory = errors.New("out of memory")

// stackGuard returns ctx, cancelled with errStackOverflow when goroutine
// stacks exceed cellStackLimit or with errOutOfMemory when the heap's
// objects exceed the memory limit, and the function that ends the watch.
func stackGuard(ctx context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	heapLimit, _ := nn.MachineMemoryLimit()
	go func() {
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		s := []metrics.Sample{{Name: "/memory/classes/heap/stacks:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}}
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			metrics.Read(s)
			switch {
			case s[0].Value.Uint64() > cellStackLimit:
				cancel(errStackOverflow)
				return
			case heapLimit > 0 && s[1].Value.Uint64() > uint64(heapLimit):
				cancel(errOutOfMemory)
				return
			}
		}
	}()
	return ctx, func() { cancel(nil) }
}

// heapBytes is the memory the heap's objects take now.
func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// outOfMemory is the error of a cell stopped by errOutOfMemory. It frees
// what it can; when the values the cells keep still hold more than half the
// limit, it resets the Go session, which frees them, and says so.
func (g *goSession) outOfMemory() *core.CellError {
	limit, from := nn.MachineMemoryLimit()
	msg := fmt.Sprintf("the cell was stopped: the heap passed the memory limit of %s (%s)", nn.BytesHuman(limit), from)
	runtime.GC()
	debug.FreeOSMemory()
	if heapBytes() > uint64(limit/2) {
		if err := g.reset(); err == nil {
			msg += "; the Go session was reset to free what its values held (their values are gone)"
		}
	} else {
		msg += "; values assigned before are kept"
	}
	return &core.CellError{Name: "OutOfMemory", Value: msg, Traceback: []string{"OutOfMemory: " + msg}}
}
