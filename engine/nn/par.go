package nn

import (
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// chunk is the number of images of a batch that one task handles. It is a
// constant, not a function of the thread count, so that every reduction over
// the batch adds the same partial sums in the same order with any threads.
const chunk = 8

// par runs fn(worker, task) for task in [0, n) on up to threads goroutines.
// Workers take the next task as they finish one, so a worker the OS delays
// does not hold the others back; a worker's scratch is never shared. Results
// never depend on which worker ran a task.
func par(threads, n int, fn func(w, task int)) {
	if threads <= 1 || n <= 1 {
		for i := range n {
			fn(0, i)
		}
		return
	}
	t := min(threads, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	var failure atomic.Pointer[panicked]
	wg.Add(t - 1)
	work := func(w int) {
		defer func() { // carry a worker's panic to the caller, where Train recovers it
			if r := recover(); r != nil {
				failure.CompareAndSwap(nil, &panicked{r, debug.Stack()})
				next.Store(int64(n)) // stop the other workers
			}
		}()
		for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
			fn(w, i)
		}
	}
	for w := 1; w < t; w++ {
		go func() {
			defer wg.Done()
			work(w)
		}()
	}
	work(0)
	wg.Wait()
	if p := failure.Load(); p != nil {
		panic(p)
	}
}

// panicked is a panic raised by a worker, with the worker's stack.
type panicked struct {
	value any
	stack []byte
}

// chunks returns the number of chunk-sized tasks for nb images.
func chunks(nb int) int { return (nb + chunk - 1) / chunk }

// span returns the images [lo, hi) of task c.
func span(c, nb int) (lo, hi int) { return c * chunk, min((c+1)*chunk, nb) }
