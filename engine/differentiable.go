package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/fpga/lut"
	"github.com/hwnas/hwnas/metric"
	"github.com/hwnas/hwnas/search"
)

// The differentiable strategies, fbnet (Wu et al., "FBNet: Hardware-Aware
// Efficient ConvNet Design via Differentiable Neural Architecture Search",
// CVPR 2019) and proxyless (Cai, Zhu and Han, "ProxylessNAS: Direct Neural
// Architecture Search on Target Task and Hardware", ICLR 2019), are not
// ask/tell strategies: the engine trains the weights of a relaxed supernet
// (mixedNet) and a distribution over every position's candidates together,
// against the experiment's latency table, and derives the most likely
// child, which becomes a trial like any other: its hardware is scored by
// the experiment's platform, it is pruned on a hard constraint, and its
// accuracy is inherited from the searched weights (status inherited). A
// sweep runs the search once per value of one parameter, one trial each.
// docs/language.md ("Differentiable strategies") gives the details.

// diffPoint is one search of a differentiable strategy: its parameters
// with the sweep's value in place.
type diffPoint struct {
	kind     string
	p        map[string]float64
	label    string  // the sweep's "target=3 ms", or ""
	targetMs float64 // proxyless: the latency target
	limitMs  float64 // derive = within_target: the derived child's latency limit; 0: argmax
	floorMs  float64 // fill: the least latency of a child derived within the limit; 0: none
}

// differentiable reports whether e's strategy is fbnet or proxyless.
func (e *Experiment) differentiable() bool {
	k, ok := search.Kind(e.Strategy.Kind)
	return ok && k.Differentiable
}

// diffPoints resolves e's strategy parameters, once per sweep value.
func diffPoints(e *Experiment) ([]diffPoint, error) {
	kind := e.Strategy.Kind
	info, _ := search.Kind(kind)
	values := []float64{0}
	if e.Strategy.Sweep != "" {
		values = e.Strategy.SweepValues
	}
	var out []diffPoint
	for _, v := range values {
		params := maps.Clone(e.Strategy.Params)
		pt := diffPoint{kind: kind}
		if e.Strategy.Sweep != "" {
			if params == nil {
				params = map[string]float64{}
			}
			params[e.Strategy.Sweep] = v
			pt.label = e.Strategy.Sweep + "=" + strconv.FormatFloat(v, 'g', -1, 64)
		}
		p, err := info.Resolve(params)
		if err != nil {
			return nil, fmt.Errorf("strategy %w", err)
		}
		pt.p = p
		if kind == "proxyless" {
			if pt.targetMs = p["target"]; pt.targetMs <= 0 {
				pt.targetMs = latencyLimit(e.Constraints)
			}
			if pt.targetMs <= 0 {
				return nil, fmt.Errorf("strategy proxyless needs a latency target: require latency <= … or target = … ms")
			}
		}
		if p["derive"] == search.DeriveWithinTarget {
			if pt.limitMs = pt.targetMs; kind != "proxyless" {
				pt.limitMs = latencyLimit(e.Constraints)
			}
			if pt.limitMs <= 0 {
				return nil, fmt.Errorf("strategy %s: derive = within_target needs a latency target: require latency <= … ms", kind)
			}
			pt.floorMs = p["fill"] * pt.limitMs
		} else if p["fill"] > 0 {
			return nil, fmt.Errorf("strategy %s: fill bounds the latency of the children derived within the target from below: it needs derive = within_target", kind)
		}
		out = append(out, pt)
	}
	return out, nil
}

// underived says how the search of pt, which derived res, fell short of
// what it was asked: no child within the limit of derive = within_target,
// none above the floor of fill, or fewer children than its samples, its
// final distribution giving no other distinct one (within the limit) in
// the draws children makes; nil when it did not.
func (pt diffPoint) underived(res diffResult) []string {
	who, within := pt.kind+" search", ""
	if pt.label != "" {
		who += " " + pt.label
	}
	if pt.limitMs > 0 {
		within = fmt.Sprintf(" within %g ms", pt.limitMs)
	}
	if !res.within {
		return []string{fmt.Sprintf("%s: derive = within_target found no child%s by the latency table; it derived each position's most likely candidate", who, within)}
	}
	var notes []string
	band := fmt.Sprintf(" from %.4g to %g ms", pt.floorMs, pt.limitMs)
	switch {
	case !res.filled:
		notes = append(notes, fmt.Sprintf("%s: fill = %g found no child%s by the latency table; it derived its children%s, with no floor",
			who, pt.p["fill"], band, within))
	case pt.floorMs > 0:
		within = band
	}
	if got, n := len(res.children), int(pt.p["samples"]); got < n {
		notes = append(notes, fmt.Sprintf("%s derived %d of the %d children asked (samples = %d): its final distribution gave no other distinct child%s in %d draws",
			who, got, n, n, within, 100*n))
	}
	return notes
}

