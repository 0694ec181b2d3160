package report

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"sort"

	"github.com/hwnas/hwnas/engine"

	"github.com/hwnas/hwnas/metric"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// PlotAxes picks the plot's axes: y is the first objective; x is the second
// objective, else the metric of the first constraint, else latency_ms, or
// macs when no trial has a latency (an experiment without hardware).
func PlotAxes(out *engine.Outcome) (x, y string) {
	y = metric.Accuracy
	if len(out.Objectives) > 0 {
		y = out.Objectives[0].Metric
	}
	switch {
	case len(out.Objectives) > 1:
		x = out.Objectives[1].Metric
	case len(out.Constraints) > 0 && out.Constraints[0].Metric != y:
		x = out.Constraints[0].Metric
	case !measured(out, metric.LatencyMs) && measured(out, metric.MACs):
		x = metric.MACs
	default:
		x = metric.LatencyMs
	}
	return x, y
}

// measured reports whether any trial of out has the metric.
func measured(out *engine.Outcome, metric string) bool {
	return slices.ContainsFunc(out.Trials, func(t engine.Trial) bool { _, ok := t.Metrics[metric]; return ok })
}

// Plot draws every trial of out on the axes x and y: feasible trials as
// dots, the Pareto front as a line through its points, infeasible trials as
// rings and pruned trials (never trained, so without accuracy) as crosses at
// the bottom of the plot; a constraint on x is drawn as a dashed line.
// WritePlot draws the legend right of the axes, outside the data.
func Plot(out *engine.Outcome, x, y string) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: %d trials, %d on the Pareto front", out.Experiment, len(out.Trials), len(out.Pareto))
	p.X.Label.Text = metric.Label(x)
	p.Y.Label.Text = metric.Label(y)
	p.Add(plotter.NewGrid())
	p.Legend.TextStyle.Font.Size, p.Legend.Padding = vg.Points(9), vg.Points(2)

	pts := plotPoints(out, x, y)
	for _, s := range []struct {
		pts   plotter.XYs
		name  string
		shape draw.GlyphDrawer
		color color.Color
	}{
		{pts.pruned, "pruned (never trained)", draw.CrossGlyph{}, color.RGBA{200, 60, 60, 255}},
		{pts.infeasible, "infeasible", draw.RingGlyph{}, plotGrey},
		{pts.feasible, "feasible", draw.CircleGlyph{}, color.RGBA{40, 90, 200, 255}},
	} {
		if err := addScatter(p, s.pts, s.name, s.shape, s.color); err != nil {
			return nil, err
		}
	}
	if err := addFront(p, pts.front); err != nil {
		return nil, err
	}
	for _, c := range out.Constraints {
		if c.Metric != x {
			continue
		}
		if err := addLimit(p, c); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// plotGrey draws infeasible trials and constraint lines.
var plotGrey = color.RGBA{150, 150, 150, 255}

// points are the trials of a plot, by how they are drawn; the front's
// points are among the feasible ones too.
type points struct {
	feasible, infeasible, pruned, front plotter.XYs
}

// plotPoints sorts the trials of out that have x into points; pruned trials
// (and any without y) lie at the lowest y measured.
func plotPoints(out *engine.Outcome, x, y string) points {
	var pts points
	minY := 0.0
	first := true
	for _, t := range out.Trials {
		xv, okx := t.Metrics[x]
		yv, oky := t.Metrics[y]
		if oky && (first || yv < minY) {
			minY, first = yv, false
		}
		switch {
		case !okx:
			continue
		case t.Status == "pruned" || !oky:
			pts.pruned = append(pts.pruned, plotter.XY{X: xv})
		case slices.Contains(out.Pareto, t.ID):
			pts.front = append(pts.front, plotter.XY{X: xv, Y: yv})
			pts.feasible = append(pts.feasible, plotter.XY{X: xv, Y: yv})
		case t.Feasible:
			pts.feasible = append(pts.feasible, plotter.XY{X: xv, Y: yv})
		default:
			pts.infeasible = append(pts.infeasible, plotter.XY{X: xv, Y: yv})
		}
	}
	for i := range pts.pruned {
		pts.pruned[i].Y = minY // below every measured trial: FNAS records A = 0
	}
	return pts
}

// addScatter draws pts, if any, as glyphs of shape and colour c, named name
// in the legend.
func addScatter(p *plot.Plot, pts plotter.XYs, name string, shape draw.GlyphDrawer, c color.Color) error {
	if len(pts) == 0 {
		return nil
	}
	s, err := plotter.NewScatter(pts)
	if err != nil {
		return fmt.Errorf("plot %s: %w", name, err)
	}
	s.GlyphStyle.Shape, s.GlyphStyle.Color, s.GlyphStyle.Radius = shape, c, vg.Points(3)
	p.Add(s)
	p.Legend.Add(name, s)
	return nil
}

// addFront draws the Pareto front, if any, as a line through its points.
func addFront(p *plot.Plot, front plotter.XYs) error {
	if len(front) == 0 {
		return nil
	}
	sort.Slice(front, func(i, j int) bool { return front[i].X < front[j].X })
	l, err := plotter.NewLine(front)
	if err != nil {
		return fmt.Errorf("plot front: %w", err)
	}
	l.LineStyle.Width, l.LineStyle.Color = vg.Points(1.5), color.RGBA{230, 120, 0, 255}
	p.Add(l)
	p.Legend.Add("Pareto front", l)
	return nil
}

// addLimit draws the constraint c on the x axis as a dashed vertical line
// over the y range plotted so far.
func addLimit(p *plot.Plot, c engine.Constraint) error {
	lo, hi := p.Y.Min, p.Y.Max
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) || lo > hi {
		lo, hi = 0, 1 // nothing measured yet
	}
	l, err := plotter.NewLine(plotter.XYs{{X: c.Value, Y: lo}, {X: c.Value, Y: hi}})
	if err != nil {
		return fmt.Errorf("plot constraint: %w", err)
	}
	l.LineStyle.Dashes, l.LineStyle.Color = []vg.Length{vg.Points(4), vg.Points(3)}, plotGrey
	p.Add(l)
	p.Legend.Add(c.String(), l)
	return nil
}

