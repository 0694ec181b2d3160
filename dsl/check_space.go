package dsl

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/arch/nb201"
	"github.com/hwnas/hwnas/dsl/syntax"
)

// MaxLayerSize bounds a layer's filters, units, kernel or stride: a typo's
// extra zeros must not allocate gigabytes.
const MaxLayerSize = 1 << 16

// Benchmarks are the named benchmark spaces `benchmark("…")` resolves.
var Benchmarks = map[string]func() arch.Space{
	"nasbench201": func() arch.Space { return nb201.Space{} },
}

func (c *checker) space(d *syntax.SpaceDecl) *Space {
	s := &Space{Name: d.Name.Text, Pos: d.Name.Pos}
	if d.Is != nil {
		v := d.Is
		if v.Ref == nil || !v.Ref.Call || v.Ref.Name != "benchmark" || len(v.Ref.Args) != 1 || v.Ref.Args[0].Str == nil {
			c.errAt(v, "space %s = … takes benchmark(\"name\"), e.g. benchmark(\"nasbench201\"); write space %s { … } to describe a space", s.Name, s.Name)
			return nil
		}
		name := *v.Ref.Args[0].Str
		mk, ok := Benchmarks[name]
		if !ok {
			c.errAt(v.Ref.Args[0], "unknown benchmark %q%s; known: %s", name, didYouMean(name, slices.Sorted(maps.Keys(Benchmarks))), strings.Join(slices.Sorted(maps.Keys(Benchmarks)), ", "))
			return nil
		}
		s.Benchmark, s.Space = name, mk()
		return s
	}
	isCell := false
	for _, it := range d.Items {
		if it.Cell != nil {
			isCell = true
		}
	}
	var sp arch.Space
	var err error
	if isCell {
		cs := c.cellSpace(d)
		if cs == nil {
			return nil
		}
		sp, err = cs, cs.Validate()
	} else {
		cs := c.chainSpace(d)
		if cs == nil {
			return nil
		}
		sp, err = cs, cs.Validate()
	}
	if err != nil {
		c.errorf(d.Name.Pos, d.Name.EndPos, "%v", err)
		return nil
	}
	s.Space = sp
	return s
}

// input reads `input HxWxC`.
func (c *checker) input(v *syntax.Value) (arch.Shape, bool) {
	if v.Dims == nil {
		c.errAt(v, "input takes a shape such as 28x28x1 (height x width x channels), not %s", describeValue(v))
		return arch.Shape{}, false
	}
	parts := strings.Split(*v.Dims, "x")
	if len(parts) != 3 {
		c.errAt(v, "input %s needs three sizes: height x width x channels, e.g. %sx1", *v.Dims, *v.Dims)
		return arch.Shape{}, false
	}
	var dims [3]int
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 1<<16 {
			c.errAt(v, "input %s: every size must be between 1 and 65536", *v.Dims)
			return arch.Shape{}, false
		}
		dims[i] = n
	}
	return arch.Shape{H: dims[0], W: dims[1], C: dims[2]}, true
}

// head reads `head gap, dense(10)`.
func (c *checker) head(vals []*syntax.Value) ([]arch.HeadLayer, bool) {
	var out []arch.HeadLayer
	ok := true
	for _, v := range vals {
		if v.Ref == nil {
			c.errAt(v, "a head layer is gap, flatten or dense(units), not %s", describeValue(v))
			ok = false
			continue
		}
		switch v.Ref.Name {
		case "gap", "flatten":
			if v.Ref.Call {
				c.errAt(v, "%s takes no arguments", v.Ref.Name)
				ok = false
			}
			out = append(out, arch.HeadLayer{Kind: v.Ref.Name})
		case "dense":
			if !v.Ref.Call || len(v.Ref.Args) != 1 {
				c.errAt(v, "dense in a head takes its units: dense(10)")
				ok = false
				continue
			}
			n, k := c.integer(v.Ref.Args[0], "dense units", 1)
			if k && n > MaxLayerSize {
				c.errAt(v.Ref.Args[0], "dense units %d is more than the limit of %d", n, MaxLayerSize)
				k = false
			}
			ok = ok && k
			out = append(out, arch.HeadLayer{Kind: "dense", Units: n})
		default:
			c.errAt(v, "unknown head layer %s%s; want gap, flatten or dense(units)", v.Ref.Name, didYouMean(v.Ref.Name, []string{"gap", "flatten", "dense"}))
			ok = false
		}
	}
	if ok && (len(out) == 0 || out[len(out)-1].Kind != "dense") {
		c.errorf(vals[0].Pos, vals[len(vals)-1].EndPos, "the head must end in dense(classes)")
		ok = false
	}
	return out, ok
}

