package dsl

// The goal of an experiment: metrics, hard constraints, rewards, the
// strategy and the budget.

import (
	"math"
	"slices"
	"strings"

	"github.com/hwnas/hwnas/dsl/syntax"
	"github.com/hwnas/hwnas/metric"
	"github.com/hwnas/hwnas/search"
)

// metric reads a metric name.
func (c *checker) metric(v *syntax.Value) (metric.Metric, bool) {
	s, ok := c.name(v, "metric")
	if !ok {
		return metric.Metric{}, false
	}
	m, ok := metric.ByName(s)
	if !ok {
		c.errAt(v, "unknown metric %s%s; metrics are %s", s, didYouMean(s, metric.Names()), strings.Join(metric.Names(), ", "))
	}
	return m, ok
}

// require checks `require METRIC OP LIMIT` with the limit in the metric's dimension.
func (c *checker) require(r *syntax.Require) (Constraint, bool) {
	m, ok := c.metric(&syntax.Value{Pos: r.Metric.Pos, EndPos: r.Metric.EndPos, Ref: &syntax.Ref{Name: r.Metric.Text}})
	if !ok {
		return Constraint{}, false
	}
	limit, ok := c.quantity(r.Limit, m.Dim, m.Name+" limit")
	if !ok {
		return Constraint{}, false
	}
	if limit < 0 {
		c.errAt(r.Limit, "%s limit must not be negative", m.Name)
		return Constraint{}, false
	}
	return Constraint{Metric: m.Name, Op: r.Op, Limit: limit}, true
}

// reward checks `reward mnasnet { target = 8 ms  below = -0.07  above = -0.07 [metric = latency] }`
// or `reward fnas { target = 8 ms }`.
func (c *checker) reward(b *syntax.Block, hasHW bool) (*Reward, bool) {
	kind := b.Kind.Text
	if !slices.Contains(RewardKinds, kind) {
		c.errorf(b.Kind.Pos, b.Kind.EndPos, "unknown reward %s%s; want %s", kind, didYouMean(kind, RewardKinds), orList(RewardKinds))
		return nil, false
	}
	keys := []string{"metric", "target", "below", "above"}
	if kind == "fnas" {
		keys = []string{"target"}
	}
	fs := c.fieldSet(b.Body, "reward "+kind, keys)
	// MnasNet's soft form, α = β = −0.07 (Tan et al., CVPR 2019, §3).
	r := &Reward{Kind: kind, Metric: "latency", Below: -0.07, Above: -0.07}
	ok := true
	m, _ := metric.ByName("latency")
	if f := fs["metric"]; f != nil {
		var good bool
		m, good = c.metric(f.Value)
		if good && (m.Dim == metric.Fraction || m.Dim == metric.Count && !m.HW) {
			c.errAt(f.Value, "the reward scales accuracy by a cost such as latency or energy, not %s", m.Name)
			good = false
		}
		r.Metric, ok = m.Name, ok && good
	}
	if f := fs["target"]; f != nil {
		var good bool
		r.Target, good = c.positive(f.Value, m.Dim, "target")
		ok = ok && good
	} else {
		c.errorf(b.Pos, b.EndPos, "reward %s needs a target, e.g. target = 8 ms", kind)
		ok = false
	}
	for _, k := range []string{"below", "above"} {
		if f := fs[k]; f != nil {
			w, good := c.quantity(f.Value, metric.Count, k)
			if good && (w < -10 || w > 10) {
				c.errAt(f.Value, "%s is an exponent in [-10, 10]", k)
				good = false
			}
			if k == "below" {
				r.Below = w
			} else {
				r.Above = w
			}
			ok = ok && good
		}
	}
	if m.HW && !hasHW {
		c.errorf(b.Pos, b.EndPos, "the reward reads %s, which is measured on an FPGA; give the hardware: platform = NAME", m.Name)
		ok = false
	}
	return r, ok
}

// strategy checks `strategy KIND { param = value … }` against the search registry.
func (c *checker) strategy(e *Experiment, b *syntax.Block) bool {
	kind := b.Kind.Text
	info, ok := search.Kind(kind)
	if !ok {
		var names []string
		for _, k := range search.Kinds() {
			names = append(names, k.Name)
		}
		c.errorf(b.Kind.Pos, b.Kind.EndPos, "unknown strategy %s%s; strategies are %s", kind, didYouMean(kind, names), strings.Join(names, ", "))
		return false
	}
	n := len(c.errs)
	e.Strategy.Kind = kind
	var names []string
	for _, p := range info.Params {
		names = append(names, p.Name)
	}
	what := "strategy " + kind
	if len(names) == 0 {
		what += " (which takes no parameters)"
	}
	fs := c.fieldSet(b.Body, what, names)
	for _, p := range info.Params {
		if f := fs[p.Name]; f != nil {
			c.strategyParam(e, p, f.Value)
		}
	}
	if !info.Multi && len(e.Objectives) > 1 && e.Reward == nil {
		c.errorf(b.Kind.Pos, b.Kind.EndPos, "strategy %s optimises one objective but the experiment has %d; add a reward, or use a multi-objective strategy (nsga2, random, grid)", kind, len(e.Objectives))
	}
	return len(c.errs) == n
}

// strategyParam checks one parameter's value against its range.
func (c *checker) strategyParam(e *Experiment, p search.Param, v *syntax.Value) {
	x, ok := c.quantity(v, metric.Count, p.Name)
	switch {
	case !ok:
	case x < p.Min || x > p.Max:
		c.errAt(v, "%s must lie in [%g, %g]", p.Name, p.Min, p.Max)
	case p.Integer && x != math.Trunc(x):
		c.errAt(v, "%s must be a whole number", p.Name)
	default:
		e.Strategy.Params[p.Name] = x
	}
}

// budget checks `budget 60 trials`, `budget 2 h` or both.
func (c *checker) budget(e *Experiment, it *syntax.ExpItem) bool {
	ok := true
	seenT, seenTime := false, false
	for _, a := range it.Budget {
		v := &syntax.Value{Pos: a.Pos, EndPos: a.EndPos, Num: &syntax.Num{Text: a.Num}}
		if a.Unit == "trials" || a.Unit == "trial" {
			n, good := c.integer(v, "trials", 1)
			if good && seenT {
				c.errorf(a.Pos, a.EndPos, "the trial budget is given twice")
				good = false
			}
			seenT, e.Trials, ok = true, n, ok && good
			continue
		}
		v.Num.Unit = a.Unit
		t, good := c.positive(v, metric.Time, "time budget")
		if good && seenTime {
			c.errorf(a.Pos, a.EndPos, "the time budget is given twice")
			good = false
		}
		seenTime, e.TimeMs, ok = true, t, ok && good
	}
	return ok
}

func andList(xs []string) string {
	if len(xs) == 1 {
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}