// WritePlot renders out's plot (axes from PlotAxes) as "svg" or "png".
func WritePlot(w io.Writer, out *engine.Outcome, format string) error {
	if format != "svg" && format != "png" {
		return fmt.Errorf("plot format %q: want svg or png", format)
	}
	x, y := PlotAxes(out)
	p, err := Plot(out, x, y)
	if err != nil {
		return err
	}
	c, err := draw.NewFormattedCanvas(plotWidth, plotHeight, format)
	if err != nil {
		return fmt.Errorf("rendering the plot: %w", err)
	}
	drawPlot(p, draw.New(c))
	_, err = c.WriteTo(w)
	return err
}

// The size of a written plot: 6 x 4 inches of axes and data, and the legend
// right of them.
const plotWidth, plotHeight = 7 * vg.Inch, 4 * vg.Inch

// legendGap separates the legend from the axes and the picture's edge.
const legendGap = 6 * vg.Millimeter / 2

// plotArea is the part of c the title, axes and data take: all of it but a
// strip on the right as wide as the legend.
func plotArea(p *plot.Plot, c draw.Canvas) draw.Canvas {
	r := p.Legend.Rectangle(c)
	if w := r.Max.X - r.Min.X; w > 0 {
		return draw.Crop(c, 0, -(w + 2*legendGap), 0, 0)
	}
	return c
}

// drawPlot draws p on c with its legend outside the data, in a column right
// of the plot whose top is level with the data's, so that no point, front
// or constraint line is ever hidden under it.
func drawPlot(p *plot.Plot, c draw.Canvas) {
	area := plotArea(p, c)
	leg := p.Legend
	p.Legend = plot.NewLegend() // empty: Draw puts nothing over the data
	p.Draw(area)
	p.Legend = leg
	top := p.DataCanvas(area).Max.Y
	leg.Top, leg.Left = true, true
	leg.Draw(draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
		Min: vg.Point{X: area.Max.X + legendGap, Y: c.Min.Y},
		Max: vg.Point{X: c.Max.X - legendGap, Y: top},
	}})
}
