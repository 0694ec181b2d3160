package search

import (
	"fmt"
	"math"
)

// Reward turns a result into one number to maximise, for strategies that
// optimise a single value. A reward may keep state (FNAS's baseline), so
// strategies call it exactly once per accepted result, in Tell order.
// Accuracies are fractions in [0, 1].
type Reward interface {
	Reward(r Result) float64
}

// baselined is implemented by rewards that already subtract a baseline
// (FNAS); REINFORCE then uses them as the advantage directly.
type baselined interface{ Baselined() bool }

// RewardFunc adapts a stateless function to Reward.
type RewardFunc func(Result) float64

// Reward calls f.
func (f RewardFunc) Reward(r Result) float64 { return f(r) }

// WeightedSum scalarises objectives as Σ wᵢ·sᵢ·fᵢ with sᵢ = +1 for maximised
// and −1 for minimised objectives, so larger is better. Failed, pruned and
// infeasible results, and results with a NaN objective, get Penalty, or when
// Penalty is nil the lowest reward given so far to a feasible result (0
// before any).
type WeightedSum struct {
	Weights []float64
	Senses  []Sense
	Penalty *float64
	worst   float64
	any     bool
}

// NewWeightedSum checks that weights and senses agree.
func NewWeightedSum(weights []float64, senses []Sense) (*WeightedSum, error) {
	if len(weights) != len(senses) || len(weights) == 0 {
		return nil, fmt.Errorf("weighted sum: %d weights for %d objectives", len(weights), len(senses))
	}
	for i, w := range weights {
		if math.IsNaN(w) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("weighted sum: weight %d is %v", i, w)
		}
	}
	return &WeightedSum{Weights: weights, Senses: senses}, nil
}

// DefaultReward is the reward of a single objective: its value, negated when
// minimised, with the weighted-sum penalty rule.
func DefaultReward(s Sense) Reward { return &WeightedSum{Weights: []float64{1}, Senses: []Sense{s}} }

// Reward implements Reward.
func (w *WeightedSum) Reward(r Result) float64 {
	if !r.usable() || !r.Feasible || len(r.Objectives) < len(w.Weights) {
		if w.Penalty != nil {
			return *w.Penalty
		}
		if w.any {
			return w.worst
		}
		return 0
	}
	s := 0.0
	for i, wt := range w.Weights {
		v := r.Objectives[i]
		if w.Senses[i] == Minimize {
			v = -v
		}
		s += wt * v
	}
	if !w.any || s < w.worst {
		w.worst, w.any = s, true
	}
	return s
}

// MnasNet is the latency-aware reward of MnasNet (Tan et al. CVPR 2019):
// ACC·(LAT/T)^w with w = Alpha when LAT ≤ T and Beta otherwise.
// Acc and Lat index Result.Objectives. Failed and pruned results score 0.
type MnasNet struct {
	Acc, Lat    int
	Target      float64
	Alpha, Beta float64
}

// MnasNetSoft is the soft form, α = β = −0.07: twice the latency costs about
// 5% relative accuracy (MnasNet §3).
func MnasNetSoft(acc, lat int, target float64) *MnasNet {
	return &MnasNet{Acc: acc, Lat: lat, Target: target, Alpha: -0.07, Beta: -0.07}
}

// MnasNetHard is the hard form, α = 0, β = −1 (MnasNet §3): no bonus for
// being faster than the target, a steep loss above it.
func MnasNetHard(acc, lat int, target float64) *MnasNet {
	return &MnasNet{Acc: acc, Lat: lat, Target: target, Alpha: 0, Beta: -1}
}

// Reward implements Reward.
func (m *MnasNet) Reward(r Result) float64 {
	if r.Failed || r.Pruned || !index(m.Acc, r.Objectives) || !index(m.Lat, r.Objectives) {
		return 0
	}
	a, l := r.Objectives[m.Acc], r.Objectives[m.Lat]
	if math.IsNaN(a) || math.IsNaN(l) || l <= 0 || m.Target <= 0 {
		return 0
	}
	w := m.Alpha
	if l > m.Target {
		w = m.Beta
	}
	return a * math.Pow(l/m.Target, w)
}

// FNAS is the reward of FNAS (Jiang et al. DAC 2019, official manager.py):
//
//   - pruned (latency L over the spec T; never trained) or failed:
//     clip((T−L)/(10T) − 1, ±0.1), which is always −0.1;
//   - trained: clip(A − b + L/(10T), ±0.1) with b the EMA of accuracy
//     (β = 0.8), taken before this result updates it; the first update sets
//     b = A (manager.py's bias correction).
//
// The L/(10T) term rewards latency close to the spec (up to +0.1). hwnas keeps
// it by default, to reproduce FNAS; set LatencyTerm false to drop it. Acc and
// Lat index Result.Objectives; Lat < 0 means no latency term. The released
// code's quirk of multiplying b by 1.2 when an action repeats is not kept.
type FNAS struct {
	Acc, Lat    int
	Target      float64
	Beta        float64
	LatencyTerm bool
	b           float64
	started     bool
}

