package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hwnas/hwnas/internal/hwnastest"
	"github.com/hwnas/hwnas/metric"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine/store"
)

// fnasSpace is FNAS's MNIST space: 4 × conv {5,7,14} × {9,18,36}, GAP, dense 10.
func fnasSpace() *arch.ChainSpace {
	return &arch.ChainSpace{
		SpaceName: "fnas_mnist",
		Input:     arch.Shape{H: 28, W: 28, C: 1},
		Blocks: []arch.ChainBlock{{MinRepeat: 4, MaxRepeat: 4, Layers: []arch.ChainLayer{{Alts: []arch.LayerAlt{{Kind: "conv", Params: []arch.Param{
			{Name: "kernel", Values: []int{5, 7, 14}}, {Name: "filters", Values: []int{9, 18, 36}}, {Name: "stride", Values: []int{1}}}}}}}}},
		Head: []arch.HeadLayer{{Kind: "gap"}, {Kind: "dense", Units: 10}},
	}
}

// fakeHardware charges 1 ms per 10 M MACs on "board"; a different board
// name scales it, so changing the platform changes every latency.
func fakeHardware(board string, scale float64) Hardware {
	return Hardware{Key: board, Model: "fake-1", Score: func(n *arch.Network, genes []int) (string, Metrics, error) {
		lat := float64(n.MACs()) / 1e7 * scale
		return board + " pipeline", Metrics{metric.LatencyMs: lat, metric.ThroughputFPS: 1000 / lat}, nil
	}}
}

// fakeEval gives a deterministic accuracy per network and counts its calls.
type fakeEval struct {
	calls   atomic.Int64
	delay   time.Duration
	failKey string // networks whose key has this prefix fail
	hang    bool   // wait for ctx instead of answering
	maxLat  float64
	mu      sync.Mutex
	trained []string
}

func (f *fakeEval) Name() string { return "fake" }

func (f *fakeEval) Evaluate(ctx context.Context, r Request) (Evaluation, error) {
	f.calls.Add(1)
	key := r.Network.Key()
	f.mu.Lock()
	f.trained = append(f.trained, key)
	f.mu.Unlock()
	if f.hang {
		<-ctx.Done()
		return Evaluation{}, ctx.Err()
	}
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-ctx.Done():
			return Evaluation{}, ctx.Err()
		}
	}
	if f.failKey != "" && strings.HasPrefix(key, f.failKey) {
		return Evaluation{}, errors.New("exit status 1: CUDA out of memory")
	}
	acc := 0.5 + float64(r.Network.Params()%4973)/10000
	return Evaluation{Metrics: Metrics{metric.Accuracy: acc, metric.TestAccuracy: acc - 0.01}, ChargedS: 2}, nil
}

func demoExperiment(ev Evaluator, trials int) Experiment {
	return Experiment{
		Name: "fnas", Spec: "experiment fnas (test)", Space: fnasSpace(), Hardware: fakeHardware("PYNQ-Z1", 1),
		Evaluator: ev, Fidelity: Fidelity{Dataset: "mnist", Train: 100, Epochs: 1, Batch: 32},
		Objectives:  []Objective{{metric.Accuracy, true}, {metric.LatencyMs, false}},
		Constraints: []Constraint{{Metric: metric.LatencyMs, Op: "<=", Value: 6, Hard: true}},
		Budget:      Budget{Trials: trials}, Seed: 1,
	}
}

