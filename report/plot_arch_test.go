package report

import (
	"strings"
	"testing"

	"github.com/hwnas/hwnas/engine"
)

// archHistory is a fixed proxyless search of two positions over four
// epochs, the first a warm-up, against a 0.3 ms target; with sweep, a second
// search follows under another target.
func archHistory(sweep bool) []engine.ArchEpoch {
	l2 := []string{"mbconv(expand=1 kernel=3)", "mbconv(expand=6 kernel=7)", "skip"}
	l3 := []string{"mbconv(expand=6 kernel=7)", "skip"}
	probs := [][2][]float64{
		{{1.0 / 3, 1.0 / 3, 1.0 / 3}, {0.5, 0.5}},
		{{0.40, 0.25, 0.35}, {0.45, 0.55}},
		{{0.52, 0.13, 0.35}, {0.30, 0.70}},
		{{0.61, 0.04, 0.35}, {0.12, 0.88}},
	}
	var h []engine.ArchEpoch
	for run, target := range []float64{0.3, 0.2}[:map[bool]int{false: 1, true: 2}[sweep]] {
		for i, p := range probs {
			ae := engine.ArchEpoch{Strategy: "proxyless", Epoch: i + 1, Epochs: len(probs), Warmup: i == 0, WeightCE: 2.1 - 0.2*float64(i),
				CE: 1.9 - 0.2*float64(i), Loss: 2 - 0.25*float64(i), LatencyMs: 0.42 - 0.06*float64(i) - 0.03*float64(run), TargetMs: target,
				Positions: []engine.ArchPosition{{Name: "layer2", Candidates: l2, Probs: p[0]}, {Name: "layer3", Candidates: l3, Probs: p[1]}}}
			if sweep {
				ae.Sweep = []string{"target=0.3", "target=0.2"}[run]
			}
			h = append(h, ae)
		}
	}
	return h
}

// TestProbabilitiesPlot: a panel per position and one of the expected
// latency, per search of a sweep; each candidate keeps its colour in every
// panel, and a point's hover text names its epoch and probability.
func TestProbabilitiesPlot(t *testing.T) {
	f := ProbabilitiesPlot("proxyless", archHistory(false))
	if len(f.Charts) != 3 || len(f.Charts[0].Series) != 3 || len(f.Charts[1].Series) != 2 {
		t.Fatalf("%d panels, want layer2 (3 lines), layer3 (2), expected latency", len(f.Charts))
	}
	if a, b := f.Charts[0].Series[1], f.Charts[1].Series[0]; a.Name != b.Name || a.Color != b.Color {
		t.Errorf("%s is %s in one panel and %s in the other", a.Name, a.Color, b.Color)
	}
	svg := f.SVG()
	for _, want := range []string{"<title>layer2, epoch 3: mbconv(expand=1 kernel=3) 52.0%</title>", ">end of warm-up<", ">latency target<", "loss 1.5000 (CE 1.5000)"} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	sw := ProbabilitiesPlot("proxyless", archHistory(true))
	if len(sw.Charts) != 6 || sw.Charts[3].Title != "layer2 (target=0.2)" {
		t.Errorf("sweep: %d panels, the fourth %q; want 6, the second search's layer2", len(sw.Charts), sw.Charts[3].Title)
	}
	if empty := ProbabilitiesPlot("fnas", nil); !strings.Contains(empty.SVG(), "fnas: no differentiable search stored") {
		t.Error("an outcome without a differentiable search does not say so")
	}
}
