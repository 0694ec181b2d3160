package dsl

import (
	"github.com/hwnas/hwnas/dsl/syntax"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/fpga"
	"github.com/hwnas/hwnas/metric"
)

// Spec is a checked set of declarations: everything the engine needs, with
// every name resolved and every quantity in its canonical unit.
type Spec struct {
	Platforms   map[string]*Platform
	Pools       map[string]*Pool
	Spaces      map[string]*Space
	Datasets    map[string]*Dataset
	Evaluators  map[string]*Evaluator
	Metrics     map[string]*Metric // declared by `metric NAME { … }`
	Experiments map[string]*Experiment
	Order       []string // experiment names in declaration order
	Runs        []string // experiments named by run statements, in order
}

// Metric is a metric the spec declares: a command evaluator reports it
// under its name, in its unit.
type Metric struct {
	Name string
	Dim  metric.Dimension
	Unit string // the canonical unit of Dim ("" for a count or a fraction)
	Goal string // "minimize", "maximize", or "" when either is sensible
	Pos  syntax.Pos
}

// Platform is one FPGA: a catalog entry with overrides, or a custom device.
type Platform struct {
	Name      string
	Catalog   string        // the catalog entry it derives from, "" for a custom device
	Device    fpga.Platform // overrides applied; ClockMHz in MHz, BandwidthGBs in GB/s, StaticW in W
	Precision fpga.Precision
	// Calibration, when the platform has calibration = "file.json", maps
	// the model's latency to the board's (hwnas calibrate).
	Calibration *fpga.Calibration
	Pos         syntax.Pos
}

// Pool is a set of FPGAs working as one multi-FPGA pipeline.
type Pool struct {
	Name      string // "" for a pool written inline in an experiment
	Pool      fpga.Pool
	Precision fpga.Precision
	Pos       syntax.Pos
}

// Space is a search space.
type Space struct {
	Name      string
	Space     arch.Space // *arch.ChainSpace, *arch.CellSpace or a benchmark's space
	Benchmark string     // the benchmark name for `benchmark("…")` spaces
	Pos       syntax.Pos
}

// Dataset is a data source and the training fidelity of one evaluation.
type Dataset struct {
	Name      string
	Source    string // "builtin", "idx" or "cifar10"
	Builtin   string // the built-in data set's name ("mnist") when Source is builtin
	Path      string // directory of the files for idx and cifar10, resolved as imports are (relative to the spec file)
	Train     int    // training images; 0 = the whole training split
	Val       int    // validation images taken from the training split; 0 = none
	Test      int    // test images; 0 = the whole test split
	Epochs    int
	Batch     int
	Optimizer string // "adam", "sgd" or "rmsprop"
	LR        float64
	Pos       syntax.Pos

	written string // Path as the spec writes it, which the hash takes
}

// Evaluator says how a candidate's accuracy is obtained.
type Evaluator struct {
	Name      string
	Kind      string   // "train", "table", "command" or "supernet"
	Benchmark string   // table: the benchmark whose table is read ("nasbench201")
	Split     string   // table: the benchmark's data set ("cifar10", "cifar100", "ImageNet16-120")
	Command   []string // command: program and arguments (run without a shell)
	TimeoutMs float64  // command: ms before the program is killed; 0 = none
	Epochs    int      `json:",omitempty"` // supernet: epochs of supernet training (left out of the hash when 0)
	BNBatches int      `json:",omitempty"` // supernet: batches re-estimating a child's batch-norm statistics
	Pos       syntax.Pos
}

// Objective is one metric to optimise.
type Objective struct {
	Metric   string // a name from Metrics
	Maximize bool
}

// Constraint is a hard constraint: candidates that miss it are pruned, and
// hardware constraints are checked before training.
type Constraint struct {
	Metric string
	Op     string  // "<=", "<", ">=" or ">"
	Limit  float64 // in the metric's canonical unit (accuracy as a fraction)
}

// Reward is a soft reward. MnasNet (Tan et al., CVPR 2019) scores
// accuracy × (metric / Target)^w with w = Below when metric ≤ Target, else Above.
type Reward struct {
	Kind   string // "mnasnet", or "fnas" (FNAS DAC 2019: the target is the latency spec; Below and Above unused)
	Metric string
	Target float64 // canonical unit of Metric
	Below  float64
	Above  float64
}

// Strategy is a search strategy and its parameters.
type Strategy struct {
	Kind   string
	Params map[string]float64
	// Sweep, for a differentiable strategy (fbnet, proxyless), is one
	// parameter written `name in {v1, v2, …}`: the search runs once per
	// value, each deriving one child, tracing a front.
	Sweep *Sweep `json:",omitempty"` // left out when unset: older hashes stay
}

// Sweep is a strategy parameter taking several values, one search each.
type Sweep struct {
	Param  string
	Values []float64 // in the parameter's canonical unit, in the order written
}

// Fidelity is a multi-fidelity schedule, `fidelity asha { … }`: children
// train MinEpochs, MinEpochs·Eta, … up to MaxEpochs epochs, going on only in
// the top 1/Eta (asynchronous successive halving, Li et al. MLSys 2020); or
// `fidelity hyperband { … }`: the same in Hyperband's brackets, each
// starting at a later rung (Li et al. JMLR 2018).
type Fidelity struct {
	Kind                      string // "asha" or "hyperband"
	MinEpochs, MaxEpochs, Eta int
}

// HardwareSearch puts the hardware into the genome: which devices of a pool
// are used, how layers are partitioned over them, the tiling and the
// precision are searched with the network.
type HardwareSearch struct {
	Devices    []fpga.Platform
	LinkGBs    float64 // inter-FPGA link bandwidth, GB/s
	Precisions []fpga.Precision
	Partition  bool // search the layer partition over devices
	Tiling     bool // search the tiling of each layer
}

// Experiment is one search: a space, hardware, an evaluation and a goal.
type Experiment struct {
	Name string

	Space *Space

	// Hardware: at most one of these is set.
	Platform       *Platform
	Pool           *Pool
	HardwareSearch *HardwareSearch

	Dataset   *Dataset   // nil when the evaluator needs none
	Evaluator *Evaluator // never nil: train unless declared

	Objectives  []Objective
	Constraints []Constraint
	Reward      *Reward

	Strategy Strategy
	Fidelity *Fidelity // nil: every child trains the dataset's epochs
	Trials   int       // trial budget; 0 = none
	TimeMs   float64   // wall-clock budget in ms; 0 = none
	Parallel int       // evaluations at once (at least 1)
	Retrain  int       // supernet: children retrained from scratch after the search
	Seed     int64

	// Quantize is post-training quantization of every trained network
	// (quantize = …): 0 none, QuantizeDesign to the precision of the
	// trial's design, or a width in bits (16, 8, 4).
	Quantize int

	// Executor is where evaluations run: "" or "local" (this process),
	// "embedded" (an in-process NATS server and local workers) or
	// "nats://HOST:PORT". Results do not depend on it, so Hash leaves it out.
	Executor string

	Source string // the experiment's source text
	// Standalone is the source of the declarations the experiment uses,
	// then Source: a spec that checks on its own (if its data directories
	// are where it says), which the engine stores with the results.
	Standalone string
	Pos        syntax.Pos
	Deps       []string // the declarations it uses, by name
	hash       string
}

// QuantizeDesign is Experiment.Quantize for quantize = true.
const QuantizeDesign = -1

// Hash returns a hash of the checked values of the experiment and of the
// declarations it uses: layout, comments, most names (see experimentHash),
// the budget, parallelism and executor do not change it.
func (e *Experiment) Hash() string { return e.hash }