// NewFNAS returns the FNAS reward with its published settings.
func NewFNAS(acc, lat int, target float64) *FNAS {
	return &FNAS{Acc: acc, Lat: lat, Target: target, Beta: 0.8, LatencyTerm: true}
}

// Baselined reports that FNAS's reward already subtracts a baseline.
func (f *FNAS) Baselined() bool { return true }

// Baseline is the current accuracy baseline b.
func (f *FNAS) Baseline() float64 { return f.b }

// Reward implements Reward.
func (f *FNAS) Reward(r Result) float64 {
	const clip = 0.1 // manager.py clips rewards to ±0.1
	if r.Failed || r.Pruned || !index(f.Acc, r.Objectives) || math.IsNaN(r.Objectives[f.Acc]) {
		return -clip
	}
	a := r.Objectives[f.Acc]
	term := 0.0
	if f.LatencyTerm && index(f.Lat, r.Objectives) && f.Target > 0 && !math.IsNaN(r.Objectives[f.Lat]) {
		term = r.Objectives[f.Lat] / (10 * f.Target)
	}
	rew := math.Max(-clip, math.Min(clip, a-f.b+term))
	if !f.started {
		f.b, f.started = a, true
	} else {
		f.b = f.Beta*f.b + (1-f.Beta)*a
	}
	return rew
}

// Chebyshev is the augmented weighted Chebyshev scalarisation: with
// dᵢ = wᵢ·|fᵢ − Idealᵢ|, the reward is −(maxᵢ dᵢ + Rho·Σᵢ dᵢ). Unlike a
// weighted sum it can reach points on concave parts of a front. Ideal is a
// best-possible value per objective (e.g. accuracy 1, latency 0). Failed,
// pruned and infeasible results get the weighted-sum penalty rule.
type Chebyshev struct {
	Weights, Ideal []float64
	Rho            float64 // augmentation, typically 1e-3
	Penalty        *float64
	worst          float64
	any            bool
}

// Reward implements Reward.
func (c *Chebyshev) Reward(r Result) float64 {
	if !r.usable() || !r.Feasible || len(r.Objectives) < len(c.Weights) || len(c.Ideal) < len(c.Weights) {
		if c.Penalty != nil {
			return *c.Penalty
		}
		if c.any {
			return c.worst
		}
		return 0
	}
	mx, sum := 0.0, 0.0
	for i, w := range c.Weights {
		d := w * math.Abs(r.Objectives[i]-c.Ideal[i])
		mx = math.Max(mx, d)
		sum += d
	}
	s := -(mx + c.Rho*sum)
	if !c.any || s < c.worst {
		c.worst, c.any = s, true
	}
	return s
}

// CoExplore is the reward of hardware/software co-exploration (Jiang et al.
// TCAD 2020, rl_interface): max(WAcc·A + WHW·(T − E)/T, −1) with A the
// accuracy (Objectives[Acc]), E a hardware cost where lower is better, such
// as latency (Objectives[HW]), and T its target. Failed and pruned results
// get −1. The paper does not publish its weights; callers choose them.
type CoExplore struct {
	Acc, HW   int
	Target    float64
	WAcc, WHW float64
}

// Reward implements Reward.
func (c *CoExplore) Reward(r Result) float64 {
	if r.Failed || r.Pruned || !index(c.Acc, r.Objectives) || !index(c.HW, r.Objectives) || c.Target <= 0 {
		return -1
	}
	v := c.WAcc*r.Objectives[c.Acc] + c.WHW*(c.Target-r.Objectives[c.HW])/c.Target
	if math.IsNaN(v) {
		return -1
	}
	return math.Max(v, -1)
}

func index(i int, xs []float64) bool { return i >= 0 && i < len(xs) }

// freshReward returns r as before any result: a copy with the state it
// gathers from results reset, or r itself when it has none; false for a
// reward of another package, whose state is unknown.
func freshReward(r Reward) (Reward, bool) {
	switch r := r.(type) {
	case *FNAS:
		c := *r
		c.b, c.started = 0, false
		return &c, true
	case *WeightedSum:
		c := *r
		c.worst, c.any = 0, false
		return &c, true
	case *Chebyshev:
		c := *r
		c.worst, c.any = 0, false
		return &c, true
	case *MnasNet, *CoExplore:
		return r, true
	}
	return nil, false
}
