package dsl

import (
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/hwnas/hwnas/fpga"
)

// Check resolves and checks parsed files, in order (a file's imports must
// come before it; Load arranges that), and returns the typed Spec. All errors
// are returned together, sorted, as an ErrorList.
func Check(files ...*File) (*Spec, error) {
	c := newChecker(files)
	c.run()
	if err := c.errs.err(); err != nil {
		return nil, err
	}
	return c.spec, nil
}

// decl is a declaration with the file it comes from.
type decl struct {
	kind string // "platform", "pool", "space", "dataset", "evaluator", "experiment"
	name *Name
	d    *Decl
	file *File
}

type checker struct {
	errs  ErrorList
	srcs  map[string]string
	decls map[string]*decl
	order []*decl
	runs  []*RunDecl
	spec  *Spec
}

func newChecker(files []*File) *checker {
	c := &checker{srcs: map[string]string{}, decls: map[string]*decl{}, spec: &Spec{
		Platforms: map[string]*Platform{}, Pools: map[string]*Pool{}, Spaces: map[string]*Space{},
		Datasets: map[string]*Dataset{}, Evaluators: map[string]*Evaluator{}, Experiments: map[string]*Experiment{},
	}}
	for _, f := range files {
		c.srcs[f.Name] = f.Src
		for _, d := range f.Decls {
			c.declare(d, f)
		}
	}
	return c
}

// declare records one declaration; a later declaration of the same name
// replaces an earlier one only through a Session, so here it is an error.
func (c *checker) declare(d *Decl, f *File) {
	var kind string
	var name *Name
	switch {
	case d.Platform != nil:
		kind, name = "platform", d.Platform.Name
	case d.Pool != nil:
		kind, name = "pool", d.Pool.Name
	case d.Space != nil:
		kind, name = "space", d.Space.Name
	case d.Dataset != nil:
		kind, name = "dataset", d.Dataset.Name
	case d.Evaluator != nil:
		kind, name = "evaluator", d.Evaluator.Name
	case d.Experiment != nil:
		kind, name = "experiment", d.Experiment.Name
	case d.Run != nil:
		c.runs = append(c.runs, d.Run)
		return
	default:
		return // imports are resolved by the loader
	}
	if name == nil {
		return
	}
	if prev, ok := c.decls[name.Text]; ok {
		c.errorf(name.Pos, name.EndPos, "%s %s is already declared as a %s at %s", kind, name.Text, prev.kind, short(prev.name.Pos))
		return
	}
	e := &decl{kind: kind, name: name, d: d, file: f}
	c.decls[name.Text] = e
	c.order = append(c.order, e)
}

func short(p lexer.Position) string {
	return fmt.Sprintf("%s:%d:%d", p.Filename, p.Line, p.Column)
}

func (c *checker) run() {
	for _, kind := range []string{"platform", "pool", "space", "dataset", "evaluator", "experiment"} {
		for _, d := range c.order {
			if d.kind != kind {
				continue
			}
			switch kind {
			case "platform":
				if p := c.platform(d.d.Platform); p != nil {
					c.spec.Platforms[p.Name] = p
				}
			case "pool":
				if p := c.poolBody(d.d.Pool.Body); p != nil {
					p.Name, p.Pos = d.name.Text, d.name.Pos
					c.spec.Pools[p.Name] = p
				}
			case "space":
				if s := c.space(d.d.Space); s != nil {
					c.spec.Spaces[s.Name] = s
				}
			case "dataset":
				if ds := c.dataset(d.d.Dataset); ds != nil {
					c.spec.Datasets[ds.Name] = ds
				}
			case "evaluator":
				if ev := c.evaluator(d.d.Evaluator); ev != nil {
					c.spec.Evaluators[ev.Name] = ev
				}
			case "experiment":
				if e := c.experiment(d.d.Experiment, d.file); e != nil {
					c.spec.Experiments[e.Name] = e
					c.spec.Order = append(c.spec.Order, e.Name)
				}
			}
		}
	}
	for _, r := range c.runs {
		if d, ok := c.lookup(r.Name, "experiment"); ok {
			c.spec.Runs = append(c.spec.Runs, d.name.Text)
		}
	}
}

func (c *checker) errorf(pos, end lexer.Position, format string, args ...any) {
	c.errs.add(newError(c.srcs[pos.Filename], pos, end, format, args...))
}

func (c *checker) errAt(v *Value, format string, args ...any) {
	c.errorf(v.Pos, v.EndPos, format, args...)
}

// namesOf lists the declared names of a kind, for "did you mean".
func (c *checker) namesOf(kinds ...string) []string {
	var out []string
	for _, d := range c.order {
		for _, k := range kinds {
			if d.kind == k {
				out = append(out, d.name.Text)
			}
		}
	}
	return out
}

