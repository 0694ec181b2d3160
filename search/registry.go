package search

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Param documents one named numeric parameter of a strategy kind.
type Param struct {
	Name     string
	Default  float64
	Min, Max float64 // inclusive bounds
	Integer  bool
	Doc      string
	// Choices, when set, makes the parameter a word: the value is the index
	// of the word written (Min 0, Max len(Choices)-1, Integer).
	Choices []string
	// Time: the value is a duration, written with a unit, in ms.
	Time bool
}

// DefaultText is the default as written in a spec: a word, a duration or a number.
func (p Param) DefaultText() string {
	switch {
	case p.Choices != nil && int(p.Default) < len(p.Choices):
		return p.Choices[int(p.Default)]
	case p.Time:
		return strconv.FormatFloat(p.Default, 'g', -1, 64) + " ms"
	}
	return strconv.FormatFloat(p.Default, 'g', -1, 64)
}

// KindInfo describes a strategy kind for the DSL, completion and help.
type KindInfo struct {
	Name  string
	Doc   string
	Multi bool // optimises several objectives itself; otherwise results are scalarised by Config.Reward
	// Pareto: scalarises by Config.Reward when there is one, and otherwise
	// optimises several objectives itself (bananas).
	Pareto bool
	// NeedsHardware: the kind needs Config.Hardware and Config.HardwareGenes.
	NeedsHardware bool
	// Differentiable: the engine runs the kind itself, training a supernet
	// and architecture parameters against a latency table (FBNet,
	// ProxylessNAS); it is not an ask/tell strategy and New refuses it.
	Differentiable bool
	Params         []Param
}

// Config builds a strategy.
type Config struct {
	Cards  []int   // cardinality of every gene, each ≥ 1
	Senses []Sense // one per objective
	Seed   int64
	// Params are the kind's named parameters; missing ones take their
	// defaults, unknown ones are an error.
	Params map[string]float64
	// Reward scalarises results for single-objective kinds (reinforce,
	// evolution, coexplore); nil means DefaultReward(Senses), which needs a
	// single objective.
	Reward Reward
	// HardwareGenes is how many trailing genes are hardware genes (coexplore).
	HardwareGenes int
	// Hardware judges a full genome's hardware genes without training
	// (coexplore); bananas, when it is set, proposes only genomes it accepts.
	Hardware HardwareFunc
	// Encode turns a genome into the features of a performance predictor
	// (bananas); nil means one-hot per gene.
	Encode func(genome []int) []float64
}

// HardwareFunc is co-exploration's fast, hardware-only evaluation: it reports
// whether a genome's hardware genes give a design that meets the hardware
// constraints for its architecture genes. It must be deterministic and cheap.
type HardwareFunc func(genome []int) bool