func layerKinds() []string { return slices.Sorted(maps.Keys(arch.LayerKinds)) }

// layer checks one layer spec: `conv { kernel in {3, 5}  filters = 16 }`.
func (c *checker) layer(l *syntax.LayerSpec) (arch.LayerAlt, bool) {
	kind := l.Kind.Text
	params, known := arch.LayerKinds[kind]
	if !known {
		c.errorf(l.Kind.Pos, l.Kind.EndPos, "unknown layer type %s%s; want %s", kind, didYouMean(kind, layerKinds()), orList(layerKinds()))
		return arch.LayerAlt{}, false
	}
	if l.Set != nil {
		c.errorf(l.Pos, l.EndPos, "%s is a layer; give its parameters in braces: %s { … }", kind, kind)
		return arch.LayerAlt{}, false
	}
	alt := arch.LayerAlt{Kind: kind}
	if l.Body == nil {
		if kind == "conv" || kind == "dense" {
			need := map[string]string{"conv": "filters", "dense": "units"}[kind]
			c.errorf(l.Pos, l.EndPos, "%s needs %s, e.g. %s { %s = 16 }", kind, need, kind, need)
			return alt, false
		}
		return alt, true
	}
	what := kind
	if len(params) == 0 {
		what = kind + " (which takes no parameters)"
	}
	fs := c.fieldSet(&syntax.Fields{Items: l.Body.Items}, what, params)
	ok := true
	for _, f := range l.Body.Items {
		if fs[f.Key.Text] != f {
			ok = false
			continue
		}
		vals, k := c.ints(f, 1)
		for _, n := range vals {
			if n > MaxLayerSize {
				c.errAt(f.Value, "%s %d is more than the limit of %d", f.Key.Text, n, MaxLayerSize)
				k = false
				break
			}
		}
		ok = ok && k
		alt.Params = append(alt.Params, arch.Param{Name: f.Key.Text, Values: vals})
	}
	if ok && (kind == "conv" || kind == "dense") {
		need := map[string]string{"conv": "filters", "dense": "units"}[kind]
		if fs[need] == nil {
			c.errorf(l.Pos, l.EndPos, "%s needs %s", kind, need)
			ok = false
		}
	}
	return alt, ok
}

// chainSpace checks a space of layer chains.
func (c *checker) chainSpace(d *syntax.SpaceDecl) *arch.ChainSpace {
	s := &arch.ChainSpace{SpaceName: d.Name.Text}
	ok, haveInput, haveHead := true, false, false
	var loose *arch.ChainBlock // consecutive layers outside a repeat
	flush := func() {
		if loose != nil {
			s.Blocks = append(s.Blocks, *loose)
			loose = nil
		}
	}
	for _, it := range d.Items {
		switch {
		case it.Input != nil:
			if haveInput {
				c.errorf(it.Pos, it.EndPos, "input is given twice")
				ok = false
			}
			var k bool
			s.Input, k = c.input(it.Input)
			ok, haveInput = ok && k, true
		case it.Head != nil:
			if haveHead {
				c.errorf(it.Pos, it.EndPos, "head is given twice")
				ok = false
			}
			var k bool
			s.Head, k = c.head(it.Head)
			ok, haveHead = ok && k, true
		case it.Repeat != nil:
			flush()
			b, k := c.repeat(it.Repeat)
			ok = ok && k
			s.Blocks = append(s.Blocks, b)
		case it.Layer != nil && it.Layer.Set != nil && arch.LayerKinds[it.Layer.Kind.Text] == nil:
			switch it.Layer.Kind.Text {
			case "batchnorm":
				var k bool
				s.BatchNorm, k = c.boolean(it.Layer.Set, "batchnorm")
				ok = ok && k
			default:
				c.errorf(it.Layer.Kind.Pos, it.Layer.Kind.EndPos, "a space has no setting %s%s; it takes batchnorm", it.Layer.Kind.Text, didYouMean(it.Layer.Kind.Text, []string{"batchnorm"}))
				ok = false
			}
		case it.Layer != nil || it.Optional != nil || it.Choice != nil:
			l, k := c.slot(it)
			ok = ok && k
			if loose == nil {
				loose = &arch.ChainBlock{MinRepeat: 1, MaxRepeat: 1}
			}
			loose.Layers = append(loose.Layers, l)
		case it.Cell != nil:
			// not reached: a space with a cell is a cell space
		}
	}
	flush()
	if !haveInput {
		c.errorf(d.Name.Pos, d.Name.EndPos, "space %s needs an input shape: input 28x28x1", d.Name.Text)
		ok = false
	}
	if !haveHead {
		c.errorf(d.Name.Pos, d.Name.EndPos, "space %s needs a head, e.g. head gap, dense(10)", d.Name.Text)
		ok = false
	}
	if ok && len(s.Blocks) == 0 {
		c.errorf(d.Name.Pos, d.Name.EndPos, "space %s has no layers", d.Name.Text)
		ok = false
	}
	if !ok {
		return nil
	}
	return s
}

