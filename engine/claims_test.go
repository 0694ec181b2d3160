package engine

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/internal/hwnastest"
)

// Two runs of one experiment on one store at once (two `hwnas run`) used to
// both train everything: each trial is now claimed in the store, so every
// network is evaluated once, by one of them, and both end with the same
// trials.
func TestTwoRunsShareTheWork(t *testing.T) {
	dir := t.TempDir()
	evs := []*fakeEval{{delay: 30 * time.Millisecond}, {delay: 30 * time.Millisecond}}
	outs := make([]*Outcome, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for k := range 2 {
		st := hwnastest.OpenStore(t, dir) // a store of its own, as another process would have
		wg.Go(func() { outs[k], errs[k] = Run(context.Background(), demoExperiment(evs[k], 16), Options{Store: st}) })
	}
	wg.Wait()
	for k, err := range errs {
		if err != nil {
			t.Fatalf("run %d: %v", k, err)
		}
	}
	networks := map[string]bool{}
	for _, tr := range outs[0].Trials {
		if tr.Status == store.Trained || tr.Status == store.Cached {
			networks[tr.NetworkKey] = true
		}
	}
	calls := evs[0].calls.Load() + evs[1].calls.Load()
	if calls != int64(len(networks)) || evs[0].calls.Load() == 0 || evs[1].calls.Load() == 0 {
		t.Errorf("%d + %d evaluations for %d networks: want each evaluated once, by either run", evs[0].calls.Load(), evs[1].calls.Load(), len(networks))
	}
	a, b := summary(outs[0]), summary(outs[1])
	for i := range a {
		if i >= len(b) || stripStatus(a[i]) != stripStatus(b[i]) {
			t.Fatalf("the runs differ at trial %d:\n%s\n%s", i, a[i], b[min(i, len(b)-1)])
		}
	}
}

// stripStatus is a trial line (trialLine) without its status word: one run
// trained a trial the other took from the store or found cached.
func stripStatus(line string) string {
	id, rest, _ := strings.Cut(line, " ")
	_, rest, _ = strings.Cut(rest, " ")
	return id + " " + rest
}
