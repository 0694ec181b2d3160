package engine

import (
	"fmt"
	"slices"

	"github.com/hwnas/hwnas/metric"
)

// NearestMisses says, when no trial of o is feasible, how near the trials
// came to each hard constraint that no trial met: "no trial met latency_ms
// <= 0.01: the lowest latency_ms seen was 0.166 ms against 0.01 ms (trial
// 3)". It returns nil when a trial is feasible, and says nothing of a
// constraint that some trial met or whose metric no trial has.
func (o *Outcome) NearestMisses() []string {
	if slices.ContainsFunc(o.Trials, func(t Trial) bool { return t.Feasible }) {
		return nil
	}
	var out []string
	for _, c := range o.Constraints {
		if !c.Hard {
			continue
		}
		id, v, ok := nearest(o.Trials, c)
		if !ok {
			continue
		}
		word, unit := "lowest", ""
		if c.Op == ">=" || c.Op == ">" {
			word = "highest"
		}
		if m, known := metric.ByKey(c.Metric); known && m.Unit != "" {
			unit = " " + m.Unit
		}
		out = append(out, fmt.Sprintf("no trial met %s: the %s %s seen was %s%s against %s%s (trial %d)",
			c, word, c.Metric, metric.Format(c.Metric, v), unit, metric.Format(c.Metric, c.Value), unit, id))
	}
	return out
}

// nearest returns the trial whose value of c's metric is nearest to holding
// c, and false when some trial holds c or none has the metric.
func nearest(ts []Trial, c Constraint) (id int, v float64, ok bool) {
	for _, t := range ts {
		x, has := t.Metrics[c.Metric]
		if !has {
			continue
		}
		if c.Holds(x) {
			return 0, 0, false
		}
		up := c.Op == ">=" || c.Op == ">"
		if !ok || (up && x > v) || (!up && x < v) {
			id, v, ok = t.ID, x, true
		}
	}
	return id, v, ok
}

// Notes are what a summary says of the run beside its counts: that the
// search space is exhausted, and how each differentiable search fell short
// of the children it was asked to derive (Underived).
func (o *Outcome) Notes() []string {
	var out []string
	if note := o.ExhaustedNote(); note != "" {
		out = append(out, note)
	}
	return append(out, o.Underived...)
}

// ExhaustedNote is what a summary says of an exhausted search (Exhausted),
// or "" when it was not.
func (o *Outcome) ExhaustedNote() string {
	if !o.Exhausted {
		return ""
	}
	return fmt.Sprintf("the search space is exhausted: the strategy had no new network to try after %d trials", len(o.Trials))
}
