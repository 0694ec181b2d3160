package kernel

import (
	"context"
	"errors"
	"runtime/metrics"
	"time"
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

// errStackOverflow is the cause of a cell stopped by stackGuard.
var errStackOverflow = errors.New("stack overflow")

// stackGuard returns ctx, cancelled with errStackOverflow when goroutine
// stacks exceed cellStackLimit, and the function that ends the watch.
func stackGuard(ctx context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	go func() {
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		s := []metrics.Sample{{Name: "/memory/classes/heap/stacks:bytes"}}
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if metrics.Read(s); s[0].Value.Uint64() > cellStackLimit {
				cancel(errStackOverflow)
				return
			}
		}
	}()
	return ctx, func() { cancel(nil) }
}
