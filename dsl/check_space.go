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
	n := len(c.errs)
	var out []arch.HeadLayer
	for _, v := range vals {
		if l, ok := c.headLayer(v); ok {
			out = append(out, l)
		}
	}
	if len(c.errs) == n && (len(out) == 0 || out[len(out)-1].Kind != "dense") {
		c.errorf(vals[0].Pos, vals[len(vals)-1].EndPos, "the head must end in dense(classes)")
	}
	return out, len(c.errs) == n
}

// headLayer reads gap, flatten or dense(units); ok is false when there is
// no layer to add.
func (c *checker) headLayer(v *syntax.Value) (arch.HeadLayer, bool) {
	if v.Ref == nil {
		c.errAt(v, "a head layer is gap, flatten or dense(units), not %s", describeValue(v))
		return arch.HeadLayer{}, false
	}
	switch v.Ref.Name {
	case "gap", "flatten":
		if v.Ref.Call {
			c.errAt(v, "%s takes no arguments", v.Ref.Name)
		}
		return arch.HeadLayer{Kind: v.Ref.Name}, true
	case "dense":
		if !v.Ref.Call || len(v.Ref.Args) != 1 {
			c.errAt(v, "dense in a head takes its units: dense(10)")
			return arch.HeadLayer{}, false
		}
		n, ok := c.integer(v.Ref.Args[0], "dense units", 1)
		if ok && n > MaxLayerSize {
			c.errAt(v.Ref.Args[0], "dense units %d is more than the limit of %d", n, MaxLayerSize)
		}
		return arch.HeadLayer{Kind: "dense", Units: n}, true
	}
	c.errAt(v, "unknown head layer %s%s; want gap, flatten or dense(units)", v.Ref.Name, didYouMean(v.Ref.Name, []string{"gap", "flatten", "dense"}))
	return arch.HeadLayer{}, false
}

func layerKinds() []string { return slices.Sorted(maps.Keys(arch.LayerKinds)) }

// needs names the parameter a layer kind cannot do without.
var needs = map[string]string{"conv": "filters", "dense": "units", "mbconv": "filters"}

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
	need := needs[kind]
	if l.Body == nil {
		if need != "" {
			c.errorf(l.Pos, l.EndPos, "%s needs %s, e.g. %s { %s = 16 }", kind, need, kind, need)
			return alt, false
		}
		return alt, true
	}
	what := kind
	if len(params) == 0 {
		what = kind + " (which takes no parameters)"
	}
	n := len(c.errs) // a layer with an unknown parameter is not valid
	fs := c.fieldSet(&syntax.Fields{Items: l.Body.Items}, what, params)
	for _, f := range l.Body.Items {
		if fs[f.Key.Text] == f {
			alt.Params = append(alt.Params, arch.Param{Name: f.Key.Text, Values: c.layerParam(f)})
		}
	}
	if len(c.errs) == n && need != "" && fs[need] == nil {
		c.errorf(l.Pos, l.EndPos, "%s needs %s", kind, need)
	}
	return alt, len(c.errs) == n
}

// layerParam reads the values of one layer parameter.
func (c *checker) layerParam(f *syntax.Field) []int {
	vals, _ := c.ints(f, 1)
	if i := slices.IndexFunc(vals, func(n int) bool { return n > MaxLayerSize }); i >= 0 {
		c.errAt(f.Value, "%s %d is more than the limit of %d", f.Key.Text, vals[i], MaxLayerSize)
	}
	return vals
}

// chainSpace checks a space of layer chains.
func (c *checker) chainSpace(d *syntax.SpaceDecl) *arch.ChainSpace {
	n := len(c.errs)
	s := &arch.ChainSpace{SpaceName: d.Name.Text}
	var input, head *syntax.SpaceItem
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
			c.once(it, &input, "input")
			s.Input, _ = c.input(it.Input)
		case it.Head != nil:
			c.once(it, &head, "head")
			s.Head, _ = c.head(it.Head)
		case it.Repeat != nil:
			flush()
			b, _ := c.repeat(it.Repeat)
			s.Blocks = append(s.Blocks, b)
		case it.Layer != nil && it.Layer.Set != nil && arch.LayerKinds[it.Layer.Kind.Text] == nil:
			c.chainSetting(s, it.Layer)
		case it.Layer != nil || it.Optional != nil || it.Choice != nil:
			l, _ := c.slot(it)
			if loose == nil {
				loose = &arch.ChainBlock{MinRepeat: 1, MaxRepeat: 1}
			}
			loose.Layers = append(loose.Layers, l)
		case it.Cell != nil:
			// not reached: a space with a cell is a cell space
		}
	}
	flush()
	if input == nil {
		c.errorf(d.Name.Pos, d.Name.EndPos, "space %s needs an input shape: input 28x28x1", d.Name.Text)
	}
	if head == nil {
		c.errorf(d.Name.Pos, d.Name.EndPos, "space %s needs a head, e.g. head gap, dense(10)", d.Name.Text)
	}
	if len(c.errs) == n && len(s.Blocks) == 0 {
		c.errorf(d.Name.Pos, d.Name.EndPos, "space %s has no layers", d.Name.Text)
	}
	if len(c.errs) > n {
		return nil
	}
	return s
}

