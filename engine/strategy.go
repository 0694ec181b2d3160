package engine

import (
	"fmt"
	"math"
	"slices"

	"github.com/hwnas/hwnas/metric"

	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/search"
)

// strategy is a search.Strategy with the metrics its objective vectors
// carry: the experiment's objectives, then any metric the reward reads.
type strategy struct {
	search.Strategy
	metrics []string
	senses  []search.Sense // of metrics, for search.Config
	rungs   []int          // of the fidelity schedule, if any: results carry the epochs trained
}

// newStrategy builds the strategy an experiment names, with its reward:
//   - Reward.Kind "mnasnet": accuracy·(metric/target)^w (MnasNet, CVPR 2019);
//   - Reward.Kind "fnas", or a single-objective strategy maximising accuracy
//     under a hard latency_ms constraint and no reward: the FNAS reward with
//     the constraint's limit as the spec (FNAS, DAC 2019);
//   - otherwise search's default for the kind; multi-objective kinds (random,
//     grid, nsga2) ignore rewards.
func newStrategy(e *Experiment) (*strategy, error) {
	kind := e.Strategy.Kind
	if kind == "" {
		kind = "random"
	}
	info, ok := search.Kind(kind)
	if !ok {
		_, err := search.New(kind, search.Config{})
		return nil, err
	}
	s := &strategy{}
	if e.ASHA.On() {
		s.rungs = e.ASHA.Rungs()
	}
	for _, o := range e.Objectives {
		sense := search.Minimize
		if o.Maximize {
			sense = search.Maximize
		}
		s.add(o.Metric, sense)
	}
	reward, err := s.reward(e, info.Multi)
	if err != nil {
		return nil, err
	}
	st, err := search.New(kind, search.Config{Cards: e.Cardinalities(), Senses: s.senses, Seed: e.Seed,
		Params: e.Strategy.Params, Reward: reward, HardwareGenes: len(e.Hardware.Genes), Hardware: e.hardwareOnly(), Encode: e.encoder()})
	if err != nil {
		return nil, err
	}
	s.Strategy = st
	return s, nil
}

// encoder is the predictor features of a genome when the space has its own
// encoding (NAS-Bench-201's path encoding): the space's features, then
// one-hot hardware genes. It is nil (one-hot everything) otherwise.
func (e *Experiment) encoder() func([]int) []float64 {
	enc, ok := e.Space.(interface{ Encode(genome []int) []float64 })
	if !ok {
		return nil
	}
	cards := e.Cardinalities()
	nArch := len(e.Space.Decisions())
	return func(g []int) []float64 {
		return append(enc.Encode(g[:nArch]), search.OneHot(g[nArch:], cards[nArch:])...)
	}
}

// add appends metric m, with its sense, to the objective vectors.
func (s *strategy) add(m string, sense search.Sense) {
	s.metrics = append(s.metrics, m)
	s.senses = append(s.senses, sense)
}

// need returns the index of metric m in the objective vectors, adding it
// (minimised) when no objective has it.
func (s *strategy) need(m string) int {
	if i := slices.Index(s.metrics, m); i >= 0 {
		return i
	}
	s.add(m, search.Minimize)
	return len(s.metrics) - 1
}

// reward builds e's reward over s's objective vectors, nil for the
// strategy's default. It records the FNAS reward it infers in e.Reward.
func (s *strategy) reward(e *Experiment, multi bool) (search.Reward, error) {
	rk := e.Reward.Kind
	if multi {
		rk = "" // multi-objective kinds rank the objectives themselves; a reward would only add a sense
	}
	if rk == "" && !multi && len(e.Objectives) == 1 && e.Objectives[0].Metric == metric.Accuracy {
		for _, c := range e.Constraints {
			if c.Hard && c.Metric == metric.LatencyMs && (c.Op == "<=" || c.Op == "<") {
				rk = "fnas"
				e.Reward = Reward{Kind: "fnas", Metric: metric.LatencyMs, Target: c.Value}
			}
		}
	}
	switch rk {
	case "":
		return nil, nil
	case "fnas":
		if e.Reward.Target <= 0 {
			return nil, fmt.Errorf("fnas reward needs a positive latency target, has %g", e.Reward.Target)
		}
		lat := e.Reward.Metric
		if lat == "" {
			lat = metric.LatencyMs
		}
		return search.NewFNAS(s.need(metric.Accuracy), s.need(lat), e.Reward.Target), nil
	case "mnasnet":
		if e.Reward.Target <= 0 {
			return nil, fmt.Errorf("mnasnet reward on %s needs a positive target, has %g", e.Reward.Metric, e.Reward.Target)
		}
		return &search.MnasNet{Acc: s.need(metric.Accuracy), Lat: s.need(e.Reward.Metric), Target: e.Reward.Target,
			Alpha: e.Reward.Below, Beta: e.Reward.Above}, nil
	}
	return nil, fmt.Errorf("unknown reward %q (valid: fnas, mnasnet)", rk)
}

// result is what the strategy learns of a trial. Unmeasured metrics are NaN.
// Under a fidelity schedule a trained trial's result carries the epochs it
// reached, the fidelity its accuracy was measured at, and its objectives at
// the rungs it passed (bananas fits its model on one fidelity, as BOHB).
func (s *strategy) result(id int, t *Trial, cons []Constraint) search.Result {
	objs := make([]float64, len(s.metrics))
	for i, m := range s.metrics {
		v, ok := t.Metrics[m]
		if !ok {
			v = math.NaN()
		}
		objs[i] = v
	}
	r := search.Result{ID: id, Objectives: objs, Feasible: t.Feasible,
		Pruned: t.Status == store.Pruned, Failed: t.Status == store.Failed}
	if !r.Pruned && !r.Failed {
		r.Violation = violation(t.Metrics, cons)
		if s.rungs != nil {
			r.Fidelity = int(t.Metrics[EpochsMetric])
			r.Rungs = s.passed(t, r.Fidelity, objs)
		}
	}
	return r
}

// passed are t's objectives at the rungs below epochs it has an accuracy
// for: objs with the rung's accuracy in place of accuracy's. Nil when no
// objective is accuracy (the rungs would tell nothing new).
func (s *strategy) passed(t *Trial, epochs int, objs []float64) []search.Rung {
	acc := slices.Index(s.metrics, metric.Accuracy)
	if acc < 0 {
		return nil
	}
	var out []search.Rung
	for _, ep := range s.rungs {
		if v, ok := t.Metrics[RungMetric(ep)]; ok && ep < epochs {
			o := slices.Clone(objs)
			o[acc] = v
			out = append(out, search.Rung{Fidelity: ep, Objectives: o})
		}
	}
	return out
}

// violation sums how far constraints are missed, each relative to its limit.
func violation(m Metrics, cons []Constraint) float64 {
	var v float64
	for _, c := range cons {
		x, ok := m[c.Metric]
		if !ok {
			v++
			continue
		}
		if !c.Holds(x) {
			v += math.Abs(x-c.Value) / math.Max(math.Abs(c.Value), 1e-9)
		}
	}
	return v
}