var kinds = []KindInfo{
	{Name: "random", Doc: "uniform random genomes; the baseline every strategy must beat", Multi: true,
		Params: []Param{
			{Name: "retries", Default: 32, Min: 0, Max: 1e6, Integer: true, Doc: "redraws to avoid a genome already asked (0 allows repeats)"},
		}},
	{Name: "grid", Doc: "every genome once, in mixed-radix order with the last gene fastest; for small spaces", Multi: true},
	{Name: "reinforce", Doc: "REINFORCE with an LSTM controller (Zoph & Le 2017; FNAS DAC 2019 settings as defaults)",
		Params: reinforceParams()},
	{Name: "evolution", Doc: "regularized (aging) evolution (Real et al. AAAI 2019): tournament, mutate one gene, evict the oldest",
		Params: []Param{
			{Name: "population", Default: 20, Min: 2, Max: 1e6, Integer: true, Doc: "individuals alive; the first ones are random (Real et al. used 100 for budgets of thousands)"},
			{Name: "sample", Default: 5, Min: 1, Max: 1e6, Integer: true, Doc: "tournament size, at most population (Real et al. used 25)"},
			{Name: "retries", Default: 10, Min: 0, Max: 1e6, Integer: true, Doc: "re-mutations to avoid a genome already asked"},
		}},
	{Name: "nsga2", Doc: "NSGA-II (Deb et al. 2002): non-dominated sort, crowding, binary tournament, uniform crossover, mutation, constrained domination", Multi: true,
		Params: []Param{
			{Name: "population", Default: 50, Min: 2, Max: 1e6, Integer: true, Doc: "parents kept per generation (Optuna's default 50)"},
			{Name: "crossover", Default: 0.9, Min: 0, Max: 1, Doc: "probability that a child mixes two parents (Optuna 0.9)"},
			{Name: "swap", Default: 0.5, Min: 0, Max: 1, Doc: "uniform crossover: probability a gene comes from the second parent (Optuna 0.5)"},
			{Name: "mutation", Default: 0, Min: 0, Max: 1, Doc: "per-gene mutation probability; 0 means 1/genes"},
			{Name: "retries", Default: 10, Min: 0, Max: 1e6, Integer: true, Doc: "new children to avoid a genome already asked"},
		}},
	{Name: "coexplore", Doc: "two-level co-exploration (Jiang et al. TCAD 2020): one controller samples architecture and hardware genes; hardware is checked fast by Config.Hardware and only architectures with a feasible design are returned", NeedsHardware: true,
		Params: append(reinforceParams(),
			Param{Name: "hw_tries", Default: 10, Min: 1, Max: 1e6, Integer: true, Doc: "hardware samples per architecture before it is pruned (rl_interface: 10)"},
			Param{Name: "arch_tries", Default: 100, Min: 1, Max: 1e6, Integer: true, Doc: "architectures sampled per returned candidate before Ask gives up"},
			Param{Name: "hw_penalty", Default: -1, Min: -1e9, Max: 1e9, Doc: "reward of an architecture/hardware pair without a feasible design (rl_interface: -1)"},
		)},
	{Name: "bananas", Doc: "BANANAS (White, Neiswanger & Savani, AAAI 2021): an ensemble of neural predictors trained on the results, candidates mutated from the best, chosen by independent Thompson sampling; with several objectives and no reward, one ensemble per objective and the hypervolume a Thompson sample adds; under fidelity asha or hyperband, fit on the highest fidelity with enough results (BOHB, Falkner et al. ICML 2018)",
		Pareto: true,
		Params: []Param{
			{Name: "initial", Default: 10, Min: 1, Max: 1e6, Integer: true, Doc: "random genomes asked before the predictor is used (BANANAS 10)"},
			{Name: "candidates", Default: 100, Min: 1, Max: 1e6, Integer: true, Doc: "mutated genomes scored by the predictor per ask (BANANAS 100)"},
			{Name: "parents", Default: 10, Min: 1, Max: 1e6, Integer: true, Doc: "best results the candidates are mutated from"},
			{Name: "edits", Default: 1, Min: 1, Max: 1e6, Integer: true, Doc: "at most this many genes changed per mutation (uniform in 1..edits)"},
			{Name: "ensemble", Default: 5, Min: 1, Max: 100, Integer: true, Doc: "predictors in the ensemble (BANANAS 5)"},
			{Name: "hidden", Default: 20, Min: 1, Max: 4096, Integer: true, Doc: "units per hidden layer (BANANAS 20)"},
			{Name: "layers", Default: 3, Min: 1, Max: 32, Integer: true, Doc: "hidden layers (BANANAS 10; 3 trains faster and predicts as well on these budgets)"},
			{Name: "epochs", Default: 100, Min: 1, Max: 1e5, Integer: true, Doc: "passes over the results per retraining"},
			{Name: "lr", Default: 0.01, Min: 0, Max: 10, Doc: "Adam learning rate (BANANAS 0.01)"},
			{Name: "batch", Default: 32, Min: 1, Max: 1e6, Integer: true, Doc: "results per Adam step"},
			{Name: "steps", Default: 300, Min: 1, Max: 1e9, Integer: true, Doc: "at most this many Adam steps per predictor and retraining, so an ask stays fast as results accumulate"},
		}},
	{Name: "fbnet", Differentiable: true,
		Doc: "FBNet (Wu et al. CVPR 2019): a supernet whose positions mix every candidate by Gumbel-softmax weights, trained with the architecture parameters against the latency table; loss CE·alpha·(log LAT)^beta",
		Params: append(diffParams(), []Param{
			{Name: "temperature", Default: 5, Min: 1e-3, Max: 100, Doc: "Gumbel-softmax temperature of the first epoch (FBNet 5.0)"},
			{Name: "decay", Default: 0.956, Min: 0.01, Max: 1, Doc: "temperature factor per epoch (FBNet 0.956)"},
			{Name: "alpha", Default: 0.2, Min: 1e-6, Max: 100, Doc: "scale of the loss CE·alpha·(log LAT)^beta, LAT in microseconds (FBNet 0.2)"},
			{Name: "beta", Default: 0.6, Min: 0, Max: 10, Doc: "exponent of the latency term; 0 ignores latency (FBNet 0.6)"},
		}...)},
	{Name: "proxyless", Differentiable: true,
		Doc: "ProxylessNAS (Cai et al. ICLR 2019): binarised paths, one sampled path per weight step and two per architecture step, against the expected latency from the latency table",
		Params: append(diffParams(), []Param{
			{Name: "loss", Default: 0, Min: 0, Max: 2, Integer: true, Choices: []string{"mul_log", "add_linear", "mnas_hard"}, Doc: "mul_log: alpha·CE·(log E[LAT] / log target)^beta; add_linear: CE + lambda·(E[LAT] − target)/target (ProxylessNAS's two forms); mnas_hard: alpha·CE·max(1, E[LAT]/target), MnasNet's hard constraint, no latency pressure within the target"},
			{Name: "alpha", Default: 1, Min: 1e-6, Max: 100, Doc: "mul_log and mnas_hard: scale of the loss (ProxylessNAS 1)"},
			{Name: "beta", Default: 0.6, Min: 0, Max: 10, Doc: "mul_log: exponent of the latency ratio (ProxylessNAS 0.6)"},
			{Name: "lambda", Default: 0.2, Min: 0, Max: 100, Doc: "add_linear: weight of the relative latency excess (ProxylessNAS 0.2)"},
			{Name: "target", Default: 0, Min: 0, Max: 1e9, Time: true, Doc: "latency target; 0 takes the experiment's require latency <= …"},
		}...)},
}

