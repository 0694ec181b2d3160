package dsl

// The checker's readers of values: quantities with units, whole numbers,
// names, strings, sets and ranges, and the settings of braced blocks.

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/hwnas/hwnas/dsl/syntax"
	"github.com/hwnas/hwnas/metric"
)

// describeValue names the kind of a value for error messages.
func describeValue(v *syntax.Value) string {
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

// numValue returns the value of a number literal.
func numValue(n *syntax.Num) (float64, error) {
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
func (c *checker) quantity(v *syntax.Value, dim metric.Dimension, what string) (float64, bool) {
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
		case metric.Count:
			return f, true
		case metric.Fraction:
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
		if dim == metric.Count {
			c.errAt(v, "%s is a plain number; %s is a unit of %s", what, u, un.dim)
		} else {
			c.errAt(v, "%s needs a unit of %s (%s); %s is a unit of %s", what, dim, unitsOf[dim], u, un.dim)
		}
		return 0, false
	}
	return f * un.factor, true
}

func dimNoun(d metric.Dimension) string {
	if d == metric.Count {
		return "number"
	}
	return string(d)
}

// integer reads a whole number without unit, at least lo.
func (c *checker) integer(v *syntax.Value, what string, lo int) (int, bool) {
	f, ok := c.quantity(v, metric.Count, what)
	if !ok {
		return 0, false
	}
	if f != math.Trunc(f) || f < float64(lo) || f > 1e12 {
		c.errAt(v, "%s must be a whole number of at least %d, not %s", what, lo, numText(v.Num))
		return 0, false
	}
	return int(f), true
}

// numText returns a number literal as written, with its sign.
func numText(n *syntax.Num) string {
	s := n.Text
	if n.Neg {
		s = "-" + s
	}
	return s
}

// positive reads a number of dimension dim that must be above zero.
func (c *checker) positive(v *syntax.Value, dim metric.Dimension, what string) (float64, bool) {
	f, ok := c.quantity(v, dim, what)
	if ok && f <= 0 {
		c.errAt(v, "%s must be positive", what)
		return 0, false
	}
	return f, ok
}

// name reads a bare identifier.
func (c *checker) name(v *syntax.Value, what string) (string, bool) {
	if v.Ref == nil || v.Ref.Call {
		c.errAt(v, "%s must be a name, not %s", what, describeValue(v))
		return "", false
	}
	return v.Ref.Name, true
}

// oneOf reads a bare identifier from a fixed list.
func (c *checker) oneOf(v *syntax.Value, what string, allowed []string) (string, bool) {
	s, ok := c.name(v, what)
	if !ok {
		return "", false
	}
	if slices.Contains(allowed, s) {
		return s, true
	}
	c.errAt(v, "unknown %s %s%s; want %s", what, s, didYouMean(s, allowed), orList(allowed))
	return "", false
}

func (c *checker) boolean(v *syntax.Value, what string) (bool, bool) {
	s, ok := c.oneOf(v, what, []string{"true", "false"})
	return s == "true", ok
}

func (c *checker) str(v *syntax.Value, what string) (string, bool) {
	if v.Str == nil {
		c.errAt(v, "%s must be a string in quotes, not %s", what, describeValue(v))
		return "", false
	}
	return *v.Str, true
}

// ints reads the values of a field: `= n` gives one value, `in {a, b}` or
// `in lo..hi [step s]` a set.
func (c *checker) ints(f *syntax.Field, lo int) ([]int, bool) {
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
		return c.intSet(v, what, lo)
	case v.Num != nil && v.Num.To != nil:
		return c.intRange(v, what, lo)
	}
	c.errAt(v, "%s in takes a set {…} or a range lo..hi, not %s; write %s = … for one value", what, describeValue(v), what)
	return nil, false
}

// intSet reads the whole numbers of a set {a, b, …}, each at least lo and
// none twice.
func (c *checker) intSet(v *syntax.Value, what string, lo int) ([]int, bool) {
	if len(v.Set.Elems) == 0 {
		c.errAt(v, "%s in {}: the set is empty", what)
		return nil, false
	}
	n := len(c.errs)
	var out []int
	seen := map[int]bool{}
	for _, e := range v.Set.Elems {
		x, ok := c.integer(e, what, lo)
		if !ok {
			continue
		}
		if seen[x] {
			c.errAt(e, "%s: %d appears twice in the set", what, x)
		}
		seen[x] = true
		out = append(out, x)
	}
	return out, len(c.errs) == n
}

// intRange reads lo..hi [step s].
func (c *checker) intRange(v *syntax.Value, what string, min int) ([]int, bool) {
	lo, ok1 := c.integer(&syntax.Value{Pos: v.Pos, EndPos: v.EndPos, Num: &syntax.Num{Neg: v.Num.Neg, Text: v.Num.Text, Unit: v.Num.Unit}}, what, min)
	hi, ok2 := c.integer(&syntax.Value{Pos: v.Num.To.Pos, EndPos: v.Num.To.EndPos, Num: &syntax.Num{Neg: v.Num.To.Neg, Text: v.Num.To.Text, Unit: v.Num.To.Unit}}, what, min)
	if !ok1 || !ok2 {
		return nil, false
	}
	if v.Num.To.To != nil {
		c.errAt(v, "%s: a range has one .., as in 2..8", what)
		return nil, false
	}
	step := 1
	if s := v.Num.Step; s != nil {
		st, ok := c.integer(&syntax.Value{Pos: s.Pos, EndPos: s.EndPos, Num: s}, what+" step", 1)
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
func (c *checker) fieldSet(fs *syntax.Fields, what string, allowed []string) map[string]*syntax.Field {
	out := map[string]*syntax.Field{}
	if fs == nil {
		return out
	}
	for _, f := range fs.Items {
		k := f.Key.Text
		if !slices.Contains(allowed, k) {
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
var inFields = map[string]bool{"kernel": true, "filters": true, "stride": true, "units": true, "expand": true,
	"ops": true, "precision": true, "devices": true}
