package engine

import (
	"context"
	"slices"
	"time"

	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/search"
)

// claimPoll is how often a run waiting for trials another process claimed
// reads the store.
var claimPoll = 200 * time.Millisecond

// claim claims trial seq in the store for this run; false means another
// live process is evaluating it (two runs of one experiment on one store).
// A store error stops the run (storeFailed) and counts as claimed.
func (r *runner) claim(seq int) bool {
	holder, err := r.o.Store.Claim(r.rec.ID, seq)
	if err != nil {
		r.storeFailed(err)
		return true
	}
	return holder == ""
}

func (r *runner) release(seq int) {
	if err := r.o.Store.Release(r.rec.ID, seq); err != nil {
		r.storeFailed(err)
	}
}

// awaitOthers waits for the jobs another process claimed: each is taken
// from the store once that process has stored it (counted as resumed), or
// evaluated here once its claim lapses (the process died or let it go).
func (r *runner) awaitOthers(ctx context.Context, base int, cands []search.Candidate, jobs []int, out []*Trial, threads int) {
	for len(jobs) > 0 {
		select {
		case <-ctx.Done():
			return
		case <-time.After(claimPoll):
		}
		stored, err := r.o.Store.Trials(r.rec.ID)
		if err != nil {
			continue // read again at the next poll
		}
		bySeq := map[int]store.Trial{}
		for _, s := range stored {
			bySeq[s.Seq] = s
		}
		var left []int
		for _, i := range jobs {
			seq := base + i
			if s, ok := bySeq[seq]; ok && s.Created.After(r.start) && slices.Equal(s.Genome, cands[i].Genome) {
				t := r.fromStored(s)
				out[i] = &t
				r.finish(&t, TrialResumed)
				continue
			}
			if !r.claim(seq) {
				left = append(left, i)
				continue
			}
			if t, ok := r.trial(ctx, seq, cands[i].Genome, threads); ok {
				out[i] = &t
			}
			r.release(seq)
		}
		jobs = left
	}
}
