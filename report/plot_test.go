package report

import (
	"testing"

	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"
)

// TestLegendOutsideTheData: every legend label is drawn right of the data
// area (so no point or line is hidden under it) and inside the picture.
func TestLegendOutsideTheData(t *testing.T) {
	out := fixture()
	x, y := PlotAxes(out)
	p, err := Plot(out, x, y)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder.Canvas{}
	w, h := plotWidth, plotHeight
	dc := draw.NewCanvas(rec, w, h)
	drawPlot(p, dc)
	data := p.DataCanvas(plotArea(p, dc))

	labels := map[string]bool{"pruned (never trained)": false, "infeasible": false, "feasible": false, "Pareto front": false, "latency_ms <= 8": false}
	for _, a := range rec.Actions {
		s, ok := a.(*recorder.FillString)
		if !ok {
			continue
		}
		if _, isLabel := labels[s.String]; !isLabel {
			continue
		}
		labels[s.String] = true
		if s.Point.X < data.Max.X {
			t.Errorf("legend label %q at x=%v is inside the data area (right edge %v)", s.String, s.Point.X, data.Max.X)
		}
		if s.Point.X < 0 || s.Point.X >= w || s.Point.Y < 0 || s.Point.Y >= h {
			t.Errorf("legend label %q at %v is outside the %vx%v picture", s.String, s.Point, w, h)
		}
	}
	for l, seen := range labels {
		if !seen && l != "infeasible" { // the fixture has no infeasible trial
			t.Errorf("legend label %q not drawn", l)
		}
	}
	if data.Max.X-data.Min.X < w/2 {
		t.Errorf("data area %v wide of %v: the legend takes too much", data.Max.X-data.Min.X, w)
	}
}
