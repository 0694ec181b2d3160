package engine

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/dsl"
	"github.com/hwnas/hwnas/fpga"
	"github.com/hwnas/hwnas/fpga/lut"
	"github.com/hwnas/hwnas/search"
)

// Experiment is everything Run needs, as plain data.
type Experiment struct {
	Name string
	Spec string // the spec text, stored with the results
	Hash string // identifies the spec in the store: FromSpec sets dsl's hash, Run derives SpecHash(Spec) when empty

	Space     arch.Space
	Hardware  Hardware
	Evaluator Evaluator
	Fidelity  Fidelity
	ASHA      ASHA // a multi-fidelity schedule; the zero value trains every child at Fidelity

	Objectives  []Objective  // the first is the one "best so far" reports
	Constraints []Constraint // hard ones prune before training
	Reward      Reward
	Strategy    StrategySpec
	Budget      Budget
	// Table is the latency table of the space on the platform, which the
	// differentiable strategies (fbnet, proxyless) search against; FromSpec
	// builds it for them.
	Table *lut.Table

	Retrain      int           // supernet evaluator: the best children trained from scratch after the search
	Parallel     int           // concurrent evaluations (default 1)
	Batch        int           // candidates asked per round; fixed so results do not depend on Parallel (default 4)
	TrialTimeout time.Duration // per evaluation; 0 means none
	Seed         int64

	// Quantize measures accuracy after post-training quantization: 0 not,
	// QuantizeDesign at the precision of each trial's design (int16, int8;
	// a float design is not quantized), or a width in bits. It sets
	// Fidelity.QuantBits per trial.
	Quantize int
}

// QuantizeDesign is Experiment.Quantize for the precision of the design.
const QuantizeDesign = dsl.QuantizeDesign

// Objective is a metric to maximise or minimise.
type Objective struct {
	Metric   string
	Maximize bool
}

func (o Objective) String() string {
	if o.Maximize {
		return "maximize " + o.Metric
	}
	return "minimize " + o.Metric
}

// Constraint bounds a metric. A hard constraint on a hardware metric prunes
// the candidate before training; any violated constraint makes a trial
// infeasible.
type Constraint struct {
	Metric string
	Op     string // "<=", "<", ">=", ">"
	Value  float64
	Hard   bool
}

func (c Constraint) String() string {
	s := c.Metric + " " + c.Op + " " + strconv.FormatFloat(c.Value, 'g', -1, 64)
	if !c.Hard {
		s += " (soft)"
	}
	return s
}

// Holds reports whether v satisfies c.
func (c Constraint) Holds(v float64) bool {
	switch c.Op {
	case "<=":
		return v <= c.Value
	case "<":
		return v < c.Value
	case ">=":
		return v >= c.Value
	case ">":
		return v > c.Value
	}
	return false
}

// Reward names how a single-objective strategy's scalar reward is formed.
// Kind "" is the strategy's default (see newStrategy for the FNAS rule).
type Reward struct {
	Kind   string  // "", "fnas" or "mnasnet"
	Metric string  // the hardware metric the reward reads (latency_ms for fnas)
	Target float64 // the spec or target, in Metric's unit
	Below  float64 // mnasnet: exponent when Metric ≤ Target
	Above  float64 // mnasnet: exponent when Metric > Target
}

// StrategySpec names a search strategy and its parameters.
type StrategySpec struct {
	Kind   string // "random", "reinforce", "evolution", ...
	Params map[string]float64
	// Sweep names a parameter of a differentiable strategy searched once per
	// value of SweepValues, each deriving its children (samples, one by default).
	Sweep       string
	SweepValues []float64
}

// Budget ends a search: after Trials candidates, or when the charged time
// (training wall time, or the table's training time) passes Time.
type Budget struct {
	Trials int
	Time   time.Duration
}

// Hardware scores networks on FPGA hardware. Genes, when present, are
// hardware decisions appended to the architecture's genome (co-design).
type Hardware struct {
	Key   string          // platform or pool + design or optimiser options: the hardware cache key
	Model string          // version of the model that scores; a new version re-scores
	Genes []arch.Decision // hardware decisions searched with the architecture
	// Score returns the canonical design and hardware metrics of n with the
	// given hardware genes.
	Score func(n *arch.Network, genes []int) (design string, m Metrics, err error)
	// Report, when set (the FPGA model's hardware), returns the design and
	// the model's full report, layer by layer, that Score summarises.
	Report func(n *arch.Network, genes []int) (fpga.Design, fpga.Report, error)
	// Pool is the devices the designs run on (one for a single
	// platform), for export.
	Pool fpga.Pool
}