func TestRunPrunesWithoutTraining(t *testing.T) {
	ev := &fakeEval{}
	st := hwnastest.OpenStore(t, t.TempDir())
	var events []Event
	out, err := Run(context.Background(), demoExperiment(ev, 20), Options{Store: st, Progress: func(e Event) { events = append(events, e) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Trials) != 20 {
		t.Fatalf("%d trials, want 20", len(out.Trials))
	}
	c := out.Counts
	if c.Trained+c.Pruned+c.Cached+c.Failed != 20 || c.Pruned == 0 || c.Trained == 0 {
		t.Fatalf("counts %+v: want both pruned and trained trials adding up to 20", c)
	}
	if int(ev.calls.Load()) != c.Trained {
		t.Errorf("evaluator called %d times for %d trained trials", ev.calls.Load(), c.Trained)
	}
	for _, tr := range out.Trials {
		switch tr.Status {
		case store.Pruned:
			if tr.Metrics[metric.LatencyMs] <= 6 || tr.Feasible || !strings.Contains(tr.Error, "latency_ms") {
				t.Errorf("pruned trial %s", trialLine(&tr))
			}
			if _, ok := tr.Metrics[metric.Accuracy]; ok {
				t.Errorf("pruned trial %d has an accuracy", tr.ID)
			}
		case store.Trained, store.Cached:
			if tr.Metrics[metric.LatencyMs] > 6 || !tr.Feasible {
				t.Errorf("trained trial %s", trialLine(&tr))
			}
		}
	}
	for _, id := range out.Pareto {
		if !out.Trials[id].Feasible {
			t.Errorf("infeasible trial %d on the front", id)
		}
	}
	if len(out.Pareto) == 0 {
		t.Error("empty Pareto front")
	}
	last := events[len(events)-1]
	if last.Kind != RunDone || last.Done != 20 || last.BestTrial < 0 {
		t.Errorf("last event %+v", last)
	}
	stored, _ := st.Trials(out.StoreID)
	if len(stored) != 20 {
		t.Errorf("%d trials stored, want 20", len(stored))
	}
}

// summary is what must not depend on --parallel.
func summary(out *Outcome) []string {
	var s []string
	for _, t := range out.Trials {
		s = append(s, trialLine(&t))
	}
	return s
}

func TestParallelDoesNotChangeResults(t *testing.T) {
	for _, kind := range []string{"random", "reinforce", "evolution", "nsga2"} {
		t.Run(kind, func(t *testing.T) {
			var want []string
			for _, p := range []int{1, 2, 4} {
				e := demoExperiment(&fakeEval{delay: time.Millisecond}, 16)
				e.Parallel = p
				e.Strategy.Kind = kind
				if kind == "reinforce" || kind == "evolution" {
					e.Objectives = e.Objectives[:1] // single objective: the FNAS reward from the latency constraint
				}
				out, err := Run(context.Background(), e, Options{Store: hwnastest.OpenStore(t, t.TempDir()), Cores: 2})
				if err != nil {
					t.Fatal(err)
				}
				got := summary(out)
				if want == nil {
					want = got
				} else if !reflect.DeepEqual(got, want) {
					t.Fatalf("parallel %d:\n%s\nparallel 1:\n%s", p, strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
			}
		})
	}
}

func TestRerunEvaluatesNothing(t *testing.T) {
	st := hwnastest.OpenStore(t, t.TempDir())
	first, err := Run(context.Background(), demoExperiment(&fakeEval{}, 12), Options{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	ev := &fakeEval{}
	again, err := Run(context.Background(), demoExperiment(ev, 12), Options{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	if ev.calls.Load() != 0 {
		t.Fatalf("re-run called the evaluator %d times", ev.calls.Load())
	}
	if again.Counts.Resumed != 12 {
		t.Fatalf("re-run resumed %d trials, want 12", again.Counts.Resumed)
	}
	if !reflect.DeepEqual(summary(first), summary(again)) {
		t.Fatalf("re-run changed results")
	}
	// A larger budget continues from the stored trials.
	ev = &fakeEval{}
	more, err := Run(context.Background(), demoExperiment(ev, 16), Options{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	if more.Counts.Resumed != 12 || int(ev.calls.Load()) > 4 {
		t.Fatalf("continuing: resumed %d, evaluated %d; want 12 and at most 4", more.Counts.Resumed, ev.calls.Load())
	}
}

func TestFailedTrialsAreRecorded(t *testing.T) {
	ev := &fakeEval{failKey: "0123456789abcdef"[:0]} // filled below
	// Fail every network whose key starts with the first hex digit of the
	// first trained network: some fail, the search goes on.
	probe, _ := Run(context.Background(), demoExperiment(&fakeEval{}, 8), Options{Store: hwnastest.OpenStore(t, t.TempDir())})
	for _, tr := range probe.Trials {
		if tr.Status == store.Trained {
			ev.failKey = tr.NetworkKey[:1]
			break
		}
	}
	out, err := Run(context.Background(), demoExperiment(ev, 20), Options{Store: hwnastest.OpenStore(t, t.TempDir())})
	if err != nil {
		t.Fatal(err)
	}
	if out.Counts.Failed == 0 || len(out.Trials) != 20 {
		t.Fatalf("counts %+v over %d trials: want failures and all 20 trials", out.Counts, len(out.Trials))
	}
	for _, tr := range out.Trials {
		if tr.Status == store.Failed && (!strings.Contains(tr.Error, "CUDA out of memory") || tr.Feasible) {
			t.Errorf("failed trial %s", trialLine(&tr))
		}
	}
}

func TestTrialTimeout(t *testing.T) {
	e := demoExperiment(&fakeEval{hang: true}, 3)
	e.TrialTimeout = 20 * time.Millisecond
	e.Constraints = nil
	out, err := Run(context.Background(), e, Options{Store: hwnastest.OpenStore(t, t.TempDir())})
	if err != nil {
		t.Fatal(err)
	}
	if out.Counts.Failed != 3 {
		t.Fatalf("counts %+v, want 3 failures", out.Counts)
	}
	if !strings.Contains(out.Trials[0].Error, "timed out after 20ms") {
		t.Errorf("error %q", out.Trials[0].Error)
	}
}

func TestCancelKeepsFinishedTrials(t *testing.T) {
	st := hwnastest.OpenStore(t, t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	e := demoExperiment(&fakeEval{delay: 5 * time.Millisecond}, 40)
	e.Constraints = nil // every trial trains
	var finished atomic.Int64
	out, err := Run(ctx, e, Options{Store: st, Progress: func(ev Event) {
		if ev.Kind == TrialFinished && finished.Add(1) == 6 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if len(out.Trials) < 6 || len(out.Trials) >= 40 {
		t.Fatalf("%d trials kept, want at least the 6 finished and fewer than 40", len(out.Trials))
	}
	stored, _ := st.Trials(out.StoreID)
	if len(stored) != len(out.Trials) {
		t.Fatalf("%d trials stored, %d returned", len(stored), len(out.Trials))
	}
}

func TestTimeBudgetUsesChargedTime(t *testing.T) {
	e := demoExperiment(&fakeEval{}, 0) // each trained trial charges 2 s
	e.Constraints = nil
	e.Budget = Budget{Time: 9 * time.Second}
	e.Batch = 1
	out, err := Run(context.Background(), e, Options{Store: hwnastest.OpenStore(t, t.TempDir())})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Trials) != 5 { // 0, 2, 4, 6, 8 s charged before each; 10 s ≥ 9 s stops
		t.Fatalf("%d trials under a 9 s budget at 2 s each, want 5", len(out.Trials))
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name string
		edit func(e *Experiment)
		want string
	}{
		{"no space", func(e *Experiment) { e.Space = nil }, "no search space"},
		{"no evaluator", func(e *Experiment) { e.Evaluator = nil }, "no evaluator"},
		{"no budget", func(e *Experiment) { e.Budget = Budget{} }, "no budget"},
		{"bad op", func(e *Experiment) { e.Constraints[0].Op = "=<" }, `unknown comparison "=<"`},
		{"bad strategy", func(e *Experiment) { e.Strategy.Kind = "annealing" }, `unknown strategy "annealing"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := demoExperiment(&fakeEval{}, 4)
			c.edit(&e)
			_, err := Run(context.Background(), e, Options{Store: hwnastest.OpenStore(t, t.TempDir())})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

var _ = fmt.Sprint
var _ = os.Getenv

// TestRescoreChangesOnlyHardware moves a finished search to another
// platform: every stored trial gets the new platform's hardware metrics and
// nothing is trained.
func TestRescoreChangesOnlyHardware(t *testing.T) {
	st := hwnastest.OpenStore(t, t.TempDir())
	first, err := Run(context.Background(), demoExperiment(&fakeEval{}, 20), Options{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	ev := &fakeEval{}
	e := demoExperiment(ev, 20)
	e.Name, e.Spec = "fnas_zcu", "experiment fnas on another board (test)"
	e.Hardware = fakeHardware("ZCU102", 0.5) // twice as fast
	re, err := Rescore(context.Background(), e, "fnas", Options{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	if ev.calls.Load() != 0 {
		t.Fatalf("re-scoring trained %d networks", ev.calls.Load())
	}
	if len(re.Trials) != len(first.Trials) {
		t.Fatalf("%d trials re-scored, want %d", len(re.Trials), len(first.Trials))
	}
	untrained := 0
	for i, nt := range re.Trials {
		old := first.Trials[i]
		if nt.Metrics[metric.LatencyMs] != old.Metrics[metric.LatencyMs]*0.5 {
			t.Errorf("trial %d: latency %g, want half of %g", i, nt.Metrics[metric.LatencyMs], old.Metrics[metric.LatencyMs])
		}
		switch {
		case old.Status == store.Trained || old.Status == store.Cached:
			if nt.Status != store.Cached || nt.Metrics[metric.Accuracy] != old.Metrics[metric.Accuracy] {
				t.Errorf("trial %d: %s, want its cached accuracy", i, trialLine(&nt))
			}
		case nt.Status == store.Untrained:
			untrained++
			if nt.Error != UntrainedReason || nt.Feasible || StatusOf(&nt) != Untrained {
				t.Errorf("trial %d: %s, want untrained and infeasible", i, trialLine(&nt))
			}
		case nt.Status == store.Failed:
			t.Errorf("trial %d: %s: re-scoring fails no trial", i, trialLine(&nt))
		}
	}
	if re.Counts.Untrained != untrained || re.Counts.Failed != 0 {
		t.Errorf("counts %+v, want %d untrained and none failed", re.Counts, untrained)
	}
	if untrained == 0 {
		t.Error("no pruned trial became feasible on the faster board; the test proves less than it should")
	}
	if got, err := Load(st, "fnas_zcu"); err != nil || len(got.Trials) != len(re.Trials) {
		t.Fatalf("re-scored run not stored: %v", err)
	}
}

// A tiny space makes the strategy repeat networks within a batch: the
// statuses (trained, then cached) must not depend on Parallel.
func TestRepeatsInABatch(t *testing.T) {
	conv := arch.LayerAlt{Kind: "conv", Params: []arch.Param{{Name: "kernel", Values: []int{1, 3}}, {Name: "filters", Values: []int{4}}}}
	tiny := &arch.ChainSpace{SpaceName: "tiny", Input: arch.Shape{H: 8, W: 8, C: 1},
		Blocks: []arch.ChainBlock{{MinRepeat: 1, MaxRepeat: 1, Layers: []arch.ChainLayer{{Alts: []arch.LayerAlt{conv}}}}},
		Head:   []arch.HeadLayer{{Kind: "gap"}, {Kind: "dense", Units: 10}}}
	var want []string
	for _, p := range []int{1, 4} {
		ev := &fakeEval{delay: time.Millisecond}
		e := Experiment{Name: "tiny", Space: tiny, Evaluator: ev, Objectives: []Objective{{metric.Accuracy, true}},
			Strategy: StrategySpec{Kind: "random", Params: map[string]float64{"retries": 0}},
			Budget:   Budget{Trials: 12}, Batch: 4, Parallel: p, Seed: 5}
		out, err := Run(context.Background(), e, Options{Store: hwnastest.OpenStore(t, t.TempDir())})
		if err != nil {
			t.Fatal(err)
		}
		if ev.calls.Load() != 2 || out.Counts.Trained != 2 || out.Counts.Cached != 10 {
			t.Fatalf("parallel %d: %d evaluations, counts %+v; want 2 trained and 10 cached", p, ev.calls.Load(), out.Counts)
		}
		got := summary(out)
		if want == nil {
			want = got
		} else if !reflect.DeepEqual(got, want) {
			t.Fatalf("parallel %d:\n%s\nparallel 1:\n%s", p, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// TestCountsAgree: the live counts, the summary's and the trials add up the
// same way; a resumed trial counts as resumed only.
func TestCountsAgree(t *testing.T) {
	st := hwnastest.OpenStore(t, t.TempDir())
	if _, err := Run(context.Background(), demoExperiment(&fakeEval{}, 8), Options{Store: st}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		trials int
		want   func(Counts) bool
	}{
		{8, func(c Counts) bool { return c == Counts{Resumed: 8} }},
		{12, func(c Counts) bool { return c.Resumed == 8 && c.Trained+c.Pruned+c.Failed+c.Cached == 4 }},
	} {
		var last Event
		out, err := Run(context.Background(), demoExperiment(&fakeEval{}, c.trials), Options{Store: st,
			Progress: func(ev Event) { last = ev }})
		if err != nil {
			t.Fatal(err)
		}
		if !c.want(out.Counts) {
			t.Errorf("%d trials: counts %+v", c.trials, out.Counts)
		}
		if last.Kind != RunDone || last.Counts != out.Counts {
			t.Errorf("%d trials: live counts %+v (%s), summary counts %+v", c.trials, last.Counts, last.Kind, out.Counts)
		}
		want := fmt.Sprintf("%d trained, %d pruned, %d failed, %d cached",
			out.Counts.Trained, out.Counts.Pruned, out.Counts.Failed, out.Counts.Cached)
		if got := out.Counts.String(); got != want || !strings.Contains(last.Line(), fmt.Sprintf("%d resumed", out.Counts.Resumed)) {
			t.Errorf("summary %q, live %q; want %q", got, last.Line(), want)
		}
	}
}

// fixedEval reports the same metrics for every network.
type fixedEval struct{ m Metrics }

func (f fixedEval) Name() string { return "fixed" }

func (f fixedEval) Evaluate(ctx context.Context, r Request) (Evaluation, error) {
	return Evaluation{Metrics: maps.Clone(f.m), ChargedS: 1}, nil
}

// An evaluator's metrics are checked against package metric's table: an
// impossible value fails the trial naming the metric, and a hardware metric
// that replaces the FPGA model's is kept and said so in the progress line.
func TestEvaluatorMetricsValidated(t *testing.T) {
	cases := []struct {
		m    Metrics
		want string // the failure; "" for a trained trial
	}{
		{Metrics{metric.Accuracy: 0.9, metric.DSP: -5}, `fixed evaluator: metric "dsp" = -5 is negative; a count cannot be`},
		{Metrics{metric.Accuracy: 0.9, metric.PowerW: math.NaN()}, `metric "power_w" = NaN is not finite`},
		{Metrics{metric.Accuracy: 0.9, metric.TestAccuracy: 1.5}, `metric "test_accuracy" = 1.5 is not a fraction in [0, 1]`},
		{Metrics{metric.Accuracy: 0.9, metric.LatencyMs: -1}, `metric "latency_ms" = -1 is negative; a time cannot be`},
		{Metrics{metric.Accuracy: 0.9, "loss": -2.5, metric.LatencyMs: 1.25}, ""},
	}
	for _, c := range cases {
		e := demoExperiment(fixedEval{c.m}, 1)
		e.Constraints = nil
		var lines []string
		out, err := Run(context.Background(), e, Options{Store: hwnastest.OpenStore(t, t.TempDir()),
			Progress: func(ev Event) { lines = append(lines, ev.Line()) }})
		if err != nil {
			t.Fatal(err)
		}
		tr := out.Trials[0]
		if c.want != "" {
			if tr.Status != store.Failed || !strings.Contains(tr.Error, c.want) {
				t.Errorf("%v: %s, want failed with %q", c.m, trialLine(&tr), c.want)
			}
			continue
		}
		note := "the evaluator's metrics replace the FPGA model's: latency_ms "
		if tr.Status != store.Trained || tr.Metrics[metric.LatencyMs] != 1.25 || !strings.Contains(tr.Note, note) ||
			!strings.Contains(strings.Join(lines, "\n"), note) {
			t.Errorf("%v: %s note %q, want trained, latency 1.25 and a note\n%s", c.m, trialLine(&tr), tr.Note, strings.Join(lines, "\n"))
		}
	}
}