// trialsUp reports whether the run has its budget's trials.
func (r *runner) trialsUp() bool {
	return r.e.Budget.Trials > 0 && len(r.trials) >= r.e.Budget.Trials
}

// latencyLimit is the limit of e's upper bound on latency, 0 without one.
func latencyLimit(cs []Constraint) float64 {
	for _, c := range cs {
		if c.Metric == metric.LatencyMs && (c.Op == "<=" || c.Op == "<") {
			return c.Value
		}
	}
	return 0
}

// derivationParams are the parameters of fbnet and proxyless that only
// the derivation of children from a finished search reads.
var derivationParams = []string{"derive", "fill", "samples"}

// key is where the search of pt is stored: what its weights and
// architecture parameters depend on (not derivationParams, which only
// derivation reads). prior = uniform is left out: searches stored before
// prior existed started there, and keep their key.
func (pt diffPoint) key(sv *SupernetEvaluator, t *lut.Table, f Fidelity, seed int64) string {
	var ps []string
	for _, k := range slices.Sorted(maps.Keys(pt.p)) {
		if slices.Contains(derivationParams, k) || k == "prior" && pt.p[k] == search.PriorUniform {
			continue
		}
		ps = append(ps, k+"="+strconv.FormatFloat(pt.p[k], 'g', -1, 64))
	}
	order := "" // searches stored before fbnet took FBNet's order interleaved its steps: not the same search
	if pt.kind == "fbnet" {
		order = " order=weights-then-arch"
	}
	return fmt.Sprintf("differentiable %s %s%s target=%g table=%s %s space=%s train=%d val=%d batch=%d lr=%g opt=%s seed=%d",
		pt.kind, strings.Join(ps, " "), order, pt.targetMs, TableKey(t), sv.Data.Source, sv.SpaceKey, f.Train, f.Val, f.Batch, f.LR, f.Optimizer, seed)
}

// warmupKey is where the warm-up of pt is stored: its key without the
// parameters that only architecture steps read, so that the values of a
// sweep of them share it (the warm-up trains the weights only, θ at its prior).
func (pt diffPoint) warmupKey(sv *SupernetEvaluator, t *lut.Table, f Fidelity, seed int64) string {
	w := pt
	w.p, w.targetMs = maps.Clone(pt.p), 0
	for _, k := range []string{"alpha", "beta", "lambda", "loss", "target", "arch_lr"} {
		delete(w.p, k)
	}
	return "warm-up " + w.key(sv, t, f, seed)
}

// TableKey is a short hash of a latency table's content.
func TableKey(t *lut.Table) string {
	b, _ := json.Marshal(t) // plain data
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])[:12]
}

// runDifferentiable runs e's differentiable strategy: for every sweep
// point (up to the trial budget, while time is left) it searches, derives a
// child and evaluates it as the next trial; then it retrains the best.
func (r *runner) runDifferentiable(ctx context.Context, stored map[int]store.Trial) error {
	e := r.e
	if _, remote := e.Evaluator.(Remote); remote {
		return fmt.Errorf("experiment %q: strategy %s trains its supernet and scores the children it derives in this process, not on workers: run it without an executor", e.Name, e.Strategy.Kind)
	}
	sv, ok := e.Evaluator.(*SupernetEvaluator)
	if !ok {
		return fmt.Errorf("experiment %q: strategy %s trains a supernet: it needs a supernet evaluator, not %s", e.Name, e.Strategy.Kind, e.Evaluator.Name())
	}
	if e.Table == nil {
		return fmt.Errorf("experiment %q: strategy %s needs a latency table: give the experiment a platform", e.Name, e.Strategy.Kind)
	}
	mn, err := newMixedNet(e.Space, e.Table)
	if err != nil {
		return fmt.Errorf("experiment %q: %w", e.Name, err)
	}
	points, err := diffPoints(e)
	if err != nil {
		return fmt.Errorf("experiment %q: %w", e.Name, err)
	}
	defer func() { sv.sn, sv.tag = nil, "" }()
	for _, pt := range points {
		if r.trialsUp() || r.timeUp() {
			break
		}
		res, err := r.diffSearch(ctx, sv, mn, pt)
		if err != nil {
			return fmt.Errorf("experiment %q: %s search %s: %w", e.Name, pt.kind, pt.label, err)
		}
		r.underived = append(r.underived, pt.underived(res)...)
		for _, choice := range res.children {
			if r.trialsUp() {
				break
			}
			sv.sn, sv.tag = res.sn.Rekey(mn.childKey(choice)), res.key
			cand := search.Candidate{ID: len(r.trials), Genome: mn.genome(r.nArch, choice)}
			batch, complete := r.evaluate(ctx, []search.Candidate{cand}, stored)
			if !complete {
				return fmt.Errorf("experiment %q stopped after %d trials: %w", e.Name, len(r.trials), context.Cause(ctx))
			}
			r.trials = append(r.trials, *batch[0])
		}
	}
	sv.sn, sv.tag = nil, ""
	return r.retrain(ctx, stored)
}