// PriorUniform is the value of fbnet's and proxyless's prior parameter
// that starts θ at 0, every candidate of a position equally likely.
const PriorUniform = 1

// DeriveWithinTarget is the value of fbnet's and proxyless's derive
// parameter that derives the most likely child within the latency target.
const DeriveWithinTarget = 1

// diffParams are the parameters fbnet and proxyless share.
func diffParams() []Param {
	return []Param{
		{Name: "epochs", Default: 8, Min: 1, Max: 10000, Integer: true, Doc: "epochs of search over the weights' share of the training split (FBNet 90 and ProxylessNAS 120 on ImageNet; 8 suits MNIST)"},
		{Name: "warmup", Default: 2, Min: 0, Max: 10000, Integer: true, Doc: "first epochs that train the weights only, paths drawn from the prior (both papers warm up)"},
		{Name: "prior", Default: 0, Min: 0, Max: 1, Integer: true, Choices: []string{"genome", "uniform"}, Doc: "where θ starts. genome: each candidate's probability under a uniformly drawn genome, where the black-box searches start (a choice of a block and skip skips half the time, whatever the block's variants); uniform: every candidate of a position equally likely, θ = 0 (both papers, whose positions list their candidates flat)"},
		{Name: "arch_lr", Default: 0.05, Min: 0, Max: 10, Doc: "Adam learning rate of the architecture parameters (FBNet 0.01 and ProxylessNAS 0.006 on ImageNet, with hundreds of steps per epoch where MNIST has tens)"},
		{Name: "split", Default: 0.8, Min: 0.05, Max: 0.95, Doc: "share of the training split that trains the weights; the rest trains the architecture parameters (FBNet 80 %)"},
		{Name: "derive", Default: 0, Min: 0, Max: 1, Integer: true, Choices: []string{"argmax", "within_target"}, Doc: "argmax: the derived child takes the most likely candidate at every position (both papers); within_target: the most likely child whose latency from the table is within the target (proxyless's target, fbnet's require latency <= …), and the samples after it drawn from the distribution given the target"},
		{Name: "fill", Default: 0, Min: 0, Max: 1, Doc: "with derive = within_target, the share of the target the derived children's table latency is at least (0.95: between 0.95 T and T; hwnas's own, not the papers': the children then use the budget as a black box's do); 0: no floor"},
		{Name: "samples", Default: 1, Min: 1, Max: 1000, Integer: true, Doc: "children derived per search: the most likely, then distinct ones drawn from the final distribution (FBNet samples 6 and trains them from scratch: retrain as many; retrain fewer to train the best by the supernet's weights)"},
	}
}

