package engine

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/hwnas/hwnas/internal/hwnastest"
	"github.com/hwnas/hwnas/metric"
)

// remote is a Remote that runs its Local in this process, as engine/queue
// runs it on workers, and counts how many evaluations of its Via run at once.
type remote struct {
	Evaluator
	mu             sync.Mutex
	inFlight, most int
}

func (r *remote) Local() Evaluator { return r.Evaluator }

func (r *remote) Via(ev Evaluator) (Evaluator, error) { return gated{ev, r}, nil }

// gated waits, up to 5 s, for a second evaluation to be in flight before it
// evaluates, so that the count does not depend on timing.
type gated struct {
	Evaluator
	r *remote
}

func (g gated) Evaluate(ctx context.Context, q Request) (Evaluation, error) {
	g.r.mu.Lock()
	g.r.inFlight++
	g.r.most = max(g.r.most, g.r.inFlight)
	g.r.mu.Unlock()
	for t0 := time.Now(); time.Since(t0) < 5*time.Second; time.Sleep(5 * time.Millisecond) {
		g.r.mu.Lock()
		n := g.r.inFlight
		g.r.mu.Unlock()
		if n >= 2 {
			break
		}
	}
	defer func() { g.r.mu.Lock(); g.r.inFlight--; g.r.mu.Unlock() }()
	return g.Evaluator.Evaluate(ctx, q)
}

// TestSupernetThroughRemote: behind a Remote evaluator (the queue's), the
// engine trains the supernet itself, its trials are inherited, and retrain
// runs the best children side by side through Via; the trials are those
// of a local run.
func TestSupernetThroughRemote(t *testing.T) {
	local, err := Run(context.Background(), oneshotExperiment("a", 0.6), Options{Store: hwnastest.OpenStore(t, t.TempDir()), Cores: 2})
	if err != nil {
		t.Fatal(err)
	}
	e := oneshotExperiment("a", 0.6)
	rm := &remote{Evaluator: e.Evaluator}
	e.Evaluator, e.Parallel = rm, 2
	out, err := Run(context.Background(), e, Options{Store: hwnastest.OpenStore(t, t.TempDir()), Cores: 2})
	if err != nil {
		t.Fatal(err)
	}
	if out.Counts != local.Counts || out.Counts.Retrained != 2 {
		t.Errorf("counts %+v, local %+v: want the same, 2 retrained", out.Counts, local.Counts)
	}
	for i, tr := range out.Trials {
		l := local.Trials[i]
		if tr.Status != l.Status || !reflect.DeepEqual(tr.Genome, l.Genome) || tr.Metrics[metric.Accuracy] != l.Metrics[metric.Accuracy] {
			t.Errorf("trial %d: %v %s %g, local %v %s %g", i, tr.Genome, tr.Status, tr.Metrics[metric.Accuracy], l.Genome, l.Status, l.Metrics[metric.Accuracy])
		}
	}
	if rm.most != 2 {
		t.Errorf("at most %d retrainings at once, want 2", rm.most)
	}
}