// slot checks a layer, an optional layer or a choice of layer types.
func (c *checker) slot(it *syntax.SpaceItem) (arch.ChainLayer, bool) {
	switch {
	case it.Optional != nil:
		a, ok := c.layer(it.Optional)
		return arch.ChainLayer{Optional: true, Alts: []arch.LayerAlt{a}}, ok
	case it.Choice != nil:
		var l arch.ChainLayer
		ok := true
		seen := map[string]bool{}
		for _, a := range it.Choice.Alts {
			alt, k := c.layer(a)
			if k && seen[alt.Kind] {
				c.errorf(a.Pos, a.EndPos, "%s appears twice in the choice", alt.Kind)
				k = false
			}
			seen[alt.Kind] = true
			ok = ok && k
			l.Alts = append(l.Alts, alt)
		}
		if len(it.Choice.Alts) < 2 {
			c.errorf(it.Pos, it.EndPos, "a choice needs at least two layer types")
			ok = false
		}
		return l, ok
	}
	a, ok := c.layer(it.Layer)
	return arch.ChainLayer{Alts: []arch.LayerAlt{a}}, ok
}

// repeat checks `repeat N|LO..HI [shared] { layers }`.
func (c *checker) repeat(r *syntax.Repeat) (arch.ChainBlock, bool) {
	b := arch.ChainBlock{Shared: r.Shared}
	ok := true
	if r.Count.Num != nil && r.Count.Num.To != nil {
		if r.Count.Num.Step != nil {
			c.errAt(r.Count, "a repeat range takes no step")
			ok = false
		} else if vals, k := c.intRange(r.Count, "repeat", 1); k {
			b.MinRepeat, b.MaxRepeat = vals[0], vals[len(vals)-1]
			if b.MaxRepeat > 64 {
				c.errAt(r.Count, "repeat at most 64 times, not %d", b.MaxRepeat)
				ok = false
			}
		} else {
			ok = false
		}
	} else if n, k := c.integer(r.Count, "repeat", 1); k {
		b.MinRepeat, b.MaxRepeat = n, n
		if n > 64 {
			c.errAt(r.Count, "repeat at most 64 times, not %d", n)
			ok = false
		}
	} else {
		ok = false
	}
	for _, it := range r.Items {
		switch {
		case it.Layer != nil && it.Layer.Set == nil, it.Optional != nil, it.Choice != nil:
			l, k := c.slot(it)
			ok = ok && k
			b.Layers = append(b.Layers, l)
		case it.Repeat != nil:
			c.errorf(it.Pos, it.Repeat.Count.EndPos, "repeat blocks cannot nest; write the inner layers out or use one repeat")
			ok = false
		default:
			c.errorf(it.Pos, it.EndPos, "a repeat holds layers only (conv, dwconv, maxpool, avgpool, skip, dense, optional, choice)")
			ok = false
		}
	}
	if len(r.Items) == 0 {
		c.errorf(r.Pos, r.EndPos, "the repeat has no layers")
		ok = false
	}
	return b, ok
}
