package dsl

// The goal of an experiment: metrics, hard constraints, rewards, the
// strategy and the budget.

import (
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/hwnas/hwnas/dsl/syntax"
	"github.com/hwnas/hwnas/fpga"
	"github.com/hwnas/hwnas/fpga/lut"
	"github.com/hwnas/hwnas/metric"
	"github.com/hwnas/hwnas/search"
)

// metric reads a metric name: one of the table's or one the spec declares.
func (c *checker) metric(v *syntax.Value) (metric.Metric, bool) {
	s, ok := c.name(v, "metric")
	if !ok {
		return metric.Metric{}, false
	}
	if m, ok := metric.ByName(s); ok {
		return m, true
	}
	if d, ok := c.spec.Metrics[s]; ok {
		return d.declaredMetric(), true
	}
	if d, ok := c.decls[s]; ok && d.kind == "metric" {
		return metric.Metric{}, false // its declaration has reported its error
	}
	names := append(metric.Names(), slices.Sorted(maps.Keys(c.spec.Metrics))...)
	c.errAt(v, "unknown metric %s%s; metrics are %s (or declare it: metric %s { unit = ms })", s, didYouMean(s, names), strings.Join(names, ", "), s)
	return metric.Metric{}, false
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
// or `reward fnas { target = 8 ms }`; it returns nil for an unknown kind.
func (c *checker) reward(b *syntax.Block, hasHW bool) *Reward {
	kind := b.Kind.Text
	if !slices.Contains(RewardKinds, kind) {
		c.errorf(b.Kind.Pos, b.Kind.EndPos, "unknown reward %s%s; want %s", kind, didYouMean(kind, RewardKinds), orList(RewardKinds))
		return nil
	}
	keys := []string{"metric", "target", "below", "above"}
	if kind == "fnas" {
		keys = []string{"target"}
	}
	fs := c.fieldSet(b.Body, "reward "+kind, keys)
	// MnasNet's soft form, α = β = −0.07 (Tan et al., CVPR 2019, §3).
	r := &Reward{Kind: kind, Metric: "latency", Below: -0.07, Above: -0.07}
	m, _ := metric.ByName("latency")
	if f := fs["metric"]; f != nil {
		var ok bool
		if m, ok = c.metric(f.Value); ok && (m.Dim == metric.Fraction || m.Dim == metric.Count && !m.HW) {
			c.errAt(f.Value, "the reward scales accuracy by a cost such as latency or energy, not %s", m.Name)
		}
		r.Metric = m.Name
	}
	if f := fs["target"]; f != nil {
		r.Target, _ = c.positive(f.Value, m.Dim, "target")
	} else {
		c.errorf(b.Pos, b.EndPos, "reward %s needs a target, e.g. target = 8 ms", kind)
	}
	if f := fs["below"]; f != nil {
		r.Below = c.exponent(f.Value, "below")
	}
	if f := fs["above"]; f != nil {
		r.Above = c.exponent(f.Value, "above")
	}
	if m.HW && !hasHW {
		c.errorf(b.Pos, b.EndPos, "the reward reads %s, which is measured on an FPGA; give the hardware: platform = NAME", m.Name)
	}
	return r
}

// exponent reads an exponent of MnasNet's reward, in [-10, 10].
func (c *checker) exponent(v *syntax.Value, what string) float64 {
	w, ok := c.quantity(v, metric.Count, what)
	if ok && (w < -10 || w > 10) {
		c.errAt(v, "%s is an exponent in [-10, 10]", what)
	}
	return w
}

// strategy checks `strategy KIND { param = value … }` against the search
// registry; a differentiable kind may sweep one parameter, `name in {…}`.
func (c *checker) strategy(e *Experiment, b *syntax.Block) {
	kind := b.Kind.Text
	info, ok := search.Kind(kind)
	if !ok {
		var names []string
		for _, k := range search.Kinds() {
			names = append(names, k.Name)
		}
		c.errorf(b.Kind.Pos, b.Kind.EndPos, "unknown strategy %s%s; strategies are %s", kind, didYouMean(kind, names), strings.Join(names, ", "))
		return
	}
	e.Strategy.Kind = kind
	var names []string
	for _, p := range info.Params {
		names = append(names, p.Name)
	}
	what := "strategy " + kind
	if len(names) == 0 {
		what += " (which takes no parameters)"
	}
	body := b.Body
	if info.Differentiable {
		body = c.sweep(e, info, b.Body)
	}
	fs := c.fieldSet(body, what, names)
	for _, p := range info.Params {
		if f := fs[p.Name]; f != nil {
			if x, ok := c.strategyParam(p, f.Value); ok {
				e.Strategy.Params[p.Name] = x
			}
		}
	}
	if !info.Multi && !info.Pareto && len(e.Objectives) > 1 && e.Reward == nil {
		c.errorf(b.Kind.Pos, b.Kind.EndPos, "strategy %s optimises one objective but the experiment has %d; add a reward, or use a multi-objective strategy (nsga2, bananas, random, grid)", kind, len(e.Objectives))
	}
	if info.Differentiable {
		c.differentiable(e, b)
	}
}

// sweep reads the one parameter of a differentiable strategy written
// `name in {v1, v2, …}` and returns the other fields.
func (c *checker) sweep(e *Experiment, info search.KindInfo, body *syntax.Fields) *syntax.Fields {
	if body == nil {
		return nil
	}
	rest := &syntax.Fields{Pos: body.Pos, EndPos: body.EndPos}
	for _, f := range body.Items {
		p, known := info.Param(f.Key.Text)
		if f.Op != "in" || !known {
			rest.Items = append(rest.Items, f)
			continue
		}
		switch {
		case p.Choices != nil || p.Integer:
			c.errorf(f.Pos, f.EndPos, "%s cannot be swept: a sweep takes a real-valued parameter such as target or beta", p.Name)
		case e.Strategy.Sweep != nil:
			c.errorf(f.Pos, f.EndPos, "strategy %s sweeps one parameter, and %s is already swept", info.Name, e.Strategy.Sweep.Param)
		case f.Value.Set == nil || len(f.Value.Set.Elems) == 0:
			c.errAt(f.Value, "a sweep is a set of values: %s in {v1, v2, …}", p.Name)
		default:
			sw := &Sweep{Param: p.Name}
			for _, v := range f.Value.Set.Elems {
				if x, ok := c.strategyParam(p, v); ok {
					sw.Values = append(sw.Values, x)
				}
			}
			e.Strategy.Sweep = sw
		}
	}
	return rest
}

// strategyParam checks one parameter's value: a word among its choices, a
// duration, or a number in its range.
func (c *checker) strategyParam(p search.Param, v *syntax.Value) (float64, bool) {
	if p.Choices != nil {
		w := refText(v)
		if i := slices.Index(p.Choices, w); i >= 0 {
			return float64(i), true
		}
		c.errAt(v, "%s is %s, not %s", p.Name, orList(p.Choices), describeValue(v))
		return 0, false
	}
	dim := metric.Count
	if p.Time {
		dim = metric.Time
	}
	x, ok := c.quantity(v, dim, p.Name)
	switch {
	case !ok:
	case x < p.Min || x > p.Max:
		c.errAt(v, "%s must lie in [%g, %g]", p.Name, p.Min, p.Max)
	case p.Integer && x != math.Trunc(x):
		c.errAt(v, "%s must be a whole number", p.Name)
	default:
		return x, true
	}
	return 0, false
}

// latencyTable checks that the latency table of e's space on its platform
// can be built and searched: a chain space of fixed depth whose candidates
// at a position give one shape, without shared blocks.
func (c *checker) latencyTable(e *Experiment, kind *syntax.Name) {
	t, err := lut.Build(e.Space.Space, e.Platform.Device, fpga.Options{Precision: e.Platform.Precision})
	if err != nil {
		c.errorf(kind.Pos, kind.EndPos, "strategy %s searches against a latency table: %v", kind.Text, strings.TrimPrefix(err.Error(), "lut: "))
		return
	}
	for _, p := range t.Positions {
		if strings.Contains(p.Name, ".") {
			c.errorf(kind.Pos, kind.EndPos, "strategy %s does not search shared blocks (position %s): write repeat without shared", kind.Text, p.Name)
			return
		}
	}
}

// differentiable checks what fbnet and proxyless need of the experiment: a
// supernet evaluator (its data and batch-norm settings), one platform (the
// latency table), and for proxyless a latency target.
func (c *checker) differentiable(e *Experiment, b *syntax.Block) {
	kind, k := b.Kind, b.Kind.Text
	if e.Evaluator != nil && e.Evaluator.Kind != "supernet" {
		c.errorf(kind.Pos, kind.EndPos, "strategy %s trains a supernet with its architecture: it needs a supernet evaluator (evaluator NAME supernet { bn_batches = 10 }), not %s", k, e.Evaluator.Kind)
	}
	if e.Platform == nil {
		c.errorf(kind.Pos, kind.EndPos, "strategy %s reads a latency table, built for one platform: give platform = NAME (not a pool or a hardware search)", k)
	} else if e.Space != nil && e.Space.Space != nil {
		c.latencyTable(e, kind)
	}
	var fields []*syntax.Field
	if b.Body != nil {
		fields = b.Body.Items
	}
	field := func(key string) *syntax.Field {
		if i := slices.IndexFunc(fields, func(f *syntax.Field) bool { return f.Key.Text == key }); i >= 0 {
			return fields[i]
		}
		return nil
	}
	limited := slices.ContainsFunc(e.Constraints, func(c Constraint) bool { return c.Metric == "latency" && (c.Op == "<=" || c.Op == "<") })
	if k == "proxyless" && !limited && field("target") == nil {
		c.errorf(kind.Pos, kind.EndPos, "strategy proxyless needs a latency target: require latency <= … or target = … ms")
	}
	d := field("derive")
	if k == "fbnet" && !limited && d != nil && refText(d.Value) == "within_target" {
		c.errAt(d.Value, "derive = within_target needs a latency target, which fbnet takes from require latency <= …: this experiment has none")
	}
	if f := field("fill"); f != nil && (d == nil || refText(d.Value) != "within_target") {
		c.errAt(f.Value, "fill is the least share of the latency target a child derived within it takes: it needs derive = within_target")
	}
}

// budget checks `budget 60 trials`, `budget 2 h` or both.
func (c *checker) budget(e *Experiment, it *syntax.ExpItem) {
	seenTrials, seenTime := false, false
	for _, a := range it.Budget {
		v := &syntax.Value{Pos: a.Pos, EndPos: a.EndPos, Num: &syntax.Num{Text: a.Num}}
		if a.Unit == "trials" || a.Unit == "trial" {
			n, ok := c.integer(v, "trials", 1)
			if ok && seenTrials {
				c.errorf(a.Pos, a.EndPos, "the trial budget is given twice")
			}
			seenTrials, e.Trials = true, n
			continue
		}
		v.Num.Unit = a.Unit
		t, ok := c.positive(v, metric.Time, "time budget")
		if ok && seenTime {
			c.errorf(a.Pos, a.EndPos, "the time budget is given twice")
		}
		seenTime, e.TimeMs = true, t
	}
}

func andList(xs []string) string {
	if len(xs) == 1 {
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}