// Fidelity is the training setup: everything accuracy depends on besides the
// network.
type Fidelity struct {
	Dataset   string
	Train     int // training examples (0: all)
	Val       int // validation examples held out of the training set
	Test      int // test examples (0: all)
	Epochs    int
	Batch     int
	LR        float64
	Optimizer string // "adam", "sgd", ...; "" for the trainer's default
	Seed      int64
	// QuantBits: accuracy is measured after post-training quantization to
	// this many bits (engine/nn), the float accuracy kept as accuracy_fp32;
	// 0 is float.
	QuantBits int `json:",omitempty"`
	// Stop, when between 1 and Epochs, ends training after Stop epochs of a
	// schedule that spans Epochs: a rung of a fidelity schedule (ASHA).
	Stop int
}

// Key is the canonical form of f used in the accuracy cache (the evaluator's
// name is added by the engine; seed is keyed apart).
func (f Fidelity) Key() string {
	k := fmt.Sprintf("train=%d val=%d test=%d epochs=%d batch=%d lr=%g opt=%s", f.Train, f.Val, f.Test, f.Epochs, f.Batch, f.LR, f.Optimizer)
	if f.QuantBits > 0 {
		k += fmt.Sprintf(" quant=int%d", f.QuantBits)
	}
	if f.Stop > 0 {
		k += fmt.Sprintf(" stop=%d", f.Stop)
	}
	return k
}

// Validate reports what is missing or inconsistent in e.
func (e *Experiment) Validate() error {
	var errs []string
	if e.Name == "" {
		errs = append(errs, "no name")
	}
	if e.Space == nil {
		errs = append(errs, "no search space")
	}
	if e.Evaluator == nil {
		errs = append(errs, "no evaluator")
	}
	if len(e.Objectives) == 0 {
		errs = append(errs, "no objective")
	}
	if e.Budget.Trials <= 0 && e.Budget.Time <= 0 {
		errs = append(errs, "no budget (trials or time)")
	}
	if e.Budget.Trials < 0 {
		errs = append(errs, fmt.Sprintf("budget of %d trials is negative", e.Budget.Trials))
	}
	if e.Parallel < 0 || e.Batch < 0 {
		errs = append(errs, "parallel and batch must not be negative")
	}
	if err := e.ASHA.check(localOf(e.Evaluator)); err != nil {
		errs = append(errs, err.Error())
	}
	if e.Hardware.Score == nil && len(e.Hardware.Genes) > 0 {
		errs = append(errs, "hardware genes without a hardware model")
	}
	for _, c := range e.Constraints {
		switch c.Op {
		case "<=", "<", ">=", ">":
		default:
			errs = append(errs, fmt.Sprintf("constraint on %s: unknown comparison %q", c.Metric, c.Op))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("experiment %q: %s", e.Name, strings.Join(errs, "; "))
	}
	return nil
}

// Decisions is the whole genome layout: the space's decisions, then the
// hardware genes.
func (e *Experiment) Decisions() []arch.Decision {
	ds := append([]arch.Decision(nil), e.Space.Decisions()...)
	return append(ds, e.Hardware.Genes...)
}

// Cardinalities is the number of choices of every gene of the genome.
func (e *Experiment) Cardinalities() []int {
	ds := e.Decisions()
	out := make([]int, len(ds))
	for i, d := range ds {
		out[i] = len(d.Choices)
	}
	return out
}

// hardwareOnly is the fast check of co-exploration and bananas: does a full
// genome's hardware meet every hard constraint on the metrics the hardware
// model gives? It is nil without hardware, and without hardware genes or
// hard constraints (nothing to check).
func (e *Experiment) hardwareOnly() search.HardwareFunc {
	hard := slices.ContainsFunc(e.Constraints, func(c Constraint) bool { return c.Hard })
	if e.Hardware.Score == nil || (len(e.Hardware.Genes) == 0 && !hard) {
		return nil
	}
	nArch := len(e.Space.Decisions())
	return func(g []int) bool {
		if len(g) < nArch {
			return false
		}
		n, err := e.Space.Decode(g[:nArch])
		if err != nil {
			return false
		}
		_, m, err := e.Hardware.Score(n, g[nArch:])
		if err != nil {
			return false
		}
		for _, c := range e.Constraints {
			if v, ok := m[c.Metric]; ok && c.Hard && !c.Holds(v) {
				return false
			}
		}
		return true
	}
}
