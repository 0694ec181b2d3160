package search

import (
	"fmt"
	"slices"
	"strings"
)

// RewardConfig builds a reward by name. Acc and Lat index the objectives
// holding the accuracy (a fraction in [0, 1]) and the latency (or another
// hardware cost, lower is better) for the rewards that need them; Weights
// are the weighted-sum and Chebyshev weights, one per objective (nil: all 1).
type RewardConfig struct {
	Senses   []Sense
	Acc, Lat int
	Weights  []float64
	Params   map[string]float64
}

// RewardKinds describes the rewards NewReward builds, sorted by name. Their
// Multi and NeedsHardware fields are unused.
func RewardKinds() []KindInfo { return rewardKinds }

var rewardKinds = []KindInfo{
	{Name: "chebyshev", Doc: "augmented weighted Chebyshev distance to an ideal point (accuracy 1, hardware costs 0), negated", Params: []Param{
		{Name: "rho", Default: 1e-3, Min: 0, Max: 1, Doc: "augmentation weight of the sum of distances"}}},
	{Name: "coexplore", Doc: "co-exploration (TCAD 2020): max(w_acc·A + w_hw·(T − L)/T, −1); −1 when pruned", Params: []Param{
		{Name: "target", Default: 0, Min: 0, Max: 1e18, Doc: "hardware target T in the objective's unit (required)"},
		{Name: "w_acc", Default: 1, Min: -1e9, Max: 1e9, Doc: "accuracy weight (unpublished; hwnas default 1)"},
		{Name: "w_hw", Default: 0.5, Min: -1e9, Max: 1e9, Doc: "hardware weight (unpublished; hwnas default 0.5)"}}},
	{Name: "fnas", Doc: "FNAS (DAC 2019): −0.1 when pruned, else clip(A − b + L/(10T), ±0.1) with an EMA baseline b", Params: []Param{
		{Name: "target", Default: 0, Min: 0, Max: 1e18, Doc: "latency spec T in the objective's unit (required)"},
		{Name: "beta", Default: 0.8, Min: 0, Max: 1, Doc: "EMA decay of the accuracy baseline (FNAS 0.8)"},
		{Name: "latency_term", Default: 1, Min: 0, Max: 1, Integer: true, Doc: "1 keeps FNAS's +L/(10T) term, 0 drops it"}}},
	{Name: "mnasnet", Doc: "MnasNet (CVPR 2019): A·(L/T)^w, w = alpha if L ≤ T else beta; soft α = β = −0.07, hard α = 0, β = −1", Params: []Param{
		{Name: "target", Default: 0, Min: 0, Max: 1e18, Doc: "latency target T in the objective's unit (required)"},
		{Name: "alpha", Default: -0.07, Min: -100, Max: 100, Doc: "exponent at or below the target (soft −0.07, hard 0)"},
		{Name: "beta", Default: -0.07, Min: -100, Max: 100, Doc: "exponent above the target (soft −0.07, hard −1)"}}},
	{Name: "weighted", Doc: "weighted sum of objectives, minimised ones negated; pruned and failed get the worst reward so far", Params: []Param{}},
}

// NewReward builds the named reward.
func NewReward(kind string, c RewardConfig) (Reward, error) {
	i := slices.IndexFunc(rewardKinds, func(r KindInfo) bool { return r.Name == kind })
	if i < 0 {
		names := make([]string, len(rewardKinds))
		for j, r := range rewardKinds {
			names[j] = r.Name
		}
		return nil, fmt.Errorf("unknown reward %q (valid: %s)", kind, strings.Join(names, ", "))
	}
	p, err := rewardKinds[i].Resolve(c.Params)
	if err != nil {
		return nil, fmt.Errorf("reward %w", err)
	}
	if len(c.Senses) == 0 {
		return nil, fmt.Errorf("reward %s: no objectives", kind)
	}
	switch kind {
	case "weighted":
		return NewWeightedSum(c.weights(), c.Senses)
	case "chebyshev":
		return c.chebyshev(p["rho"])
	case "fnas":
		if err := c.needAccLat(kind, p["target"]); err != nil {
			return nil, err
		}
		f := NewFNAS(c.Acc, c.Lat, p["target"])
		f.Beta, f.LatencyTerm = p["beta"], p["latency_term"] == 1
		return f, nil
	case "mnasnet":
		if err := c.needAccLat(kind, p["target"]); err != nil {
			return nil, err
		}
		return &MnasNet{Acc: c.Acc, Lat: c.Lat, Target: p["target"], Alpha: p["alpha"], Beta: p["beta"]}, nil
	case "coexplore":
		if err := c.needAccLat(kind, p["target"]); err != nil {
			return nil, err
		}
		return &CoExplore{Acc: c.Acc, HW: c.Lat, Target: p["target"], WAcc: p["w_acc"], WHW: p["w_hw"]}, nil
	}
	return nil, fmt.Errorf("reward %s is registered but not built", kind)
}

// weights returns c.Weights, or 1 for every objective when nil.
func (c *RewardConfig) weights() []float64 {
	if c.Weights != nil {
		return c.Weights
	}
	w := make([]float64, len(c.Senses))
	for i := range w {
		w[i] = 1
	}
	return w
}

// chebyshev builds the Chebyshev reward with the ideal point accuracy 1 (every
// maximised objective) and hardware cost 0 (every minimised one).
func (c *RewardConfig) chebyshev(rho float64) (Reward, error) {
	w := c.weights()
	if len(w) != len(c.Senses) {
		return nil, fmt.Errorf("reward chebyshev: %d weights for %d objectives", len(w), len(c.Senses))
	}
	ideal := make([]float64, len(c.Senses))
	for i, s := range c.Senses {
		if s == Maximize {
			ideal[i] = 1
		}
	}
	return &Chebyshev{Weights: w, Ideal: ideal, Rho: rho}, nil
}

// needAccLat checks what the accuracy-and-latency rewards need: distinct
// accuracy and latency objectives and a positive target.
func (c *RewardConfig) needAccLat(kind string, target float64) error {
	n := len(c.Senses)
	if c.Acc < 0 || c.Acc >= n || c.Lat < 0 || c.Lat >= n || c.Acc == c.Lat {
		return fmt.Errorf("reward %s needs distinct accuracy and latency objectives: indexes %d and %d of %d", kind, c.Acc, c.Lat, n)
	}
	if target <= 0 {
		return fmt.Errorf("reward %s needs a positive target", kind)
	}
	return nil
}
