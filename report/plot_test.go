package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image/png"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/internal/golden"
	"github.com/hwnas/hwnas/metric"
)

// shifted is the fixture renamed, with its accuracies lowered by d: a
// second experiment or seed to overlay.
func shifted(name string, d float64) *engine.Outcome {
	out := fixture()
	out.Experiment = name
	for i := range out.Trials {
		if v, ok := out.Trials[i].Metrics[metric.Accuracy]; ok {
			out.Trials[i].Metrics[metric.Accuracy] = v - d
		}
	}
	return out
}

// outcomeOf builds an outcome with two objectives from trials.
func outcomeOf(name string, trials ...engine.Trial) *engine.Outcome {
	out := &engine.Outcome{Experiment: name,
		Objectives:  []engine.Objective{{Metric: metric.Accuracy, Maximize: true}, {Metric: metric.LatencyMs}},
		Constraints: []engine.Constraint{{Metric: metric.LatencyMs, Op: "<=", Value: 0.01, Hard: true}}, Trials: trials}
	out.Pareto = engine.ParetoFront(out.Trials, out.Objectives)
	return out
}

// threeObjectives is the fixture searched on accuracy, latency and energy.
func threeObjectives() *engine.Outcome {
	out := fixture()
	out.Objectives = append(out.Objectives, engine.Objective{Metric: metric.EnergyMJ})
	out.Pareto = engine.ParetoFront(out.Trials, out.Objectives)
	return out
}

// testFigures are the figures the golden and invariant tests draw.
func testFigures() map[string]*Figure {
	pruned := func(id int, lat float64) engine.Trial {
		return engine.Trial{ID: id, Genome: []int{id}, Network: "net", Status: store.Pruned, Error: "latency_ms breaks latency_ms <= 0.01",
			Metrics: engine.Metrics{metric.LatencyMs: lat}}
	}
	roof := NewChart("Roofline", "operational intensity (op/B)", "GOPS")
	roof.LogX, roof.LogY = true, true
	oi := []float64{0.1, 1, 10, 100, 1000}
	roof.Line("ZCU102", oi, []float64{1.9, 19.2, 192, 1000, 1000})
	roof.Scatter("layers", []float64{0.5, 30}, []float64{9, 500}).Titles = []string{"fc6", "conv3"}
	roof.HLine(1000, "peak")
	decisions := make([]arch.Decision, 8)
	for i := range decisions {
		decisions[i] = arch.Decision{Name: fmt.Sprintf("layer%d.%s", i/2+1, []string{"kernel", "filters"}[i%2]), Choices: []string{"5", "7", "14"}}
	}
	return map[string]*Figure{
		"trials":      TrialsPlot(fixture()),
		"trials-3obj": TrialsPlot(threeObjectives()),
		"pareto":      ParetoPlot(fixture(), shifted("plain_nas", 0.05), fixture()),
		"best":        BestSoFarPlot(fixture(), shifted("plain_nas", 0.05)),
		"hypervolume": HypervolumePlot(map[string][]*engine.Outcome{"fnas": {fixture(), shifted("fnas", 0.02)}, "plain": {shifted("plain", 0.05)}}),
		"decisions":   DecisionsPlot(fixture(), decisions),
		"one-point": TrialsPlot(outcomeOf("one", engine.Trial{ID: 0, Network: "net", Status: store.Trained, Feasible: true,
			Metrics: engine.Metrics{metric.Accuracy: 0.5, metric.LatencyMs: 0.004}})),
		"all-pruned":    TrialsPlot(outcomeOf("tight", pruned(0, 0.166), pruned(1, 0.5), pruned(2, 2))),
		"empty":         TrialsPlot(outcomeOf("empty")),
		"roofline":      roof.Figure(),
		"probabilities": ProbabilitiesPlot("proxyless", archHistory(false)),
	}
}

// TestPlotGoldens: every kind of plot renders as its golden SVG, and the
// SVG is well-formed XML.
func TestPlotGoldens(t *testing.T) {
	for name, f := range testFigures() {
		t.Run(name, func(t *testing.T) {
			svg := f.SVG()
			d := xml.NewDecoder(strings.NewReader(svg))
			for {
				if _, err := d.Token(); err != nil {
					if err.Error() != "EOF" {
						t.Fatalf("not well-formed XML: %v", err)
					}
					break
				}
			}
			golden.Check(t, "plot-"+name+".svg.golden", svg)
		})
	}
}

