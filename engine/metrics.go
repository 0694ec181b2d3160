package engine

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/hwnas/hwnas/metric"
)

// Metrics are a trial's measured values by stored key (see package metric).
type Metrics map[string]float64

// validate checks what an evaluator reported against package metric's
// table: every value finite, fractions (accuracies) in [0, 1], and counts,
// times, rates, power and energy not negative. Keys the table does not know
// need only be finite.
func (m Metrics) validate() error {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := m[k]
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("metric %q = %g is not finite", k, v)
		}
		d, ok := metric.ByKey(k)
		switch {
		case !ok:
		case d.Dim == metric.Fraction && (v < 0 || v > 1):
			return fmt.Errorf("metric %q = %g is not a fraction in [0, 1]", k, v)
		case v < 0:
			return fmt.Errorf("metric %q = %g is negative; a %s cannot be", k, v, d.Dim)
		}
	}
	return nil
}

// mergeEvaluated merges an evaluator's metrics over m and, when they replace
// any the FPGA model computed, says which (the evaluator's value is kept:
// it measured the real design), or "" when none.
func (m Metrics) mergeEvaluated(ev Metrics) string {
	var over []string
	for _, k := range slices.Sorted(maps.Keys(ev)) {
		d, known := metric.ByKey(k)
		if old, ok := m[k]; ok && known && d.HW && old != ev[k] {
			over = append(over, fmt.Sprintf("%s %s → %s", k, strconv.FormatFloat(old, 'g', 4, 64), strconv.FormatFloat(ev[k], 'g', 4, 64)))
		}
	}
	maps.Copy(m, ev)
	if over == nil {
		return ""
	}
	return "the evaluator's metrics replace the FPGA model's: " + strings.Join(over, ", ")
}

// unreported returns the first metric the experiment e reads (objectives,
// constraints, reward) that the metric table does not know, such as one a
// spec declares for a command evaluator, and m lacks; or "".
func (m Metrics) unreported(e *Experiment) string {
	keys := append(objectiveMetrics(e.Objectives), constraintMetrics(e.Constraints)...)
	if e.Reward.Kind != "" {
		keys = append(keys, e.Reward.Metric)
	}
	for _, k := range keys {
		if _, known := metric.ByKey(k); !known {
			if _, ok := m[k]; !ok {
				return k
			}
		}
	}
	return ""
}