func reinforceParams() []Param {
	// Defaults from FNAS's released code (Jiang et al. DAC 2019; controller.py,
	// train.py); "NAS" is Zoph & Le, ICLR 2017.
	return []Param{
		{Name: "hidden", Default: 32, Min: 1, Max: 4096, Integer: true, Doc: "LSTM units (FNAS 32; NAS 35)"},
		{Name: "embed", Default: 20, Min: 1, Max: 4096, Integer: true, Doc: "embedding size per decision (FNAS 20)"},
		{Name: "lr", Default: 0.1, Min: 0, Max: 10, Doc: "RMSProp learning rate (FNAS 0.1)"},
		{Name: "lr_decay", Default: 0.95, Min: 0, Max: 1, Doc: "learning rate factor every lr_steps updates (FNAS 0.95)"},
		{Name: "lr_steps", Default: 500, Min: 1, Max: 1e9, Integer: true, Doc: "updates between learning rate decays (FNAS 500)"},
		{Name: "rms_decay", Default: 0.9, Min: 0, Max: 0.999999, Doc: "RMSProp decay of the squared-gradient average (TensorFlow default 0.9)"},
		{Name: "l2", Default: 1e-3, Min: 0, Max: 10, Doc: "L2 penalty on the controller weights (FNAS 1e-3)"},
		{Name: "explore", Default: 0.1, Min: 0, Max: 1, Doc: "share of genomes drawn uniformly at random (FNAS 0.1)"},
		{Name: "entropy", Default: 0, Min: 0, Max: 10, Doc: "entropy bonus weight (FNAS uses none)"},
		{Name: "baseline", Default: 0.8, Min: 0, Max: 1, Doc: "EMA decay of the reward baseline (FNAS β 0.8); ignored for rewards that already subtract one (FNAS)"},
		{Name: "init", Default: 0.1, Min: 0, Max: 10, Doc: "weights start uniform in ±init"},
		{Name: "retries", Default: 0, Min: 0, Max: 1e6, Integer: true, Doc: "resamples to avoid a genome already asked (FNAS: 0)"},
		{Name: "batch", Default: 1, Min: 1, Max: 1e6, Integer: true, Doc: "results averaged per controller update (NAS: m children; FNAS: 1)"},
	}
}

