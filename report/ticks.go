package report

import (
	"math"
	"strconv"
	"strings"
)

// axis is the range of one axis of a chart and its ticks.
type axis struct {
	lo, hi float64 // in data units (log10 of them on a log axis)
	log    bool
	ticks  []Tick
}

// niceStep returns the step of 1, 2, 2.5 or 5 times a power of ten nearest
// (on a log scale) to cutting span into n intervals.
func niceStep(span float64, n int) float64 {
	raw := span / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	best := mag
	for _, m := range []float64{2, 2.5, 5, 10} {
		if math.Abs(math.Log(m*mag/raw)) < math.Abs(math.Log(best/raw)) {
			best = m * mag
		}
	}
	return best
}

// linearAxis makes an axis over the values vs: their range with a margin of
// 5% each side (so that no marker sits on the frame), or a unit range round
// a single value, or [0, 1] for none; ticks at multiples of a round step.
func linearAxis(vs []float64) axis {
	lo, hi, ok := bounds(vs)
	switch {
	case !ok:
		lo, hi = 0, 1
	case lo == hi:
		d := math.Abs(lo) / 10
		if d == 0 {
			d = 1
		}
		lo, hi = lo-d, hi+d
	default:
		pad := (hi - lo) * 0.05
		lo, hi = lo-pad, hi+pad
	}
	a := axis{lo: lo, hi: hi}
	step := niceStep(hi-lo, 5)
	for k := math.Ceil(lo/step - 1e-9); k*step <= hi+step*1e-9; k++ {
		v := k * step
		if math.Abs(v) < step*1e-9 {
			v = 0 // never "-0"
		}
		a.ticks = append(a.ticks, Tick{At: v, Label: tickLabel(v, step)})
	}
	return a
}

// integerAxis is linearAxis for counts: its ticks fall on whole numbers,
// never on 0.5 or 2.5 (a step of 2.5 times a power of ten becomes 2 times).
func integerAxis(vs []float64) axis {
	a := linearAxis(vs)
	if len(a.ticks) < 2 {
		return a
	}
	step := a.ticks[1].At - a.ticks[0].At
	mag := math.Pow(10, math.Floor(math.Log10(step)))
	switch {
	case step < 1:
		step = 1
	case math.Abs(step/mag-2.5) < 1e-9:
		step = 2 * mag
	default:
		return a
	}
	a.ticks = nil
	for k := math.Ceil(a.lo / step); k*step <= a.hi; k++ {
		a.ticks = append(a.ticks, Tick{At: k * step, Label: tickLabel(k*step, step)})
	}
	return a
}

// logAxis makes a logarithmic axis over the positive values of vs (lo and
// hi are their log10), with ticks at powers of ten, and at 2 and 5 times
// them when the range spans less than three decades.
func logAxis(vs []float64) axis {
	var pos []float64
	for _, v := range vs {
		if v > 0 && !math.IsInf(v, 0) {
			pos = append(pos, math.Log10(v))
		}
	}
	a := linearAxis(pos)
	if len(pos) == 0 || a.hi-a.lo < 1 {
		a.lo, a.hi = math.Floor(a.lo), math.Max(math.Ceil(a.hi), math.Floor(a.lo)+1)
	}
	a.log, a.ticks = true, nil
	mults := []float64{1}
	if a.hi-a.lo < 3 {
		mults = []float64{1, 2, 5}
	}
	for e := math.Floor(a.lo); e <= math.Ceil(a.hi); e++ {
		for _, m := range mults {
			l := e + math.Log10(m)
			if l >= a.lo-1e-9 && l <= a.hi+1e-9 {
				v := m * math.Pow(10, e)
				a.ticks = append(a.ticks, Tick{At: l, Label: tickLabel(v, v)})
			}
		}
	}
	return a
}

// bounds returns the smallest and largest finite values of vs.
func bounds(vs []float64) (lo, hi float64, ok bool) {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		if !ok {
			lo, hi, ok = v, v, true
		}
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	return lo, hi, ok
}

// tickLabel writes v, a multiple of step, with as many decimals as step
// needs; 10 000 and more with a k, M or G suffix (12k, 2.5M).
func tickLabel(v, step float64) string {
	for _, s := range []struct {
		div    float64
		suffix string
	}{{1e9, "G"}, {1e6, "M"}, {1e3, "k"}} {
		if math.Abs(v) >= 10*s.div || (math.Abs(v) >= s.div && step >= s.div) {
			return tickLabel(v/s.div, step/s.div) + s.suffix
		}
	}
	dec := 0
	if step > 0 && step < 1 {
		dec = int(math.Ceil(-math.Log10(step) - 1e-9))
		if m := step / math.Pow(10, -float64(dec)); math.Abs(m-math.Round(m)) > 1e-6 {
			dec++ // 0.25
		}
	}
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if strings.Trim(s, "-0.") == "" {
		return "0"
	}
	return s
}