// TestPlotInvariants: in every figure, markers lie inside their chart's
// data area (or the legend), texts inside the picture, and ticks are round
// numbers without "-0", in order, inside the axis.
func TestPlotInvariants(t *testing.T) {
	for name, f := range testFigures() {
		s := f.layout()
		for _, it := range s.items {
			switch {
			case it.kind == markerItem && !it.legend:
				if !insideSomeFrame(s, it.pts[0], it.r) {
					t.Errorf("%s: marker %q at %v (r %v) is outside every data area", name, it.title, it.pts[0], it.r)
				}
			case it.kind == textItem && !it.rotate:
				x0 := it.pts[0].x - map[string]float64{"middle": 0.5, "end": 1}[it.anchor]*textW(it.text, it.size)
				if x0 < 0 || x0+textW(it.text, it.size) > s.w || it.pts[0].y-it.size < 0 || it.pts[0].y > s.h {
					t.Errorf("%s: text %q at %v runs off the %vx%v picture", name, it.text, it.pts[0], s.w, s.h)
				}
			}
		}
		for i, fr := range s.frames {
			checkTicks(t, name+" x", fr.xa, f.Charts[i].XTicks == nil)
			checkTicks(t, name+" y", fr.ya, true)
		}
	}
}

func insideSomeFrame(s *scene, p pt, r float64) bool {
	for _, fr := range s.frames {
		if p.x-r >= fr.x0 && p.x+r <= fr.x1 && p.y-r >= fr.y0 && p.y+r <= fr.y1 {
			return true
		}
	}
	return false
}