// Kinds lists the strategy kinds, sorted by name.
func Kinds() []KindInfo {
	out := slices.Clone(kinds)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Kind returns the description of a kind.
func Kind(name string) (KindInfo, bool) {
	for _, k := range kinds {
		if k.Name == name {
			return k, true
		}
	}
	return KindInfo{}, false
}

func kindNames() string {
	var ns []string
	for _, k := range Kinds() {
		ns = append(ns, k.Name)
	}
	return strings.Join(ns, ", ")
}

// Resolve checks params against a kind and returns them with defaults filled
// in. Errors start with the kind's name.
func (k KindInfo) Resolve(params map[string]float64) (map[string]float64, error) {
	out := make(map[string]float64, len(k.Params))
	for _, p := range k.Params {
		out[p.Name] = p.Default
	}
	names := make([]string, 0, len(params))
	for n := range params {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		v := params[n]
		p, ok := k.Param(n)
		if !ok {
			var valid []string
			for _, q := range k.Params {
				valid = append(valid, q.Name)
			}
			if len(valid) == 0 {
				return nil, fmt.Errorf("%s: unknown parameter %q (it takes none)", k.Name, n)
			}
			return nil, fmt.Errorf("%s: unknown parameter %q (valid: %s)", k.Name, n, strings.Join(valid, ", "))
		}
		if math.IsNaN(v) || v < p.Min || v > p.Max {
			return nil, fmt.Errorf("%s: parameter %s = %v out of range [%v, %v]", k.Name, n, v, p.Min, p.Max)
		}
		if p.Integer && v != math.Trunc(v) {
			return nil, fmt.Errorf("%s: parameter %s = %v must be a whole number", k.Name, n, v)
		}
		out[n] = v
	}
	return out, nil
}

// Param returns the kind's parameter called name.
func (k KindInfo) Param(name string) (Param, bool) {
	for _, p := range k.Params {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// checkGenome checks cfg's genes and objectives.
func checkGenome(kind string, cfg Config) error {
	if len(cfg.Cards) == 0 {
		return fmt.Errorf("strategy %s: the genome has no genes", kind)
	}
	for i, c := range cfg.Cards {
		if c < 1 {
			return fmt.Errorf("strategy %s: gene %d has %d choices, want at least 1", kind, i, c)
		}
	}
	if len(cfg.Senses) == 0 {
		return fmt.Errorf("strategy %s: no objectives", kind)
	}
	for i, s := range cfg.Senses {
		if s != Minimize && s != Maximize {
			return fmt.Errorf("strategy %s: objective %d has sense %d, want Minimize or Maximize", kind, i, s)
		}
	}
	return nil
}

// New builds a strategy of the named kind.
func New(kind string, cfg Config) (Strategy, error) {
	k, ok := Kind(kind)
	if !ok {
		return nil, fmt.Errorf("unknown strategy %q (valid: %s)", kind, kindNames())
	}
	if k.Differentiable {
		return nil, fmt.Errorf("strategy %s is differentiable: the engine runs it with a supernet, it does not ask and tell", kind)
	}
	if err := checkGenome(kind, cfg); err != nil {
		return nil, err
	}
	p, err := k.Resolve(cfg.Params)
	if err != nil {
		return nil, fmt.Errorf("strategy %w", err)
	}
	cfg.Params = p
	cfg.Cards = slices.Clone(cfg.Cards)
	cfg.Senses = slices.Clone(cfg.Senses)
	if err := k.defaultReward(&cfg); err != nil {
		return nil, err
	}
	if k.NeedsHardware {
		if cfg.Hardware == nil {
			return nil, fmt.Errorf("strategy %s needs a hardware-only evaluation (Config.Hardware)", kind)
		}
		if cfg.HardwareGenes < 1 || cfg.HardwareGenes >= len(cfg.Cards) {
			return nil, fmt.Errorf("strategy %s: %d hardware genes of %d, want between 1 and %d", kind, cfg.HardwareGenes, len(cfg.Cards), len(cfg.Cards)-1)
		}
	}
	switch kind {
	case "random":
		return newRandom(cfg), nil
	case "grid":
		return newGrid(cfg), nil
	case "evolution":
		return newEvolution(cfg)
	case "nsga2":
		return newNSGA2(cfg), nil
	case "reinforce":
		return newReinforce(cfg)
	case "coexplore":
		return newCoexplore(cfg)
	case "bananas":
		return newBananas(cfg), nil
	}
	return nil, fmt.Errorf("strategy %s is registered but not built", kind)
}

// defaultReward gives a kind that scalarises, and has no reward, its single
// objective's; several objectives need a reward unless the kind ranks them
// itself (Multi, or Pareto without a reward).
func (k KindInfo) defaultReward(cfg *Config) error {
	switch {
	case k.Multi || cfg.Reward != nil:
	case len(cfg.Senses) == 1:
		cfg.Reward = DefaultReward(cfg.Senses[0])
	case !k.Pareto:
		return fmt.Errorf("strategy %s optimises one value: set a reward (e.g. weighted sum) to combine %d objectives", k.Name, len(cfg.Senses))
	}
	return nil
}
