package engine

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/internal/hwnastest"
	"github.com/hwnas/hwnas/metric"
)

// TestAllPrunedSaysHowNear: a spec no network can meet ends with the value
// nearest to it, so the user knows how far to relax it.
func TestAllPrunedSaysHowNear(t *testing.T) {
	ev := &fakeEval{}
	e := demoExperiment(ev, 6)
	e.Constraints = []Constraint{{Metric: metric.LatencyMs, Op: "<=", Value: 0.01, Hard: true}}
	out, err := Run(context.Background(), e, Options{Store: hwnastest.OpenStore(t, t.TempDir())})
	if err != nil {
		t.Fatal(err)
	}
	if out.Counts.Pruned != 6 || ev.calls.Load() != 0 {
		t.Fatalf("counts %+v, %d trained: want every trial pruned", out.Counts, ev.calls.Load())
	}
	low, id := 0.0, -1
	for _, tr := range out.Trials {
		if v := tr.Metrics[metric.LatencyMs]; id < 0 || v < low {
			low, id = v, tr.ID
		}
	}
	msgs := out.NearestMisses()
	want := "no trial met latency_ms <= 0.01: the lowest latency_ms seen was " + metric.Format(metric.LatencyMs, low) + " ms against 0.01 ms (trial "
	if len(msgs) != 1 || !strings.HasPrefix(msgs[0], want) || !strings.HasSuffix(msgs[0], " "+strconv.Itoa(id)+")") {
		t.Errorf("nearest misses %q, want one starting %q, trial %d", msgs, want, id)
	}
}

// TestNearestMisses: nothing is said when a trial is feasible or when some
// trial met the constraint; a lower bound reports the highest value seen.
func TestNearestMisses(t *testing.T) {
	acc := Constraint{Metric: metric.Accuracy, Op: ">=", Value: 0.99, Hard: true}
	o := &Outcome{Constraints: []Constraint{acc, {Metric: metric.LatencyMs, Op: "<", Value: 1, Hard: true}},
		Trials: []Trial{{ID: 0, Metrics: Metrics{metric.Accuracy: 0.9, metric.LatencyMs: 0.5}}, {ID: 1, Metrics: Metrics{metric.Accuracy: 0.95, metric.LatencyMs: 3}}}}
	got := o.NearestMisses()
	if len(got) != 1 || got[0] != "no trial met accuracy >= 0.99: the highest accuracy seen was 0.9500 against 0.9900 (trial 1)" {
		t.Errorf("got %q", got)
	}
	o.Trials[1].Feasible = true
	if got := o.NearestMisses(); got != nil {
		t.Errorf("with a feasible trial: %q", got)
	}
}

// TestSmallSpaceExhausted: a budget larger than the space ends when the
// strategy runs out of networks, and the outcome says so.
func TestSmallSpaceExhausted(t *testing.T) {
	e := demoExperiment(&fakeEval{}, 50)
	e.Space = &arch.ChainSpace{SpaceName: "tiny", Input: arch.Shape{H: 8, W: 8, C: 1},
		Blocks: []arch.ChainBlock{{MinRepeat: 1, MaxRepeat: 1, Layers: []arch.ChainLayer{{Alts: []arch.LayerAlt{{Kind: "conv", Params: []arch.Param{
			{Name: "kernel", Values: []int{3}}, {Name: "filters", Values: []int{4, 8, 16}}, {Name: "stride", Values: []int{1}}}}}}}}},
		Head: []arch.HeadLayer{{Kind: "gap"}, {Kind: "dense", Units: 10}}}
	e.Strategy = StrategySpec{Kind: "grid"}
	out, err := Run(context.Background(), e, Options{Store: hwnastest.OpenStore(t, t.TempDir())})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Trials) != 3 || !out.Exhausted || !strings.Contains(out.ExhaustedNote(), "no new network to try after 3 trials") {
		t.Fatalf("%d trials, exhausted %v (%q): want the space's 3 and exhausted", len(out.Trials), out.Exhausted, out.ExhaustedNote())
	}
	again := demoExperiment(&fakeEval{}, 3)
	if o, err := Run(context.Background(), again, Options{Store: hwnastest.OpenStore(t, t.TempDir())}); err != nil || o.Exhausted || o.ExhaustedNote() != "" {
		t.Fatalf("a budget smaller than the space: exhausted %v, %v", o.Exhausted, err)
	}
}

// TestETAWaitsForATrainedTrial: pruned trials cost next to nothing, so no
// time left is estimated from them; once a trial was trained it is.
func TestETAWaitsForATrainedTrial(t *testing.T) {
	ev := &fakeEval{delay: 20 * time.Millisecond}
	e := demoExperiment(ev, 12)
	var evs []Event
	if _, err := Run(context.Background(), e, Options{Store: hwnastest.OpenStore(t, t.TempDir()), Progress: func(x Event) { evs = append(evs, x) }}); err != nil {
		t.Fatal(err)
	}
	trained, withETA := false, 0
	for _, x := range evs {
		trained = trained || x.Counts.Trained > 0 // the counts include the event's own trial
		if !trained && x.ETA != 0 {
			t.Fatalf("event %s of trial %d has ETA %s before any trial was trained", x.Kind, x.Trial, x.ETA)
		}
		if x.ETA > 0 {
			withETA++
		}
	}
	if !trained || withETA == 0 {
		t.Fatalf("trained %v, %d events with an ETA: the test proves nothing", trained, withETA)
	}
}

// Notes gathers what a summary says beside the counts: the exhausted
// space first, then each differentiable search that fell short.
func TestOutcomeNotes(t *testing.T) {
	o := &Outcome{Exhausted: true, Trials: make([]Trial, 3), Underived: []string{"fbnet search derived 2 of the 6 children asked"}}
	got := o.Notes()
	if len(got) != 2 || !strings.Contains(got[0], "exhausted") || got[1] != o.Underived[0] {
		t.Errorf("notes %q", got)
	}
	if n := (&Outcome{}).Notes(); n != nil {
		t.Errorf("a run with nothing to say has notes %q", n)
	}
}
