package report

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/vgimg"
)

// The PNG writer rasterises the same scene as the SVG writer with gonum's
// image canvas (1 pixel of the scene = 1 point, at 144 dpi) and the
// Liberation Sans font gonum/plot ships.
var pngFont = font.Font{Typeface: plot.DefaultFont.Typeface, Variant: "Sans"}

// writePNG writes s as a PNG image.
func writePNG(w io.Writer, s *scene) error {
	c := vgimg.NewWith(vgimg.UseWH(vg.Length(s.w), vg.Length(s.h)), vgimg.UseDPI(144), vgimg.UseBackgroundColor(color.White))
	flip := func(p pt) vg.Point { return vg.Point{X: vg.Length(p.x), Y: vg.Length(s.h - p.y)} }
	for _, it := range s.items {
		switch it.kind {
		case pathItem:
			pngPath(c, it, flip)
		case markerItem:
			pngMarker(c, it, flip)
		case textItem:
			pngText(c, it, flip)
		}
	}
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(w); err != nil {
		return fmt.Errorf("writing the PNG: %w", err)
	}
	return nil
}

// rgba reads a "#rrggbb" colour; opacity 0 is opaque.
func rgba(hex string, opacity float64) color.Color {
	v, err := strconv.ParseUint(hex[min(1, len(hex)):], 16, 32)
	if err != nil || len(hex) != 7 {
		v = 0
	}
	a := 1.0
	if opacity > 0 {
		a = opacity
	}
	// premultiplied alpha, as color.RGBA wants
	return color.RGBA{uint8(float64(v>>16&255) * a), uint8(float64(v>>8&255) * a), uint8(float64(v&255) * a), uint8(255 * a)}
}

func pngPath(c *vgimg.Canvas, it item, flip func(pt) vg.Point) {
	var p vg.Path
	for i, q := range it.pts {
		if i == 0 || slices.Contains(it.breaks, i) {
			p.Move(flip(q))
		} else {
			p.Line(flip(q))
		}
	}
	if it.closed {
		p.Close()
	}
	if it.fill != "" {
		c.SetColor(rgba(it.fill, it.opacity))
		c.Fill(p)
	}
	if it.stroke != "" {
		c.SetLineWidth(vg.Length(it.width))
		c.SetLineDash(nil, 0)
		if it.dash {
			c.SetLineDash([]vg.Length{6, 4}, 0)
		}
		c.SetColor(rgba(it.stroke, 0))
		c.Stroke(p)
	}
}

func pngMarker(c *vgimg.Canvas, it item, flip func(pt) vg.Point) {
	c.SetLineDash(nil, 0)
	col := rgba(it.stroke, it.opacity)
	var p vg.Path
	switch it.marker {
	case "circle", "ring":
		ctr := flip(it.pts[0])
		p.Move(vg.Point{X: ctr.X + vg.Length(it.r), Y: ctr.Y})
		p.Arc(ctr, vg.Length(it.r), 0, 2*math.Pi)
		p.Close()
		if it.marker == "circle" {
			c.SetColor(rgba(it.stroke, 0.8*cmpOrF(it.opacity, 1)))
			c.Fill(p)
		}
		c.SetLineWidth(1.5)
		c.SetColor(col)
		c.Stroke(p)
		return
	}
	pts := markerPath(it.marker, it.pts[0], it.r)
	cross := it.marker == "cross" || it.marker == "x"
	for i, q := range pts {
		if i == 0 || (cross && i%2 == 0) {
			p.Move(flip(q))
		} else {
			p.Line(flip(q))
		}
	}
	c.SetColor(col)
	c.SetLineWidth(2)
	if !cross {
		p.Close()
		c.Fill(p)
	}
	c.Stroke(p)
}

func pngText(c *vgimg.Canvas, it item, flip func(pt) vg.Point) {
	fnt := pngFont
	if it.bold {
		fnt.Weight = 700
	}
	face := font.DefaultCache.Lookup(fnt, vg.Length(it.size))
	w := face.Width(it.text)
	shift := map[string]vg.Length{"middle": w / 2, "end": w}[it.anchor]
	c.SetColor(color.Black)
	at := flip(it.pts[0])
	if !it.rotate {
		c.FillString(face, vg.Point{X: at.X - shift, Y: at.Y}, it.text)
		return
	}
	c.Push()
	c.Translate(at)
	c.Rotate(math.Pi / 2)
	c.FillString(face, vg.Point{X: -shift}, it.text)
	c.Pop()
}
