package dsl

// Metrics a spec declares: `metric board_latency { unit = ms  goal = minimize }`.

import (
	"slices"
	"strings"

	"github.com/hwnas/hwnas/dsl/syntax"
	"github.com/hwnas/hwnas/metric"
)

// metricUnits are the units a declared metric may take: the canonical unit
// of each dimension (the evaluator reports values in it), count or fraction.
var metricUnits = []string{"ms", "mJ", "W", "fps", "MHz", "GB/s", "count", "fraction"}

// metricDecl checks `metric NAME { unit = U  goal = minimize|maximize }`.
func (c *checker) metricDecl(d *syntax.MetricDecl) *Metric {
	name := d.Name.Text
	if _, ok := metric.ByName(name); ok {
		c.errorf(d.Name.Pos, d.Name.EndPos, "metric %s is built in; declare only metrics the table lacks", name)
		return nil
	}
	if _, ok := metric.ByKey(name); ok {
		c.errorf(d.Name.Pos, d.Name.EndPos, "%s is the stored key of a built-in metric; pick another name", name)
		return nil
	}
	m := &Metric{Name: name, Dim: metric.Count, Pos: d.Name.Pos}
	fs := c.fieldSet(d.Body, "metric "+name, []string{"unit", "goal"})
	if f := fs["unit"]; f != nil {
		u := unitText(f.Value)
		switch {
		case u == "count":
		case u == "fraction":
			m.Dim = metric.Fraction
		case slices.Contains(metricUnits, u):
			m.Dim, m.Unit = units[u].dim, u
		default:
			c.errAt(f.Value, "a metric's unit is one of %s (the evaluator reports the value in it), not %s", strings.Join(metricUnits, ", "), describeValue(f.Value))
			return nil
		}
	}
	if f := fs["goal"]; f != nil {
		g, ok := c.oneOf(f.Value, "goal", []string{"minimize", "maximize"})
		if !ok {
			return nil
		}
		m.Goal = g
	}
	return m
}

// unitText is a unit written as a name (ms, count) or a string ("GB/s").
func unitText(v *syntax.Value) string {
	switch {
	case v.Ref != nil && !v.Ref.Call:
		return v.Ref.Name
	case v.Str != nil:
		return *v.Str
	}
	return ""
}

// declaredMetric is the metric.Metric of a declared metric: stored under its
// own name.
func (m *Metric) declaredMetric() metric.Metric {
	return metric.Metric{Name: m.Name, Key: m.Name, Dim: m.Dim, Unit: m.Unit, Doc: "declared by the spec"}
}

// useDeclaredMetrics records the declared metrics the experiment reads as
// its dependencies and reports an objective against a metric's goal and a
// declared metric without a command evaluator to report it.
func (x *expCheck) useDeclaredMetrics(items expItems) {
	reported := false
	use := func(name string, pos, end syntax.Pos, maximize *bool) {
		m, ok := x.spec.Metrics[name]
		if !ok {
			return
		}
		x.deps[name] = true
		if maximize != nil && m.Goal != "" && (m.Goal == "maximize") != *maximize {
			x.errorf(pos, end, "metric %s has goal = %s; write %s %s", name, m.Goal, m.Goal, name)
		}
		if ev := x.e.Evaluator; ev != nil && ev.Kind != "command" && !reported {
			reported = true
			x.errorf(pos, end, "%s is declared by the spec and only a command evaluator reports it; evaluator %s does not", name, ev.Name)
		}
	}
	for _, it := range items.objectives {
		maximize := it.Maximize != nil
		for _, v := range append(slices.Clone(it.Maximize), it.Minimize...) {
			use(refText(v), v.Pos, v.EndPos, &maximize)
		}
	}
	for _, it := range items.requires {
		use(it.Require.Metric.Text, it.Require.Metric.Pos, it.Require.Metric.EndPos, nil)
	}
	if r := x.e.Reward; r != nil {
		it := last(items.reward)
		use(r.Metric, it.Pos, it.EndPos, nil)
	}
}
