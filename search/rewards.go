package search

import (
	"fmt"
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
	var k KindInfo
	var names []string
	for _, r := range rewardKinds {
		names = append(names, r.Name)
		if r.Name == kind {
			k = r
		}
	}
	if k.Name == "" {
		return nil, fmt.Errorf("unknown reward %q (valid: %s)", kind, strings.Join(names, ", "))
	}
	p, err := k.Resolve(c.Params)
	if err != nil {
		return nil, fmt.Errorf("reward %w", err)
	}
	n := len(c.Senses)
	if n == 0 {
		return nil, fmt.Errorf("reward %s: no objectives", kind)
	}
	w := c.Weights
	if w == nil {
		w = make([]float64, n)
		for i := range w {
			w[i] = 1
		}
	}
	needIdx := func() error {
		if c.Acc < 0 || c.Acc >= n || c.Lat < 0 || c.Lat >= n || c.Acc == c.Lat {
			return fmt.Errorf("reward %s needs distinct accuracy and latency objectives: indexes %d and %d of %d", kind, c.Acc, c.Lat, n)
		}
		if p["target"] <= 0 {
			return fmt.Errorf("reward %s needs a positive target", kind)
		}
		return nil
	}
	switch kind {
	case "weighted":
		return NewWeightedSum(w, c.Senses)
	case "chebyshev":
		if len(w) != n {
			return nil, fmt.Errorf("reward chebyshev: %d weights for %d objectives", len(w), n)
		}
		ideal := make([]float64, n)
		for i, s := range c.Senses {
			if s == Maximize {
				ideal[i] = 1
			}
		}
		return &Chebyshev{Weights: w, Ideal: ideal, Rho: p["rho"]}, nil
	case "fnas":
		if err := needIdx(); err != nil {
			return nil, err
		}
		f := NewFNAS(c.Acc, c.Lat, p["target"])
		f.Beta, f.LatencyTerm = p["beta"], p["latency_term"] == 1
		return f, nil
	case "mnasnet":
		if err := needIdx(); err != nil {
			return nil, err
		}
		return &MnasNet{Acc: c.Acc, Lat: c.Lat, Target: p["target"], Alpha: p["alpha"], Beta: p["beta"]}, nil
	case "coexplore":
		if err := needIdx(); err != nil {
			return nil, err
		}
		return &CoExplore{Acc: c.Acc, HW: c.Lat, Target: p["target"], WAcc: p["w_acc"], WHW: p["w_hw"]}, nil
	}
	return nil, fmt.Errorf("reward %s is registered but not built", kind)
}
