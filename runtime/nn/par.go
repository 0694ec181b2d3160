package nn

import "sync"

// chunk is the number of images of a batch that one task handles. It is a
// constant, not a function of the thread count, so that every reduction over
// the batch adds the same partial sums in the same order with any threads.
const chunk = 8

// par runs fn(worker, task) for task in [0, n) on up to threads goroutines.
// Worker w runs tasks w, w+threads, …, so per-worker scratch is never shared.
func par(threads, n int, fn func(w, task int)) {
	if threads <= 1 || n <= 1 {
		for i := range n {
			fn(0, i)
		}
		return
	}
	t := min(threads, n)
	var wg sync.WaitGroup
	wg.Add(t)
	for w := range t {
		go func() {
			defer wg.Done()
			for i := w; i < n; i += t {
				fn(w, i)
			}
		}()
	}
	wg.Wait()
}

// chunks returns the number of chunk-sized tasks for nb images.
func chunks(nb int) int { return (nb + chunk - 1) / chunk }

// span returns the images [lo, hi) of task c.
func span(c, nb int) (lo, hi int) { return c * chunk, min((c+1)*chunk, nb) }