// lookup resolves a name to a declaration of one of kinds, reporting an
// unknown name (with a suggestion) or a name of the wrong kind.
func (c *checker) lookup(n *Name, kinds ...string) (*decl, bool) {
	d, ok := c.decls[n.Text]
	if !ok {
		if contains(kinds, "platform") {
			if p, err := fpga.Lookup(n.Text); err == nil {
				c.errorf(n.Pos, n.EndPos, "%s is not declared, but the catalog has %s: write it in quotes, %q", n.Text, p.Name, p.Name)
				return nil, false
			}
		}
		c.errorf(n.Pos, n.EndPos, "unknown %s %s%s", orList(kinds), n.Text, didYouMean(n.Text, c.namesOf(kinds...)))
		return nil, false
	}
	for _, k := range kinds {
		if d.kind == k {
			return d, true
		}
	}
	c.errorf(n.Pos, n.EndPos, "%s is a %s, not a %s", n.Text, d.kind, orList(kinds))
	return nil, false
}

func orList(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	s := xs[0]
	for _, x := range xs[1 : len(xs)-1] {
		s += ", " + x
	}
	return s + " or " + xs[len(xs)-1]
}

// ---- values ----

// describeValue names the kind of a value for error messages.
func describeValue(v *Value) string {
	switch {
	case v.Set != nil:
		return "a set"
	case v.Str != nil:
		return "a string"
	case v.Dims != nil:
		return "a shape"
	case v.Num != nil && v.Num.To != nil:
		return "a range"
	case v.Num != nil:
		return "a number"
	case v.Ref != nil && v.Ref.Call:
		return "a call " + v.Ref.Name + "(…)"
	case v.Ref != nil:
		return "the name " + v.Ref.Name
	}
	return "nothing"
}

// numText returns the value of a number literal.
func numValue(n *Num) (float64, error) {
	f, err := strconv.ParseFloat(n.Text, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, fmt.Errorf("number %s is out of range", n.Text)
	}
	if n.Neg {
		f = -f
	}
	return f, nil
}

// quantity reads a single number of dimension dim and converts it to the
// canonical unit. A count takes no unit; a fraction is written 0.92 or 92 %.
func (c *checker) quantity(v *Value, dim Dimension, what string) (float64, bool) {
	if v.Num == nil || v.Num.To != nil {
		c.errAt(v, "%s must be a %s, not %s", what, dimNoun(dim), describeValue(v))
		return 0, false
	}
	f, err := numValue(v.Num)
	if err != nil {
		c.errAt(v, "%s: %v", what, err)
		return 0, false
	}
	u := v.Num.Unit
	if u == "" {
		switch dim {
		case Count:
			return f, true
		case Fraction:
			if f < 0 || f > 1 {
				c.errAt(v, "%s %s is not a fraction: write %s %% or a number in [0, 1]", what, v.Num.Text, v.Num.Text)
				return 0, false
			}
			return f, true
		}
		c.errAt(v, "%s needs a unit of %s (%s)", what, dim, unitsOf[dim])
		return 0, false
	}
	un, ok := units[u]
	if !ok || un.dim != dim {
		if dim == Count {
			c.errAt(v, "%s is a plain number; %s is a unit of %s", what, u, un.dim)
		} else {
			c.errAt(v, "%s needs a unit of %s (%s); %s is a unit of %s", what, dim, unitsOf[dim], u, un.dim)
		}
		return 0, false
	}
	return f * un.factor, true
}

func dimNoun(d Dimension) string {
	if d == Count {
		return "number"
	}
	return string(d)
}

// integer reads a whole number without unit, at least lo.
func (c *checker) integer(v *Value, what string, lo int) (int, bool) {
	f, ok := c.quantity(v, Count, what)
	if !ok {
		return 0, false
	}
	if f != math.Trunc(f) || f < float64(lo) || f > 1e12 {
		c.errAt(v, "%s must be a whole number of at least %d, not %s", what, lo, numText(v.Num))
		return 0, false
	}
	return int(f), true
}

func numText(n *Num) string {
	s := n.Text
	if n.Neg {
		s = "-" + s
	}
	return s
}

// positive reads a number of dimension dim that must be above zero.
func (c *checker) positive(v *Value, dim Dimension, what string) (float64, bool) {
	f, ok := c.quantity(v, dim, what)
	if ok && f <= 0 {
		c.errAt(v, "%s must be positive", what)
		return 0, false
	}
	return f, ok
}

// name reads a bare identifier.
func (c *checker) name(v *Value, what string) (string, bool) {
	if v.Ref == nil || v.Ref.Call {
		c.errAt(v, "%s must be a name, not %s", what, describeValue(v))
		return "", false
	}
	return v.Ref.Name, true
}