// roundLabel is a tick label: a number of one to three significant digits
// at most, with an optional k, M or G.
var roundLabel = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?[kMG]?$`)

// checkTicks checks the ticks of a; round says they are numbers, not
// categories.
func checkTicks(t *testing.T, name string, a axis, round bool) {
	t.Helper()
	for i, tk := range a.ticks {
		if tk.Label == "-0" || strings.HasPrefix(tk.Label, "-0") && strings.Trim(tk.Label, "-0.") == "" {
			t.Errorf("%s: tick %q", name, tk.Label)
		}
		if tk.At < a.lo-1e-9 || tk.At > a.hi+1e-9 {
			t.Errorf("%s: tick %s at %v outside the axis [%v, %v]", name, tk.Label, tk.At, a.lo, a.hi)
		}
		if i > 0 && (tk.At <= a.ticks[i-1].At || tk.Label == a.ticks[i-1].Label) {
			t.Errorf("%s: ticks %q and %q out of order or alike", name, a.ticks[i-1].Label, tk.Label)
		}
		if round && !roundLabel.MatchString(tk.Label) {
			t.Errorf("%s: tick label %q is not a round number", name, tk.Label)
		}
	}
}

// TestTicks: axes over awkward ranges get 2 to 8 round ticks, no "-0", and
// leave room round the data.
func TestTicks(t *testing.T) {
	cases := [][]float64{{0, 1}, {-0.3, 0.7}, {0.8, 75.264}, {1e6, 4.15e7}, {5, 5}, {0}, {}, {-1e-12, 1}, {0.9005, 0.9612},
		{-7, -2}, {123456, 123457}, {0.004}, {1, 200}}
	for _, vs := range cases {
		a := linearAxis(vs)
		name := fmt.Sprint(vs)
		checkTicks(t, name, a, true)
		if n := len(a.ticks); n < 2 || n > 8 {
			t.Errorf("%s: %d ticks %v", name, n, a.ticks)
		}
		if lo, hi, ok := bounds(vs); ok && (lo <= a.lo || hi >= a.hi) {
			t.Errorf("%s: axis [%v, %v] does not leave room round the data", name, a.lo, a.hi)
		}
		for _, tk := range a.ticks {
			v, err := strconv.ParseFloat(strings.TrimRight(tk.Label, "kMG"), 64)
			if err == nil && !strings.ContainsAny(tk.Label, "kMG") && math.Abs(v-tk.At) > 1e-9*math.Max(1, math.Abs(tk.At)) {
				t.Errorf("%s: tick at %v labelled %q", name, tk.At, tk.Label)
			}
		}
	}
	for _, vs := range [][]float64{{1, 12}, {1, 4}, {1}, {1, 30}, {1, 200}} {
		a := integerAxis(vs)
		checkTicks(t, fmt.Sprint("integer ", vs), a, true)
		for _, tk := range a.ticks {
			if tk.At != math.Round(tk.At) {
				t.Errorf("integer axis over %v: tick %s", vs, tk.Label)
			}
		}
	}
	l := logAxis([]float64{0.1, 1000})
	checkTicks(t, "log", l, true)
	if got := l.ticks[0].Label + " " + l.ticks[len(l.ticks)-1].Label; got != "0.1 1k" {
		t.Errorf("log ticks from %s, want 0.1 1k", got)
	}
}

// TestTrialsPlotTellsStatusesApart: one legend word per status (the
// engine's), every trial's marker has its id, network and metrics on hover,
// and a failed trial's reason.
func TestTrialsPlotTellsStatusesApart(t *testing.T) {
	out := fixture()
	svg := TrialsPlot(out).SVG()
	for _, word := range []string{">trained<", ">cached<", ">pruned<", ">failed<", ">Pareto front<", ">latency_ms &lt;= 8<"} {
		if !strings.Contains(svg, word) {
			t.Errorf("legend lacks %s", word)
		}
	}
	if strings.Contains(svg, "never trained)<") {
		t.Error("a legend entry says pruned and failed alike")
	}
	for _, tr := range out.Trials {
		want := fmt.Sprintf("<title>trial %d: %s", tr.ID, engine.StatusLabel(&tr))
		if !strings.Contains(svg, want) {
			t.Errorf("no hover text %q", want)
		}
	}
	if !strings.Contains(svg, "failed: train evaluator: training diverged") {
		t.Error("the failed trial's reason is not in its hover text")
	}
	if n := strings.Count(TrialsPlot(threeObjectives()).SVG(), `<path d='M`); n == 0 {
		t.Error("3-objective plot draws nothing")
	}
	if dec := DecisionsPlot(out, nil).SVG(); !strings.Contains(dec, ">pruned<") || !strings.Contains(dec, ">failed<") {
		t.Error("the decisions plot does not tell pruned from failed")
	}
	if f := TrialsPlot(threeObjectives()); len(f.Charts) != 3 {
		t.Errorf("3 objectives: %d panels, want 3 projections", len(f.Charts))
	}
}

// TestPNG: a figure renders as a PNG of the scene's size (at 2x), and
// WritePlot refuses other formats by name.
func TestPNG(t *testing.T) {
	var b bytes.Buffer
	if err := WritePlot(&b, fixture(), "png"); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	s := TrialsPlot(fixture()).layout()
	if got, want := img.Bounds().Dx(), int(math.Round(s.w*2)); got < want-2 || got > want+2 {
		t.Errorf("PNG %d wide, want %d", got, want)
	}
	if err := WritePlot(&b, fixture(), "gif"); err == nil || !strings.Contains(err.Error(), `"gif"`) {
		t.Fatalf("err = %v", err)
	}
}

// TestHTMLShowsWhyATrialFailed: a failed trial's row shows its reason as
// text (not only on hover), told apart from a pruned trial's, whose reason
// is on its status's hover.
func TestHTMLShowsWhyATrialFailed(t *testing.T) {
	out := fixture()
	out.Trials[3].Error = "dataset <x>: no such file"
	var b bytes.Buffer
	if err := WriteHTML(&b, out, out.Trials); err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(b.String(), "<tr")
	failed, pruned := rows[5], rows[3] // header row, then trials 0, 1, 2, 3
	if !strings.Contains(failed, ">failed<") || !strings.Contains(failed, `class="hwnas-error"`) || !strings.Contains(failed, "error: dataset &lt;x&gt;: no such file</div>") {
		t.Errorf("failed row does not show the reason:\n%s", failed)
	}
	if !strings.Contains(pruned, `title="latency_ms = 75.26 breaks latency_ms &lt;= 8">pruned<`) || strings.Contains(pruned, "hwnas-error") {
		t.Errorf("pruned row:\n%s", pruned)
	}
}
