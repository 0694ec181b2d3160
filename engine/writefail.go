package engine

import "fmt"

// storeFailed records the first error writing the store and stops the run:
// with the disk full, every later trial would fail to be stored too, and
// its result would be lost. Trials that finished keep their results in the
// outcome; evaluations under way are cancelled.
func (r *runner) storeFailed(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.writeErr == nil {
		r.writeErr = err
		r.stop(fmt.Errorf("writing the store: %w", err))
	}
}

// writeFailure is Run's error after a store write error, saying what was
// kept; nil when every write succeeded.
func (r *runner) writeFailure() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.writeErr == nil {
		return nil
	}
	n := len(r.trials)
	return fmt.Errorf("experiment %q stopped at the first failed write to the store %s: %w; of its %d finished trials %d are stored and %d only in this run's summary (free space and run again: the stored ones resume)",
		r.e.Name, r.o.Store.Dir(), r.writeErr, n, n-r.unstored, r.unstored)
}