// oneOf reads a bare identifier from a fixed list.
func (c *checker) oneOf(v *Value, what string, allowed []string) (string, bool) {
	s, ok := c.name(v, what)
	if !ok {
		return "", false
	}
	for _, a := range allowed {
		if a == s {
			return s, true
		}
	}
	c.errAt(v, "unknown %s %s%s; want %s", what, s, didYouMean(s, allowed), orList(allowed))
	return "", false
}

func (c *checker) boolean(v *Value, what string) (bool, bool) {
	s, ok := c.oneOf(v, what, []string{"true", "false"})
	return s == "true", ok
}

func (c *checker) str(v *Value, what string) (string, bool) {
	if v.Str == nil {
		c.errAt(v, "%s must be a string in quotes, not %s", what, describeValue(v))
		return "", false
	}
	return *v.Str, true
}

// ints reads the values of a field: `= n` gives one value, `in {a, b}` or
// `in lo..hi [step s]` a set.
func (c *checker) ints(f *Field, lo int) ([]int, bool) {
	v, what := f.Value, f.Key.Text
	if f.Op == "=" {
		if v.Set != nil || (v.Num != nil && v.Num.To != nil) {
			c.errAt(v, "%s = takes one value; write %s in … for a choice", what, what)
			return nil, false
		}
		n, ok := c.integer(v, what, lo)
		return []int{n}, ok
	}
	switch {
	case v.Set != nil:
		if len(v.Set.Elems) == 0 {
			c.errAt(v, "%s in {}: the set is empty", what)
			return nil, false
		}
		var out []int
		seen := map[int]bool{}
		ok := true
		for _, e := range v.Set.Elems {
			n, k := c.integer(e, what, lo)
			if !k {
				ok = false
				continue
			}
			if seen[n] {
				c.errAt(e, "%s: %d appears twice in the set", what, n)
				ok = false
			}
			seen[n] = true
			out = append(out, n)
		}
		return out, ok
	case v.Num != nil && v.Num.To != nil:
		return c.intRange(v, what, lo)
	}
	c.errAt(v, "%s in takes a set {…} or a range lo..hi, not %s; write %s = … for one value", what, describeValue(v), what)
	return nil, false
}

// intRange reads lo..hi [step s].
func (c *checker) intRange(v *Value, what string, min int) ([]int, bool) {
	lo, ok1 := c.integer(&Value{Pos: v.Pos, EndPos: v.EndPos, Num: &Num{Neg: v.Num.Neg, Text: v.Num.Text, Unit: v.Num.Unit}}, what, min)
	hi, ok2 := c.integer(&Value{Pos: v.Num.To.Pos, EndPos: v.Num.To.EndPos, Num: &Num{Neg: v.Num.To.Neg, Text: v.Num.To.Text, Unit: v.Num.To.Unit}}, what, min)
	if !ok1 || !ok2 {
		return nil, false
	}
	if v.Num.To.To != nil {
		c.errAt(v, "%s: a range has one .., as in 2..8", what)
		return nil, false
	}
	step := 1
	if s := v.Num.Step; s != nil {
		st, ok := c.integer(&Value{Pos: s.Pos, EndPos: s.EndPos, Num: s}, what+" step", 1)
		if !ok {
			return nil, false
		}
		step = st
	}
	if lo > hi {
		c.errAt(v, "%s: range %d..%d is empty (lo > hi)", what, lo, hi)
		return nil, false
	}
	if (hi-lo)/step >= 4096 {
		c.errAt(v, "%s: range %d..%d step %d has more than 4096 values", what, lo, hi, step)
		return nil, false
	}
	var out []int
	for x := lo; x <= hi; x += step {
		out = append(out, x)
	}
	return out, true
}

// fieldSet checks the keys of a braced block against the allowed keys and
// returns the fields by key, reporting duplicates and unknown keys.
func (c *checker) fieldSet(fs *Fields, what string, allowed []string) map[string]*Field {
	out := map[string]*Field{}
	if fs == nil {
		return out
	}
	for _, f := range fs.Items {
		k := f.Key.Text
		if !contains(allowed, k) {
			if len(allowed) == 0 {
				c.errorf(f.Key.Pos, f.Key.EndPos, "%s has no setting %s", what, k)
			} else {
				c.errorf(f.Key.Pos, f.Key.EndPos, "%s has no setting %s%s; it takes %s", what, k, didYouMean(k, allowed), orList(allowed))
			}
			continue
		}
		if prev, ok := out[k]; ok {
			c.errorf(f.Key.Pos, f.Key.EndPos, "%s is set twice in %s (first at line %d)", k, what, prev.Pos.Line)
			continue
		}
		if f.Op == "in" && !inFields[k] {
			c.errorf(f.Pos, f.EndPos, "%s takes one value: write %s = …", k, k)
			continue
		}
		out[k] = f
	}
	return out
}

// inFields are the settings written `key in {…}`: choices of a search.
var inFields = map[string]bool{"kernel": true, "filters": true, "stride": true, "units": true,
	"ops": true, "precision": true, "devices": true}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
