package report

import (
	"fmt"
	"io"
	"strings"
)

// A Chart is one panel of a figure: series of points on two axes, with
// rules (constraint lines) and notes. The experiment plots (TrialsPlot,
// ParetoPlot, BestSoFarPlot, HypervolumePlot, DecisionsPlot) return
// figures of charts; NewChart and its methods draw a reader's own data.
type Chart struct {
	Title, XLabel, YLabel string
	LogX, LogY            bool // logarithmic axes: non-positive values are left out
	// IntegerX says x values are counts (trials): ticks at whole numbers.
	IntegerX bool
	Series   []*Series
	Rules    []Rule
	Notes    []Note
	// XTicks, when set, replaces the x axis's round-valued ticks (named
	// categories); HideYTicks draws the y axis without ticks.
	XTicks     []Tick
	HideYTicks bool
	// YMin and YMax, when YMin < YMax, fix the y axis's range (with the
	// usual 5% margin) instead of fitting it to the data: accuracy from 0
	// to 1, say.
	YMin, YMax float64
}

// A Series is a named set of points. It is drawn as markers (Marker), a
// line through the points in order (Line; a NaN breaks it), or both; Lo
// and Hi, when set, add a band between them at each X. Titles are the
// per-point hover texts (an SVG <title>). Series without a Name stay out of
// the legend.
type Series struct {
	Name   string
	X, Y   []float64
	Lo, Hi []float64
	Titles []string
	Color  string  // CSS colour, "" for the next one of the palette
	Marker string  // "circle", "ring", "square", "triangle", "cross", "x", or "" for none
	Line   bool    // draw a line through the points
	Dash   bool    // dashed line
	Width  float64 // line width in pixels (default 2)
	Size   float64 // marker radius in pixels (default 4)
	Faint  bool    // drawn light, under the others
}

// A Rule is a horizontal or vertical line across a chart at a value, such
// as a constraint's limit.
type Rule struct {
	Vertical bool // at X = At; else at Y = At
	At       float64
	Label    string // legend text
	Color    string
	Dash     bool
}

// A Note is a text at a point of the data's coordinates.
type Note struct {
	X, Y   float64
	Text   string
	Anchor string // "start", "middle" or "end"
	Below  bool   // under the point rather than above it
}

// A Tick is a labelled position on an axis.
type Tick struct {
	At    float64
	Label string
}

// A Figure is one picture: charts in a grid sharing one legend, right of
// them, and a caption under them.
type Figure struct {
	Title   string
	Charts  []*Chart
	Columns int    // charts per row (default: all in one row, at most 3)
	Caption string // a line under the charts
	// Width and Height of each chart in pixels; 0 for the default (520×360
	// alone, 330×280 in a grid).
	Width, Height float64
}

// palette colours series without a colour, in order (the Tableau 10
// colours, the default of matplotlib and many NAS papers' plots).
var palette = []string{"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"}

// NewChart returns an empty chart with a title and axis labels.
func NewChart(title, xlabel, ylabel string) *Chart {
	return &Chart{Title: title, XLabel: xlabel, YLabel: ylabel}
}

// Scatter adds the points (x[i], y[i]) as markers and returns the series,
// whose fields (Color, Marker, Titles…) can still be changed.
func (c *Chart) Scatter(name string, x, y []float64) *Series {
	return c.add(&Series{Name: name, X: x, Y: y, Marker: "circle"})
}

// Line adds the points (x[i], y[i]) as a line, in order.
func (c *Chart) Line(name string, x, y []float64) *Series {
	return c.add(&Series{Name: name, X: x, Y: y, Line: true})
}

// Band adds a line through y with a shaded band from lo to hi at each x
// (a mean with its spread over seeds, say).
func (c *Chart) Band(name string, x, y, lo, hi []float64) *Series {
	return c.add(&Series{Name: name, X: x, Y: y, Lo: lo, Hi: hi, Line: true})
}

// VLine adds a dashed vertical line at x (a limit on the x metric).
func (c *Chart) VLine(x float64, label string) {
	c.Rules = append(c.Rules, Rule{Vertical: true, At: x, Label: label, Dash: true})
}

// HLine adds a dashed horizontal line at y.
func (c *Chart) HLine(y float64, label string) {
	c.Rules = append(c.Rules, Rule{At: y, Label: label, Dash: true})
}

// add appends s, giving it the next palette colour when it has none.
func (c *Chart) add(s *Series) *Series {
	if s.Color == "" {
		n := 0
		for _, o := range c.Series {
			if o.Name != "" {
				n++
			}
		}
		s.Color = palette[n%len(palette)]
	}
	c.Series = append(c.Series, s)
	return s
}

// Figure wraps the chart as a one-panel figure.
func (c *Chart) Figure() *Figure { return &Figure{Charts: []*Chart{c}} }

// SVG renders the chart alone as an SVG document.
func (c *Chart) SVG() string { return c.Figure().SVG() }

// SVG renders the figure as an SVG document.
func (f *Figure) SVG() string {
	var b strings.Builder
	writeSVG(&b, f.layout())
	return b.String()
}

// Write renders the figure as "svg" or "png" to w.
func (f *Figure) Write(w io.Writer, format string) error {
	switch format {
	case "svg":
		_, err := io.WriteString(w, f.SVG())
		return err
	case "png":
		return writePNG(w, f.layout())
	}
	return fmt.Errorf("plot format %q: want svg or png", format)
}
