package kernel

import (
	"context"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/engine"
)

// TestDisplayPlots: the plot functions of the display package show SVG
// plots of the session's experiments (hover texts included), the decisions
// axes are named by the declared space, a reader's own chart shows, and
// bad arguments are errors that say what was wrong.
func TestDisplayPlots(t *testing.T) {
	s := newTestSession(t)
	var r record
	code := strings.NewReplacer("experiment big", "experiment small", "5000 trials", "12 trials").Replace(nb201Decls)
	if _, err := s.Execute(context.Background(), code, r.output()); err != nil {
		t.Fatalf("run: %v", err)
	}
	s.dsl.mu.Lock()
	s.dsl.results["demo"] = sampleOutcome()
	s.dsl.results["diff"] = &engine.Outcome{Experiment: "diff", ArchHistory: []engine.ArchEpoch{
		{Strategy: "fbnet", Epoch: 1, Epochs: 2, Warmup: true, LatencyMs: 0.3, Positions: []engine.ArchPosition{{Name: "layer2", Candidates: []string{"conv", "skip"}, Probs: []float64{0.5, 0.5}}}},
		{Strategy: "fbnet", Epoch: 2, Epochs: 2, LatencyMs: 0.2, Positions: []engine.ArchPosition{{Name: "layer2", Candidates: []string{"conv", "skip"}, Probs: []float64{0.4, 0.6}}}},
	}}
	s.dsl.mu.Unlock()
	for _, tt := range []struct{ code, want, err string }{
		{`display.Trials("demo")`, `<title>trial 3: pruned`, ""},
		{`display.Trials("small")`, `<title>trial 0: looked up`, ""},
		{`display.Pareto("demo", "small")`, `small front`, ""},
		{`display.BestSoFar("small", "demo")`, `demo best so far`, ""},
		{`display.Hypervolume(map[string][]string{"random": {"small", "small"}})`, `random (2 runs)`, ""},
		{`display.Decisions("small")`, `>edge_1_0<`, ""},
		{`display.Probabilities("diff")`, `<title>layer2, epoch 2: skip 60.0%</title>`, ""},
		{"o, _ := hwnas.Result(\"diff\")\nc := display.NewChart(\"own\", \"epoch\", \"p\")\nvar h []hwnas.ArchEpoch = o.ArchHistory\nc.Line(fmt.Sprint(h[1].Positions[0].Candidates[1]), []float64{1}, []float64{h[1].Positions[0].Probs[1]})\ndisplay.Plot(c)", `>skip<`, ""},
		{"c := display.NewChart(\"mine\", \"x\", \"y\")\ns := c.Scatter(\"pts\", []float64{1, 2}, []float64{3, 4})\ns.Titles = []string{\"a\", \"b\"}\nc.LogY = true\nc.VLine(1.5, \"limit\")\ndisplay.Plot(c)", `<title>b</title>`, ""},
		{`display.Trials("nosuch")`, "", `display.Trials: no results for experiment "nosuch"`},
		{`display.Pareto()`, "", "display.Pareto: name at least one experiment"},
		{"var none *display.Chart\ndisplay.Plot(none)", "stderr", ""},
	} {
		var r record
		cell := "%%go\n" + tt.code
		if tt.err != "" {
			cell = "%%go\nerr := " + tt.code + "\nerr.Error()"
		}
		res, err := s.Execute(context.Background(), cell, r.output())
		if err != nil {
			t.Fatalf("%s: %v", tt.code, err)
		}
		all := strings.Join(r.msgs, "\n")
		if tt.err != "" {
			if res == nil || !strings.Contains(strings.ReplaceAll(stringOf(res.Data), `\"`, `"`), tt.err) {
				t.Errorf("%s: %v, want the error %q", tt.code, res, tt.err)
			}
			continue
		}
		if tt.want == "stderr" {
			if !strings.Contains(all, "display.Plot: the chart is nil") {
				t.Errorf("%s: no message on stderr in:\n%s", tt.code, all)
			}
			continue
		}
		if !strings.Contains(all, `display_data {"data":{"image/svg+xml":`) || !strings.Contains(strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(all), tt.want) {
			t.Errorf("%s: no SVG with %q in:\n%.600s", tt.code, tt.want, all)
		}
	}
}

// stringOf is the text/plain of a result's data.
func stringOf(data map[string]any) string {
	s, _ := data["text/plain"].(string)
	return s
}
