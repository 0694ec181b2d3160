package engine

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/internal/hwnastest"
	"github.com/hwnas/hwnas/metric"

	"github.com/hwnas/hwnas/arch/nb201"
)

// nb201Experiment searches NAS-Bench-201 on its table with evolution, whose
// mutations often reach cells isomorphic to ones already seen.
func nb201Experiment(trials, parallel int) Experiment {
	return Experiment{
		Name: "nb201", Spec: "experiment nb201 (test)", Space: nb201.Space{}, Evaluator: TableEvaluator{},
		Fidelity:   Fidelity{Dataset: "cifar10"},
		Objectives: []Objective{{metric.Accuracy, true}},
		Strategy:   StrategySpec{Kind: "evolution"},
		Budget:     Budget{Trials: trials}, Parallel: parallel, Seed: 3,
	}
}

// Cells that decode to the same network have different accuracies in the
// table: every trial must get its own cell's row, whatever --parallel is.
func TestTableTrialsDoNotDependOnParallel(t *testing.T) {
	var want []string
	for _, p := range []int{1, 3} {
		out, err := Run(context.Background(), nb201Experiment(120, p), Options{Store: hwnastest.OpenStore(t, t.TempDir()), Cores: 2})
		if err != nil {
			t.Fatal(err)
		}
		nets := map[string]map[string]bool{} // network key -> cells
		for _, tr := range out.Trials {
			row, err := nb201.LookupGenome(tr.Genome)
			if err != nil {
				t.Fatal(err)
			}
			if got := tr.Metrics[metric.Accuracy]; got != row.C10ValidValidAcc/100 {
				t.Errorf("parallel %d: trial %s: accuracy %v, the table says %v for its cell", p, trialLine(&tr), got, row.C10ValidValidAcc/100)
			}
			if nets[tr.NetworkKey] == nil {
				nets[tr.NetworkKey] = map[string]bool{}
			}
			nets[tr.NetworkKey][genomeText(tr.Genome)] = true
		}
		iso := 0
		for _, cells := range nets {
			iso += len(cells) - 1
		}
		if iso == 0 {
			t.Fatalf("parallel %d: no two cells of the run share a network; the test proves nothing", p)
		}
		got := summary(out)
		if want == nil {
			want = got
		} else if !reflect.DeepEqual(got, want) {
			t.Fatalf("parallel %d:\n%s\nparallel 1:\n%s", p, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

func genomeText(g []int) string {
	var b strings.Builder
	for _, x := range g {
		b.WriteByte(byte('0' + x))
	}
	return b.String()
}

// Trials a table evaluator looks up are stored as trained but shown and
// counted as looked up, in the run's outcome and when read back.
func TestTableTrialsAreLookedUp(t *testing.T) {
	st := hwnastest.OpenStore(t, t.TempDir())
	kinds := map[EventKind]int{}
	ran, err := Run(context.Background(), nb201Experiment(12, 2), Options{Store: st, Progress: func(ev Event) { kinds[ev.Kind]++ }})
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(st, "nb201")
	if err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]*Outcome{"run": ran, "load": loaded} {
		c := out.Counts
		if c.LookedUp == 0 || c.LookedUp != c.Trained {
			t.Errorf("%s: counts %+v: want every trained trial looked up", name, c)
		}
		for _, tr := range out.Trials {
			if tr.LookedUp != (tr.Status == "trained") {
				t.Errorf("%s: trial %s looked up = %v", name, trialLine(&tr), tr.LookedUp)
			}
		}
		if want := fmt.Sprintf("0 trained, %d looked up,", c.LookedUp); !strings.HasPrefix(c.String(), want) {
			t.Errorf("%s: counts say %q, want them to start %q", name, c.String(), want)
		}
		for _, tr := range out.Trials {
			if tr.Status == store.Trained && StatusLabel(&tr) != "looked up" {
				t.Errorf("%s: trial %d shows as %q, want looked up", name, tr.ID, StatusLabel(&tr))
			}
		}
	}
	if kinds[TrialLookedUp] != ran.Counts.LookedUp || kinds[TrialFinished] != 0 {
		t.Errorf("events %v, want %d looked-up and no finished", kinds, ran.Counts.LookedUp)
	}
}

// HW-NAS-Bench's device measurements are metrics a spec optimises and
// constrains without a platform; each trial carries its cell's row.
func TestTableBenchMetricsFromSpec(t *testing.T) {
	out, _ := runSpec(t, hwnastest.OpenStore(t, t.TempDir()), "t.hwnas", `
space nb = benchmark("nasbench201")
experiment e {
  space = nb  evaluator = table
  maximize accuracy
  minimize bench_fpga_latency
  require bench_raspi4_latency <= 12 ms
  strategy nsga2  budget 40 trials  seed 2
}
`, "e")
	feasible, infeasible := 0, 0
	for _, tr := range out.Trials {
		row, err := nb201.LookupGenome(tr.Genome)
		if err != nil {
			t.Fatal(err)
		}
		for key, want := range map[string]float64{metric.BenchFPGALatencyMs: row.FPGALatencyMs, metric.BenchFPGAEnergyMJ: row.FPGAEnergyMJ,
			metric.BenchEyerissLatencyMs: row.EyerissLatencyMs, metric.BenchRaspi4LatencyMs: row.Raspi4LatencyMs, metric.BenchPixel3LatencyMs: row.Pixel3LatencyMs} {
			if got, ok := tr.Metrics[key]; !ok || got != want {
				t.Errorf("trial %s: %s = %v (%v), the table says %v", trialLine(&tr), key, got, ok, want)
			}
		}
		if tr.Feasible != (row.Raspi4LatencyMs <= 12) {
			t.Errorf("trial %s: feasible %v with raspi4 latency %v ms", trialLine(&tr), tr.Feasible, row.Raspi4LatencyMs)
		}
		if tr.Feasible {
			feasible++
		} else {
			infeasible++
		}
	}
	if feasible == 0 || infeasible == 0 {
		t.Fatalf("%d feasible, %d infeasible trials: the constraint is not tested", feasible, infeasible)
	}
	if len(out.Pareto) == 0 {
		t.Fatal("no Pareto front")
	}
}
