package kernel

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hwnas/hwnas/internal/golden"
	"github.com/hwnas/hwnas/metric"

	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/fpga"
)

// sampleOutcome is a small two-objective outcome with a front, an
// infeasible trial, a pruned trial and a resumed trial.
func sampleOutcome() *engine.Outcome {
	tr := func(id int, acc, lat float64, st store.Status, feasible, resumed bool) engine.Trial {
		m := engine.Metrics{metric.LatencyMs: lat, metric.DSP: 900}
		if st != store.Pruned {
			m[metric.Accuracy] = acc
		}
		return engine.Trial{ID: id, Network: "net" + string(rune('A'+id)), Metrics: m, Status: st, Feasible: feasible, Resumed: resumed}
	}
	return &engine.Outcome{
		Experiment:  "demo",
		Objectives:  []engine.Objective{{Metric: metric.Accuracy, Maximize: true}, {Metric: metric.LatencyMs}},
		Constraints: []engine.Constraint{{Metric: metric.DSP, Op: "<=", Value: 1000, Hard: true}},
		Trials: []engine.Trial{
			tr(0, 0.91, 2.5, store.Trained, true, true),
			tr(1, 0.85, 1.25, store.Trained, true, false),
			tr(2, 0.80, 2.0, store.Cached, true, false),
			tr(3, 0, 9.0, store.Pruned, false, false),
			tr(4, 0.95, 7.0, store.Trained, false, false),
		},
		Pareto: []int{0, 1},
		Wall:   1234 * time.Millisecond,
	}
}

func TestRenderGolden(t *testing.T) {
	o := sampleOutcome()
	golden.Check(t, "results.txt", resultsText(o))
	golden.Check(t, "results.html", resultsHTML(o))
	svg, err := paretoSVG(o)
	if err != nil || !strings.HasPrefix(strings.TrimSpace(svg), "<?xml") && !strings.Contains(svg, "<svg") {
		t.Errorf("pareto plot: %v\n%.200s", err, svg)
	}
	ev := engine.Event{Kind: engine.TrialFinished, Done: 3, Total: 8, Counts: engine.Counts{Trained: 2, Cached: 1},
		BestMetric: "accuracy", Best: 0.91, BestTrial: 0, Elapsed: 2500 * time.Millisecond, ETA: 4 * time.Second}
	p := progressBundle("demo", ev, "running")
	golden.Check(t, "progress.txt", p["text/plain"].(string)+"\n"+p["text/html"].(string)+"\n")
	var ps []fpga.Platform
	for _, n := range []string{"PYNQ-Z1", "ZCU102"} {
		pl, err := fpga.Lookup(n)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, pl)
	}
	golden.Check(t, "platforms.txt", platformsText(ps)+"\n"+platformsHTML(ps))
}

func TestInstall(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("JUPYTER_DATA_DIR", filepath.Join(dir, "data"))
	t.Setenv("JUPYTER_PATH", filepath.Join(dir, "path1")+string(os.PathListSeparator)+filepath.Join(dir, "path2"))
	tests := []struct {
		o    InstallOptions
		want string
		err  string
	}{
		{InstallOptions{Prefix: filepath.Join(dir, "p")}, filepath.Join(dir, "p", "share", "jupyter", "kernels"), ""},
		{InstallOptions{User: true}, filepath.Join(dir, "data", "kernels"), ""},
		{InstallOptions{}, filepath.Join(dir, "path1", "kernels"), ""},
		{InstallOptions{User: true, Prefix: "x"}, "", "exclude each other"},
	}
	for _, tt := range tests {
		got, err := KernelsDir(tt.o)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%+v: error %v, want %q", tt.o, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%+v: %q, %v; want %q", tt.o, got, err, tt.want)
		}
	}
	bin := filepath.Join(dir, "bin", "hwnas")
	kd, err := Install(InstallOptions{Prefix: filepath.Join(dir, "p"), Binary: bin})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"kernel.json", "logo-32x32.png", "logo-64x64.png", "logo-svg.svg"} {
		if _, err := os.Stat(filepath.Join(kd, f)); err != nil {
			t.Errorf("kernelspec lacks %s: %v", f, err)
		}
	}
	b, _ := os.ReadFile(filepath.Join(kd, "kernel.json"))
	var spec KernelSpec
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	want := []string{bin, "kernel", "--connection-file", "{connection_file}"}
	if !reflect.DeepEqual(spec.Argv, want) || spec.InterruptMode != "message" || spec.Language != "hwnas" || spec.DisplayName == "" {
		t.Errorf("kernel.json %+v", spec)
	}
}