// once records the first item of a kind and reports any later one.
func (c *checker) once(it *syntax.SpaceItem, first **syntax.SpaceItem, what string) {
	if *first != nil {
		c.errorf(it.Pos, it.EndPos, "%s is given twice", what)
		return
	}
	*first = it
}

// chainSetting reads a setting of a chain space: `batchnorm = true`.
func (c *checker) chainSetting(s *arch.ChainSpace, l *syntax.LayerSpec) {
	if l.Kind.Text != "batchnorm" {
		c.errorf(l.Kind.Pos, l.Kind.EndPos, "a space has no setting %s%s; it takes batchnorm", l.Kind.Text, didYouMean(l.Kind.Text, []string{"batchnorm"}))
		return
	}
	s.BatchNorm, _ = c.boolean(l.Set, "batchnorm")
}

// slot checks a layer, an optional layer or a choice of layer types.
func (c *checker) slot(it *syntax.SpaceItem) (arch.ChainLayer, bool) {
	switch {
	case it.Optional != nil:
		a, ok := c.layer(it.Optional)
		return arch.ChainLayer{Optional: true, Alts: []arch.LayerAlt{a}}, ok
	case it.Choice != nil:
		n := len(c.errs)
		var l arch.ChainLayer
		seen := map[string]bool{}
		for _, a := range it.Choice.Alts {
			alt, ok := c.layer(a)
			if ok && seen[alt.Kind] {
				c.errorf(a.Pos, a.EndPos, "%s appears twice in the choice", alt.Kind)
			}
			seen[alt.Kind] = true
			l.Alts = append(l.Alts, alt)
		}
		if len(it.Choice.Alts) < 2 {
			c.errorf(it.Pos, it.EndPos, "a choice needs at least two layer types")
		}
		return l, len(c.errs) == n
	}
	a, ok := c.layer(it.Layer)
	return arch.ChainLayer{Alts: []arch.LayerAlt{a}}, ok
}

// repeat checks `repeat N|LO..HI [shared] { layers }`.
func (c *checker) repeat(r *syntax.Repeat) (arch.ChainBlock, bool) {
	n := len(c.errs)
	b := arch.ChainBlock{Shared: r.Shared}
	b.MinRepeat, b.MaxRepeat = c.repeatCount(r.Count)
	for _, it := range r.Items {
		switch {
		case it.Layer != nil && it.Layer.Set == nil, it.Optional != nil, it.Choice != nil:
			l, _ := c.slot(it)
			b.Layers = append(b.Layers, l)
		case it.Repeat != nil:
			c.errorf(it.Pos, it.Repeat.Count.EndPos, "repeat blocks cannot nest; write the inner layers out or use one repeat")
		default:
			c.errorf(it.Pos, it.EndPos, "a repeat holds layers only (conv, dwconv, mbconv, maxpool, avgpool, skip, dense, optional, choice)")
		}
	}
	if len(r.Items) == 0 {
		c.errorf(r.Pos, r.EndPos, "the repeat has no layers")
	}
	return b, len(c.errs) == n
}

// repeatCount reads the N or LO..HI of a repeat, at most 64.
func (c *checker) repeatCount(v *syntax.Value) (lo, hi int) {
	if v.Num != nil && v.Num.To != nil {
		if v.Num.Step != nil {
			c.errAt(v, "a repeat range takes no step")
			return 0, 0
		}
		vals, ok := c.intRange(v, "repeat", 1)
		if !ok {
			return 0, 0
		}
		lo, hi = vals[0], vals[len(vals)-1]
	} else if n, ok := c.integer(v, "repeat", 1); ok {
		lo, hi = n, n
	}
	if hi > 64 {
		c.errAt(v, "repeat at most 64 times, not %d", hi)
	}
	return lo, hi
}
