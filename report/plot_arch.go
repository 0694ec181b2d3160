package report

import (
	"fmt"
	"slices"

	"github.com/hwnas/hwnas/engine"
)

// ProbabilitiesPlot draws how a differentiable search's architecture
// distribution evolved (engine.Outcome.ArchHistory, name its experiment):
// a panel per searched position with p = softmax(θ) of each candidate
// against epochs, one colour per candidate name in every panel, and a last
// panel of the expected latency from the table, with the target if there
// is one. A sweep's searches follow one another, their panels titled by
// value. A dotted rule marks the end of the warm-up (weights only, p
// uniform); a point's hover text has its epoch's figures (loss, τ).
func ProbabilitiesPlot(name string, h []engine.ArchEpoch) *Figure {
	if len(h) == 0 {
		f := NewChart("no epochs", "epoch", "probability").Figure()
		f.Title = name + ": no differentiable search stored"
		return f
	}
	colors := candidateColors(h)
	var charts []*Chart
	for _, run := range sweepRuns(h) {
		for i, p := range run[0].Positions {
			charts = append(charts, positionChart(run, i, p.Name, colors))
		}
		charts = append(charts, latencyChart(run))
	}
	f := &Figure{Title: name + ": architecture probabilities per epoch", Charts: charts, Columns: min(len(charts), 3), Width: 300, Height: 230}
	f.Caption = "p = softmax(θ) of each candidate after each epoch; the children are derived from the last epoch's: with derive = argmax each position's most likely candidate, with within_target the most likely child within the target"
	return f
}

// sweepRuns splits h into its searches: runs of one sweep value whose
// epochs count up.
func sweepRuns(h []engine.ArchEpoch) [][]engine.ArchEpoch {
	var out [][]engine.ArchEpoch
	start := 0
	for i := 1; i <= len(h); i++ {
		if i == len(h) || h[i].Sweep != h[i-1].Sweep || h[i].Epoch <= h[i-1].Epoch {
			out = append(out, h[start:i])
			start = i
		}
	}
	return out
}

// candidateColors gives every candidate name of h a palette colour, in
// order of first appearance; past the palette's ten the colours repeat,
// and runSeries dashes the repeats.
func candidateColors(h []engine.ArchEpoch) map[string]int {
	out := map[string]int{}
	for _, ae := range h {
		for _, p := range ae.Positions {
			for _, c := range p.Candidates {
				if _, ok := out[c]; !ok {
					out[c] = len(out)
				}
			}
		}
	}
	return out
}

// runTitle is a panel's title: what it shows, and the sweep value.
func runTitle(what string, ae engine.ArchEpoch) string {
	if ae.Sweep != "" {
		return what + " (" + ae.Sweep + ")"
	}
	return what
}

// positionChart is the panel of position i over the epochs of run.
func positionChart(run []engine.ArchEpoch, i int, pos string, colors map[string]int) *Chart {
	c := NewChart(runTitle(pos, run[0]), "epoch", "probability")
	c.IntegerX, c.YMin, c.YMax = true, 0, 1
	var cands []string
	for _, ae := range run {
		if i < len(ae.Positions) {
			for _, cand := range ae.Positions[i].Candidates {
				if !slices.Contains(cands, cand) {
					cands = append(cands, cand)
				}
			}
		}
	}
	for _, cand := range cands {
		k := colors[cand]
		s := &Series{Name: cand, Color: palette[k%len(palette)], Line: true, Dash: k/len(palette)%2 == 1, Width: 1.5}
		for _, ae := range run {
			if i >= len(ae.Positions) {
				continue
			}
			p := ae.Positions[i]
			if j := slices.Index(p.Candidates, cand); j >= 0 && j < len(p.Probs) {
				s.X, s.Y = append(s.X, float64(ae.Epoch)), append(s.Y, p.Probs[j])
				s.Titles = append(s.Titles, fmt.Sprintf("%s, epoch %d: %s %.1f%%", pos, ae.Epoch, cand, 100*p.Probs[j]))
			}
		}
		markEpochs(s, len(run))
		c.Series = append(c.Series, s)
	}
	warmupRule(c, run)
	return c
}

// markEpochs gives a short run's line a small marker at every epoch.
func markEpochs(s *Series, epochs int) {
	if epochs <= 20 {
		s.Marker, s.Size = "circle", 2.5
	}
}

// warmupRule marks the end of run's warm-up, if it had one.
func warmupRule(c *Chart, run []engine.ArchEpoch) {
	last := 0
	for _, ae := range run {
		if ae.Warmup {
			last = ae.Epoch
		}
	}
	if last > 0 {
		c.Rules = append(c.Rules, Rule{Vertical: true, At: float64(last) + 0.5, Label: "end of warm-up", Color: "#999999", Dash: true})
	}
}

// latencyChart is the panel of the expected latency over run's epochs,
// with the target; its hover texts have each epoch's loss and τ.
func latencyChart(run []engine.ArchEpoch) *Chart {
	c := NewChart(runTitle("expected latency", run[0]), "epoch", "E[latency] (ms)")
	c.IntegerX = true
	s := &Series{Name: "E[latency] = Σ p·LAT", Color: "#333333", Line: true}
	for _, ae := range run {
		s.X, s.Y = append(s.X, float64(ae.Epoch)), append(s.Y, ae.LatencyMs)
		t := fmt.Sprintf("epoch %d: E[latency] %.4g ms", ae.Epoch, ae.LatencyMs)
		if ae.Warmup {
			t += fmt.Sprintf(", warm-up, CE %.4f", ae.WeightCE)
		} else {
			t += fmt.Sprintf(", loss %.4f (CE %.4f)", ae.Loss, ae.CE)
		}
		if ae.Temperature > 0 {
			t += fmt.Sprintf(", τ %.3g", ae.Temperature)
		}
		s.Titles = append(s.Titles, t)
	}
	markEpochs(s, len(run))
	c.Series = append(c.Series, s)
	if t := run[0].TargetMs; t > 0 {
		c.Rules = append(c.Rules, Rule{At: t, Label: "latency target", Color: "#d62728", Dash: true})
	}
	warmupRule(c, run)
	return c
}
