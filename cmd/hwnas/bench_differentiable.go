package main

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/dsl"
	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/metric"
	"github.com/hwnas/hwnas/search"
)

// differentiableSpec is examples/differentiable_mnist.hwnas, built in for
// `hwnas bench differentiable`; TestDifferentiableSpecMatchesExample keeps
// the copy equal.
//
//go:embed demo/differentiable_mnist.hwnas
var differentiableSpec string

// differentiableKinds are the strategies that train a supernet and derive
// their child from it; every other kind is a black box that trains the
// children it asks for.
var differentiableKinds = []string{"fbnet", "proxyless"}

// diffResult is one search of `hwnas bench differentiable`: for a
// differentiable search its derived child, retrained; for a black-box
// search its best child within the spec.
type diffResult struct {
	Strategy string `json:"strategy"` // the experiment, named after its strategy
	Seed     int64  `json:"seed"`
	// Derive, Fill and Samples are how a differentiable search derived
	// its children (its strategy's derive, fill and samples), Prior where
	// its θ started (its prior).
	Derive       string   `json:"derive,omitempty"`
	Prior        string   `json:"prior,omitempty"`
	Fill         float64  `json:"fill,omitempty"`
	Samples      int      `json:"samples,omitempty"`
	Family       string   `json:"family"` // "differentiable" or "black-box"
	TargetMs     float64  `json:"target_ms"`
	LatencyMs    *float64 `json:"latency_ms"` // the FPGA model's, of the child
	Accuracy     *float64 `json:"accuracy"`   // validation, trained from scratch
	TestAccuracy *float64 `json:"test_accuracy,omitempty"`
	InSpec       bool     `json:"in_spec"` // a child meets every constraint
	SearchS      float64  `json:"search_s"`
	Genome       []int    `json:"genome,omitempty"`
	Network      string   `json:"network,omitempty"`
	Trials       int      `json:"trials"`  // children asked (black box) or derived (differentiable)
	Trained      int      `json:"trained"` // children trained from scratch
	Pruned       int      `json:"pruned"`
	// ActivationMB is the most activation and gradient memory a step of a
	// differentiable search held (engine.ArchEpoch.ActivationBytes), in MB.
	ActivationMB *float64 `json:"activation_mb,omitempty"`
	// Final is the child's final training (--final-epochs), absent for a
	// child outside the spec or with --final-epochs 0.
	Final *finalTraining `json:"final,omitempty"`
}

// finalTraining is one child trained from scratch for the bench's final
// epochs once per final seed, the same seeds for every search's child.
type finalTraining struct {
	Accuracy     float64   `json:"accuracy"`      // validation, mean over the seeds
	TestAccuracy float64   `json:"test_accuracy"` // mean over the seeds
	TestBySeed   []float64 `json:"test_by_seed"`
}

// diffBench is what `hwnas bench differentiable` prints.
type diffBench struct {
	Space    string  `json:"space"`
	Genomes  int64   `json:"genomes"`
	Platform string  `json:"platform"`
	Spec     string  `json:"spec"`
	Seed     int64   `json:"seed"`  // the first seed
	Seeds    int     `json:"seeds"` // seeds that finished: Seed, Seed+1, …
	Ratio    float64 `json:"ratio"` // black-box wall time / the slowest differentiable search's
	// ChildEpochs is the epochs every child was trained for, black-box or
	// retrained (the spec's dataset epochs, or --child-epochs).
	ChildEpochs int `json:"child_epochs"`
	// BlackBoxTimeS is each black-box search's wall time, the mean over the
	// seeds (Runs has each seed's).
	BlackBoxTimeS float64      `json:"blackbox_time_s"`
	Derive        string       `json:"derive,omitempty"` // how the differentiable searches derived their children, when they agree
	Fill          float64      `json:"fill,omitempty"`
	Results       []diffResult `json:"results"` // every search of every seed, in order
	// GoalMet: every differentiable child is in spec and at least as accurate
	// as every black-box search's best, and the black-box searches had at
	// least three times the wall time of the slowest differentiable one.
	// Over several seeds: every differentiable child in spec in every seed,
	// its mean accuracy over the seeds at least every black box's mean (over
	// the seeds where the black box had a child in spec), and the time so in
	// every seed.
	GoalMet bool `json:"goal_met"`
	// FinalEpochs and FinalSeeds are the final training every search's
	// child gets (docs/cli.md); FinalGoalMet is goal_met with the children's
	// mean final test accuracies in place of their accuracies.
	FinalEpochs  int     `json:"final_epochs,omitempty"`
	FinalSeeds   []int64 `json:"final_seeds,omitempty"`
	FinalGoalMet *bool   `json:"final_goal_met,omitempty"`
	// Runs and Summary are there with several seeds: each seed's goals, and
	// each search's figures as means over the seeds.
	Runs    []diffSeed    `json:"runs,omitempty"`
	Summary []diffSummary `json:"summary,omitempty"`
	// Interrupted says why the benchmark stopped before its last seed.
	Interrupted string `json:"interrupted,omitempty"`
	LoadAverage string `json:"load_average,omitempty"`
}

// diffSeed is one seed of `hwnas bench differentiable --seeds`.
type diffSeed struct {
	Seed          int64   `json:"seed"`
	BlackBoxTimeS float64 `json:"blackbox_time_s"`
	SlowestS      float64 `json:"slowest_differentiable_s"`
	GoalMet       bool    `json:"goal_met"`
	FinalGoalMet  *bool   `json:"final_goal_met,omitempty"`
}

// timeMet is the goal's time: the black boxes had at least three times
// the slowest differentiable search's wall time.
func (run diffSeed) timeMet() bool { return 3*run.SlowestS <= run.BlackBoxTimeS }

// diffSummary is one search over the seeds: latency over the seeds with a
// child, accuracies over those with a child in spec.
type diffSummary struct {
	Strategy  string    `json:"strategy"`
	Family    string    `json:"family"`
	InSpec    int       `json:"in_spec"` // seeds whose child met the spec
	LatencyMs *estimate `json:"latency_ms,omitempty"`
	Accuracy  *estimate `json:"accuracy,omitempty"`
	FinalTest *estimate `json:"final_test_accuracy,omitempty"`
	SearchS   estimate  `json:"search_s"`
	// FinalVs holds, for a differentiable search, its final test accuracy
	// minus each black box's, paired by seed (the seeds where both have a
	// final training): whether a gap is more than the seeds' noise.
	FinalVs map[string]estimate `json:"final_test_vs,omitempty"`
}

// diffOptions are the flags of `hwnas bench differentiable`.
type diffOptions struct {
	strategies string        // comma-separated
	time       time.Duration // black-box wall time; 0: ratio × the slowest differentiable search
	ratio      float64
	epochs     int     // differentiable searches' epochs; 0: the spec's
	targetMs   float64 // the latency spec; 0: the spec's
	train      int     // training images; 0: the spec's
	childEp    int     // epochs every child is trained for, by every search; 0: the spec's
	samples    int     // children each differentiable search derives; 0: the spec's
	retrain    int     // of them, the most accurate by the supernet's weights retrained; 0: --samples, or the spec's
	derive     string  // the differentiable searches' derive; "": the spec's
	prior      string  // the differentiable searches' prior; "": the spec's
	fill       float64 // the differentiable searches' fill, if fillSet; else the spec's
	fillSet    bool
	// finalEpochs and finalSeeds: every search's child is trained again
	// for finalEpochs epochs with seeds 1000+1 … 1000+finalSeeds; 0: not.
	finalEpochs, finalSeeds int
	seed                    int64 // the first seed; 0: the spec's
	seeds                   int   // seeds seed, seed+1, …: each runs every search
}

// diffLong is the help of `hwnas bench differentiable`.
const diffLong = `Runs examples/differentiable_mnist.hwnas (an MBConv space on the built-in MNIST,
a 0.3 ms PYNQ-Z1 latency spec), each search in a fresh store: the differentiable
searches (fbnet, proxyless) train their supernet, derive 48 children within
the spec (--samples, --derive), score them with the supernet's weights and
retrain the six best from scratch (--retrain), the most accurate kept; then
the black-box searches (FNAS-style reinforce, evolution) train every child
they ask for, for --ratio times the wall time of the slower differentiable
search (or --time). Prints, per search, the child's model latency, its
validation accuracy trained from scratch, whether it meets the spec and the
search's wall time. Then every child within the spec is trained again for
--final-epochs epochs, once per final seed (the same seeds for all), and the
children are compared by their mean test accuracy. With --seeds, all of it
runs once per seed and the goal is judged on the means over the seeds.`

func init() {
	var (
		o      diffOptions
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "differentiable",
		Short: "FBNet and ProxylessNAS against black-box REINFORCE and evolution on one latency spec",
		Long:  diffLong,
		Example: `  hwnas bench differentiable --json
  hwnas bench differentiable --ratio 3 --epochs 30
  hwnas bench differentiable --samples 6   # FBNet's protocol: six drawn children, all retrained
  hwnas bench differentiable --samples 200 --retrain 6
  hwnas bench differentiable --strategies reinforce,evolution --time 2m
  hwnas bench differentiable --seeds 5 --final-seeds 10 --json
  hwnas bench differentiable --derive argmax --samples 1   # the papers' derivation, one child
  hwnas bench differentiable --prior uniform --seeds 5      # θ starting at 0, as in the papers`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.fillSet = cmd.Flags().Changed("fill")
			if err := o.check(); err != nil {
				return &exitError{2, "hwnas bench differentiable: " + err.Error()}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			b, err := benchDifferentiable(ctx, o, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), b)
			}
			writeDiffBench(cmd.OutOrStdout(), b)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.strategies, "strategies", "fbnet,proxyless,reinforce,evolution", "searches to run: experiments of the spec, comma-separated")
	f.DurationVar(&o.time, "time", 0, "wall time of each black-box search (default: --ratio times the slower differentiable search's)")
	f.Float64Var(&o.ratio, "ratio", 3, "black-box wall time as a multiple of the slower differentiable search's (3: the issue's goal, a third of the time)")
	f.IntVar(&o.epochs, "epochs", 0, "epochs of the differentiable searches, the spec's share of them warm-up (default: the spec's)")
	f.IntVar(&o.samples, "samples", 0, "children each differentiable search derives, the most likely and distinct draws from its final distribution, scored with the supernet's weights (default: the spec's 48; it also sets --retrain unless given)")
	f.IntVar(&o.retrain, "retrain", 0, "children each differentiable search retrains from scratch, the most accurate of its derived ones with the supernet's weights; the most accurate retrained is kept (FBNet trains 6; default: --samples if given, else the spec's 6)")
	f.StringVar(&o.derive, "derive", "", "how the differentiable searches derive their child: argmax (the most likely candidate at every position) or within_target (the most likely child within the latency spec, then draws conditioned on it; default: the spec's within_target)")
	f.StringVar(&o.prior, "prior", "", "where the differentiable searches' θ starts: genome (each candidate's probability under a uniformly drawn genome) or uniform (θ = 0, the papers'; default: the spec's genome)")
	f.Float64Var(&o.fill, "fill", 0, "with derive = within_target, the least share of the spec the derived children's table latency takes (0.95: from 0.95 of it to it; 0: no floor; default: the spec's, 0)")
	f.Float64Var(&o.targetMs, "target", 0, "latency spec in ms (default: the spec's 0.3)")
	f.IntVar(&o.childEp, "child-epochs", 0, "epochs every child is trained for, black-box or derived (the spec's dataset epochs; default: the spec's 2); the supernets' epochs are --epochs")
	f.IntVar(&o.train, "train", 0, "training images (validation and test: a quarter as many; default: the spec's 2000)")
	f.IntVar(&o.finalEpochs, "final-epochs", 8, "train every search's child within the spec again for this many epochs, once per final seed, and compare them by mean test accuracy (0: not)")
	f.IntVar(&o.finalSeeds, "final-seeds", 3, "seeds of the final training (1001, 1002, …), the same for every child")
	f.Int64Var(&o.seed, "seed", 0, "seed of every search (default: the spec's 1)")
	f.IntVar(&o.seeds, "seeds", 1, "seeds --seed, --seed+1, …: each runs every search; the goal is judged on the means over the seeds")
	f.BoolVar(&asJSON, "json", false, "print one JSON object")
	benchCmd.AddCommand(cmd)
}

// check reports the first flag that makes no sense.
func (o diffOptions) check() error {
	switch {
	case o.seeds < 1:
		return fmt.Errorf("--seeds must be at least 1")
	case o.time < 0 || o.ratio <= 0:
		return fmt.Errorf("--time must not be negative and --ratio must be positive")
	case o.epochs < 0 || o.targetMs < 0 || o.train < 0 || o.childEp < 0 || o.finalEpochs < 0 || o.samples < 0 || o.retrain < 0:
		return fmt.Errorf("--epochs, --target, --train, --child-epochs, --samples, --retrain and --final-epochs must not be negative")
	case o.finalEpochs > 0 && o.finalSeeds < 1:
		return fmt.Errorf("--final-seeds must be at least 1 with --final-epochs")
	case o.strategies == "":
		return fmt.Errorf("--strategies is empty")
	case o.derive != "" && wordIndex("derive", o.derive) < 0:
		return fmt.Errorf("--derive is argmax or within_target, not %q", o.derive)
	case o.prior != "" && wordIndex("prior", o.prior) < 0:
		return fmt.Errorf("--prior is genome or uniform, not %q", o.prior)
	case o.fill < 0 || o.fill > 1:
		return fmt.Errorf("--fill is a share of the latency spec, from 0 to 1, not %g", o.fill)
	case o.fill > 0 && o.derive == "argmax":
		return fmt.Errorf("--fill %g bounds the latency of children derived within the spec: it needs --derive within_target", o.fill)
	case o.time == 0 && !slices.ContainsFunc(strings.Split(o.strategies, ","), isDifferentiable):
		return fmt.Errorf("--strategies %s has no differentiable search to time the black-box ones by: give --time", o.strategies)
	}
	return nil
}

// derivation is how the differentiable strategy st derives its children:
// its derive parameter's word, its fill and its samples.
func derivation(st engine.StrategySpec) (derive string, fill float64, samples int) {
	p := resolved(st)
	if p == nil {
		return "", 0, 0
	}
	return paramWords(st.Kind, "derive")[int(p["derive"])], p["fill"], int(p["samples"])
}

// resolved is st's parameters with the defaults filled in; nil for
// parameters Validate rejects.
func resolved(st engine.StrategySpec) map[string]float64 {
	k, _ := search.Kind(st.Kind)
	p, _ := k.Resolve(st.Params)
	return p
}

// paramWord is the word st's word parameter param resolves to, "" for
// parameters Validate rejects.
func paramWord(st engine.StrategySpec, param string) string {
	p := resolved(st)
	if p == nil {
		return ""
	}
	return paramWords(st.Kind, param)[int(p[param])]
}

// wordIndex is the value of the differentiable strategies' word parameter
// param (derive, prior) written word, -1 for none.
func wordIndex(param, word string) int { return slices.Index(paramWords("fbnet", param), word) }

// paramWords are the words of the word parameter param of the
// differentiable strategy kind, in the order of their values.
func paramWords(kind, param string) []string {
	k, _ := search.Kind(kind)
	i := slices.IndexFunc(k.Params, func(p search.Param) bool { return p.Name == param })
	return k.Params[i].Choices
}

func isDifferentiable(kind string) bool { return slices.Contains(differentiableKinds, kind) }

// benchDifferentiable runs every search for each seed. An interrupt after
// a seed has finished is not an error: the bench keeps the seeds that
// finished and says why it stopped.
func benchDifferentiable(ctx context.Context, o diffOptions, log io.Writer) (*diffBench, error) {
	spec, err := dsl.LoadSource("differentiable_mnist.hwnas (built in)", differentiableSpec, dsl.ReadFile)
	if err != nil {
		return nil, err
	}
	names := strings.Split(o.strategies, ",")
	exps := make([]engine.Experiment, len(names))
	for i, name := range names {
		if exps[i], err = diffExperiment(spec, name, o); err != nil {
			return nil, fmt.Errorf("hwnas bench differentiable: %w", err)
		}
	}
	e0 := exps[0]
	b := &diffBench{Space: e0.Space.Name(), Genomes: arch.Size(e0.Space), Seed: e0.Seed, Ratio: o.ratio, ChildEpochs: e0.Fidelity.Epochs, FinalEpochs: o.finalEpochs}
	if d := e0.Hardware.Pool.Devices; len(d) > 0 {
		b.Platform = d[0].Name
	}
	if c, ok := latencySpec(e0); ok {
		b.Spec = c.String()
	}
	if o.finalEpochs > 0 {
		for i := range o.finalSeeds {
			b.FinalSeeds = append(b.FinalSeeds, int64(1001+i))
		}
	}
	for s := b.Seed; s < b.Seed+int64(o.seeds); s++ {
		for i := range exps {
			exps[i].Seed = s
		}
		rs, run, err := benchSeed(ctx, exps, o, b.FinalSeeds, log)
		if err != nil && ctx.Err() != nil && len(b.Runs) > 0 {
			b.Interrupted = fmt.Sprintf("interrupted during seed %d (%v); %d seeds finished", s, context.Cause(ctx), len(b.Runs))
			break
		}
		if err != nil {
			return nil, err
		}
		b.Results, b.Runs = append(b.Results, rs...), append(b.Runs, run)
	}
	b.summarise()
	b.Derive, b.Fill = commonDerive(b.Results)
	b.LoadAverage = loadAverage()
	return b, nil
}

// commonDerive is the derivation of every differentiable search of rs,
// "" when they differ or there is none.
func commonDerive(rs []diffResult) (derive string, fill float64) {
	for _, r := range rs {
		switch {
		case r.Family != "differentiable":
		case derive == "":
			derive, fill = r.Derive, r.Fill
		case derive != r.Derive || fill != r.Fill:
			return "", 0
		}
	}
	return derive, fill
}

// benchSeed runs the searches of exps, the differentiable ones first (they
// set the black boxes' wall time), then trains every child within the spec
// again with finalSeeds.
func benchSeed(ctx context.Context, exps []engine.Experiment, o diffOptions, finalSeeds []int64, log io.Writer) ([]diffResult, diffSeed, error) {
	run := diffSeed{Seed: exps[0].Seed}
	var rs []diffResult
	for _, e := range exps {
		if isDifferentiable(e.Strategy.Kind) {
			r, err := diffRun(ctx, e, log)
			if err != nil {
				return nil, run, err
			}
			run.SlowestS = max(run.SlowestS, r.SearchS)
			rs = append(rs, r)
		}
	}
	run.BlackBoxTimeS = o.time.Seconds()
	if o.time == 0 {
		run.BlackBoxTimeS = o.ratio * run.SlowestS
	}
	for _, e := range exps {
		if !isDifferentiable(e.Strategy.Kind) {
			e.Budget = engine.Budget{Time: time.Duration(run.BlackBoxTimeS * float64(time.Second))}
			e.Batch = 1 // the time budget is checked between batches: one child at a time stops on time
			r, err := diffRun(ctx, e, log)
			if err != nil {
				return nil, run, err
			}
			rs = append(rs, r)
		}
	}
	timeMet := run.timeMet()
	run.GoalMet = timeMet && goalMet(rs, retrainedAccuracy)
	if len(finalSeeds) > 0 {
		if err := finalTrainings(ctx, rs, exps, o.finalEpochs, finalSeeds, log); err != nil {
			return nil, run, err
		}
		met := timeMet && goalMet(rs, finalAccuracy)
		run.FinalGoalMet = &met
	}
	return rs, run, nil
}

// summarise sets b's goals and black-box time from b.Runs, and with
// several seeds b.Summary, the means over the seeds, by which it judges
// the goals; with one seed it leaves Runs out.
func (b *diffBench) summarise() {
	b.Seeds, b.Summary = len(b.Runs), nil
	if b.Seeds == 0 {
		return
	}
	b.BlackBoxTimeS, b.GoalMet, b.FinalGoalMet = b.Runs[0].BlackBoxTimeS, b.Runs[0].GoalMet, b.Runs[0].FinalGoalMet
	if b.Seeds == 1 {
		b.Runs = nil
		return
	}
	var bbs []float64
	timeMet := true
	for _, run := range b.Runs {
		bbs = append(bbs, run.BlackBoxTimeS)
		timeMet = timeMet && run.timeMet()
	}
	b.BlackBoxTimeS = estimateOf(bbs).Mean
	var means []diffResult // each search as its means, for goalMet
	for _, r := range b.Results[:len(b.Results)/b.Seeds] {
		sum, mean := summaryOf(r.Strategy, r.Family, b.Results)
		b.Summary, means = append(b.Summary, sum), append(means, mean)
	}
	for i, d := range b.Summary {
		if d.Family != "differentiable" {
			continue
		}
		for _, bb := range b.Summary {
			if e := pairedFinal(b.Results, d.Strategy, bb.Strategy); bb.Family != d.Family && e != nil {
				if b.Summary[i].FinalVs == nil {
					b.Summary[i].FinalVs = map[string]estimate{}
				}
				b.Summary[i].FinalVs[bb.Strategy] = *e
			}
		}
	}
	b.GoalMet = timeMet && goalMet(means, retrainedAccuracy)
	if b.FinalGoalMet != nil {
		met := timeMet && goalMet(means, finalAccuracy)
		b.FinalGoalMet = &met
	}
}

// summaryOf sums up the search named strategy over the seeds of rs; mean
// is a result with its mean figures, in spec if it was in every seed.
func summaryOf(strategy, family string, rs []diffResult) (sum diffSummary, mean diffResult) {
	var lat, acc, test, wall []float64
	n := 0
	for _, r := range rs {
		if r.Strategy != strategy {
			continue
		}
		n++
		wall = append(wall, r.SearchS)
		if r.LatencyMs != nil {
			lat = append(lat, *r.LatencyMs)
		}
		if !r.InSpec {
			continue
		}
		sum.InSpec++
		if r.Accuracy != nil {
			acc = append(acc, *r.Accuracy)
		}
		if r.Final != nil {
			test = append(test, r.Final.TestAccuracy)
		}
	}
	sum.Strategy, sum.Family = strategy, family
	sum.LatencyMs, sum.Accuracy, sum.FinalTest, sum.SearchS = estimateOrNil(lat), estimateOrNil(acc), estimateOrNil(test), estimateOf(wall)
	// A differentiable search's child must meet the spec in every seed; a
	// black box's best within the spec counts where it had one.
	mean = diffResult{Strategy: strategy, Family: family, InSpec: sum.InSpec == n || family != "differentiable" && sum.InSpec > 0}
	if sum.Accuracy != nil {
		mean.Accuracy = &sum.Accuracy.Mean
	}
	if sum.FinalTest != nil {
		mean.Final = &finalTraining{TestAccuracy: sum.FinalTest.Mean}
	}
	return sum, mean
}

// pairedFinal is, over the seeds where the children of searches a and b
// both have a final training, a's final test accuracy minus b's; nil for
// no such seed.
func pairedFinal(rs []diffResult, a, b string) *estimate {
	by := map[int64]map[string]float64{}
	for _, r := range rs {
		if r.Final != nil && (r.Strategy == a || r.Strategy == b) {
			if by[r.Seed] == nil {
				by[r.Seed] = map[string]float64{}
			}
			by[r.Seed][r.Strategy] = r.Final.TestAccuracy
		}
	}
	var d []float64
	for _, s := range slices.Sorted(maps.Keys(by)) {
		if x, ok := by[s][a]; ok {
			if y, ok := by[s][b]; ok {
				d = append(d, x-y)
			}
		}
	}
	return estimateOrNil(d)
}

// finalTrainings trains the child of every search of rs within the spec
// again, for epochs epochs, once per seed. The search's own figure
// is one training for the dataset's epochs: for a black box the best of
// the hundreds it ran with the seed it searched with (the winner's curse
// lifts it), judged on the validation split it selected on and by the
// short training it optimised for, where the papers compare searched
// networks trained to the end;
// here every child is trained the same way with seeds no search saw, and
// judged on the test split, which no search saw either.
func finalTrainings(ctx context.Context, rs []diffResult, exps []engine.Experiment, epochs int, seeds []int64, log io.Writer) error {
	for i := range rs {
		r := &rs[i]
		k := slices.IndexFunc(exps, func(e engine.Experiment) bool { return e.Name == r.Strategy })
		if !r.InSpec || r.Genome == nil || k < 0 {
			continue
		}
		ft, err := finalTraining1(ctx, exps[k], r.Genome, epochs, seeds)
		if err != nil {
			return fmt.Errorf("hwnas bench differentiable: final training of %s's child: %w", r.Strategy, err)
		}
		r.Final = ft
		fmt.Fprintf(log, "%s's child, trained %d epochs with seeds %v: test %.4f\n", r.Strategy, epochs, seeds, ft.TestAccuracy)
	}
	return nil
}

// finalTraining1 trains the child with genome from scratch on e's data,
// for epochs epochs, once per seed.
func finalTraining1(ctx context.Context, e engine.Experiment, genome []int, epochs int, seeds []int64) (*finalTraining, error) {
	var tr engine.Evaluator
	switch ev := e.Evaluator.(type) {
	case *engine.SupernetEvaluator:
		tr = ev.Data
	case *engine.TrainEvaluator:
		tr = ev
	default:
		return nil, fmt.Errorf("evaluator %s does not train children", e.Evaluator.Name())
	}
	n := len(e.Space.Decisions())
	net, err := e.Space.Decode(genome[:n])
	if err != nil {
		return nil, err
	}
	ft := &finalTraining{}
	for _, s := range seeds {
		f := e.Fidelity
		f.Epochs, f.Seed = epochs, s
		ev, err := tr.Evaluate(ctx, engine.Request{Network: net, Space: e.Space.Name(), Genome: genome[:n], Fidelity: f, Threads: runtime.NumCPU()})
		if err != nil {
			return nil, err
		}
		ft.Accuracy += ev.Metrics[metric.Accuracy] / float64(len(seeds))
		ft.TestAccuracy += ev.Metrics[metric.TestAccuracy] / float64(len(seeds))
		ft.TestBySeed = append(ft.TestBySeed, ev.Metrics[metric.TestAccuracy])
	}
	return ft, nil
}

// diffExperiment is the spec's experiment name with the options applied.
func diffExperiment(spec *dsl.Spec, name string, o diffOptions) (engine.Experiment, error) {
	e, err := engine.FromSpec(spec, name)
	if err != nil {
		return e, err
	}
	e.Strategy.Params = maps.Clone(e.Strategy.Params)
	if isDifferentiable(e.Strategy.Kind) {
		e.Strategy.Params = withDiffOptions(&e, o)
		if err := retrainFits(e); err != nil {
			return e, err
		}
	}
	if o.seed != 0 {
		e.Seed = o.seed
	}
	if o.train > 0 {
		e.Fidelity.Train, e.Fidelity.Val, e.Fidelity.Test = o.train, max(o.train/4, 1), max(o.train/4, 1)
	}
	if o.childEp > 0 {
		e.Fidelity.Epochs = o.childEp
	}
	if o.targetMs > 0 {
		e.Constraints = slices.Clone(e.Constraints)
		for i, c := range e.Constraints {
			if c.Metric == metric.LatencyMs {
				e.Constraints[i].Value = o.targetMs
			}
		}
	}
	if _, ok := latencySpec(e); !ok {
		return e, fmt.Errorf("experiment %s has no latency spec (require latency <= …)", name)
	}
	return e, e.Validate()
}

// withDiffOptions is the differentiable experiment e's strategy
// parameters (a clone) with o's --epochs, --samples, --derive, --fill and
// --prior applied; --samples also sets e's trial budget and retraining,
// --retrain the retraining alone.
func withDiffOptions(e *engine.Experiment, o diffOptions) map[string]float64 {
	p := maps.Clone(e.Strategy.Params)
	if o.epochs > 0 {
		p = scaleEpochs(e.Strategy.Kind, p, o.epochs)
	}
	if p == nil {
		p = map[string]float64{}
	}
	if o.samples > 0 {
		p["samples"] = float64(o.samples)
		e.Budget.Trials, e.Retrain = o.samples, o.samples
	}
	if o.retrain > 0 {
		e.Retrain = o.retrain
	}
	if o.derive != "" {
		p["derive"] = float64(wordIndex("derive", o.derive))
	}
	if o.prior != "" {
		p["prior"] = float64(wordIndex("prior", o.prior))
	}
	if o.fillSet {
		p["fill"] = o.fill
	}
	return p
}

// retrainFits reports a retraining of more children than the
// differentiable experiment e derives (its samples, the spec's unless
// --samples gave them), which --retrain alone can ask for.
func retrainFits(e engine.Experiment) error {
	if _, _, n := derivation(e.Strategy); n > 0 && e.Retrain > n { // n is 0 for parameters Validate rejects
		return fmt.Errorf("--retrain %d is more than the %d children experiment %s derives (samples = %d; --samples sets it)", e.Retrain, n, e.Name, n)
	}
	return nil
}

// scaleEpochs sets a differentiable strategy's epochs to n and its warm-up
// to the same share of them as in params (rounded down), so that a shorter
// search still takes architecture steps.
func scaleEpochs(kind string, params map[string]float64, n int) map[string]float64 {
	out := map[string]float64{}
	maps.Copy(out, params)
	info, _ := search.Kind(kind)
	if p, err := info.Resolve(params); err == nil { // else Validate says why
		out["warmup"] = math.Floor(float64(n) * p["warmup"] / p["epochs"])
	}
	out["epochs"] = float64(n)
	return out
}

// latencySpec is e's upper bound on latency.
func latencySpec(e engine.Experiment) (engine.Constraint, bool) {
	i := slices.IndexFunc(e.Constraints, func(c engine.Constraint) bool {
		return c.Metric == metric.LatencyMs && (c.Op == "<=" || c.Op == "<")
	})
	if i < 0 {
		return engine.Constraint{}, false
	}
	return e.Constraints[i], true
}

// diffRun runs e in a fresh store and picks its child.
func diffRun(ctx context.Context, e engine.Experiment, log io.Writer) (diffResult, error) {
	st, done, err := freshStore()
	if err != nil {
		return diffResult{}, err
	}
	defer done()
	var act int64
	out, err := runOneProgress(ctx, st, e, newProgress(log, e, false), func(ev engine.Event) {
		if ev.Arch != nil {
			act = max(act, ev.Arch.ActivationBytes)
		}
	})
	if err != nil {
		return diffResult{}, err
	}
	r := diffResultOf(e, out)
	if act > 0 {
		mb := float64(act) / 1e6
		r.ActivationMB = &mb
	}
	return r, nil
}

// diffResultOf sums up a search: a differentiable one by its derived
// child, retrained (the most accurate if it derived several; without an
// accuracy if it was not retrained, pruned by the spec say); a black box
// by its most accurate child within the spec, or its most accurate child
// when none meets it.
func diffResultOf(e engine.Experiment, out *engine.Outcome) diffResult {
	c, _ := latencySpec(e)
	r := diffResult{Strategy: e.Name, Seed: e.Seed, Family: "black-box", TargetMs: c.Value, SearchS: out.Wall.Seconds(),
		Trials: len(out.Trials), Trained: out.Counts.Trained + out.Counts.Retrained, Pruned: out.Counts.Pruned}
	want := []engine.Status{engine.Trained, engine.Cached}
	if isDifferentiable(e.Strategy.Kind) {
		r.Family, want = "differentiable", []engine.Status{engine.Retrained}
		r.Trials = len(out.Trials) - out.Counts.Retrained // the retrained copies are not children of their own
		r.Derive, r.Fill, r.Samples = derivation(e.Strategy)
		r.Prior = paramWord(e.Strategy, "prior")
	}
	best := -1
	for i, t := range out.Trials {
		acc, ok := t.Metrics[metric.Accuracy]
		if !ok || !slices.Contains(want, engine.StatusOf(&t)) {
			continue
		}
		if best < 0 || t.Feasible && !out.Trials[best].Feasible ||
			t.Feasible == out.Trials[best].Feasible && acc > out.Trials[best].Metrics[metric.Accuracy] {
			best = i
		}
	}
	switch {
	case best >= 0:
		t := out.Trials[best]
		r.Accuracy, r.TestAccuracy = metricPtr(t.Metrics, metric.Accuracy), metricPtr(t.Metrics, metric.TestAccuracy)
	case r.Family == "differentiable" && len(out.Trials) > 0:
		// Not retrained (pruned by the spec, say): the latency of the
		// child it derived first, the most likely, and no accuracy.
		best = 0
	default:
		return r
	}
	t := out.Trials[best]
	r.InSpec, r.Genome, r.Network, r.LatencyMs = t.Feasible, t.Genome, t.Network, metricPtr(t.Metrics, metric.LatencyMs)
	return r
}

func metricPtr(m engine.Metrics, k string) *float64 {
	if v, ok := m[k]; ok {
		return &v
	}
	return nil
}

// retrainedAccuracy is a search's own figure of its child; finalAccuracy
// its mean test accuracy after the final training.
func retrainedAccuracy(r diffResult) *float64 { return r.Accuracy }

func finalAccuracy(r diffResult) *float64 {
	if r.Final == nil {
		return nil
	}
	return &r.Final.TestAccuracy
}

// goalMet is the goal but for the time: every differentiable
// search's child meets the spec and is at least as accurate (by acc) as
// every black-box search's best child within the spec.
func goalMet(rs []diffResult, acc func(diffResult) *float64) bool {
	var diff, bb []diffResult
	for _, r := range rs {
		if r.Family == "differentiable" {
			diff = append(diff, r)
		} else {
			bb = append(bb, r)
		}
	}
	if len(diff) == 0 || len(bb) == 0 {
		return false
	}
	for _, d := range diff {
		a := acc(d)
		if !d.InSpec || a == nil {
			return false
		}
		for _, r := range bb {
			if b := acc(r); r.InSpec && b != nil && *b > *a {
				return false
			}
		}
	}
	return true
}

var metText = map[bool]string{true: "met", false: "not met"}

// writeDiffBench prints b: with one seed its searches, with several each
// seed's and then the means over the seeds.
func writeDiffBench(w io.Writer, b *diffBench) {
	if len(b.Runs) == 0 {
		fmt.Fprintf(w, "space %s (%d genomes) on %s, spec %s, seed %d; black-box searches: %s each (%.3gx the slower differentiable search)\n",
			b.Space, b.Genomes, b.Platform, b.Spec, b.Seed, secs(b.BlackBoxTimeS), b.Ratio)
	} else {
		fmt.Fprintf(w, "space %s (%d genomes) on %s, spec %s, seeds %d-%d; black-box searches: %.3gx the slower differentiable search of their seed\n",
			b.Space, b.Genomes, b.Platform, b.Spec, b.Seed, b.Seed+int64(b.Seeds)-1, b.Ratio)
	}
	if b.ChildEpochs > 0 {
		fmt.Fprintf(w, "every child trained %d epochs, black-box or retrained\n", b.ChildEpochs)
	}
	switch {
	case b.Derive != "" && b.Fill > 0:
		fmt.Fprintf(w, "differentiable searches: derive = %s, fill = %g, the most likely child from %g of the spec to the spec\n", b.Derive, b.Fill, b.Fill)
	case b.Derive != "":
		how := map[string]string{"argmax": "each position's most likely candidate", "within_target": "the most likely child within the spec"}[b.Derive]
		fmt.Fprintf(w, "differentiable searches: derive = %s, %s\n", b.Derive, how)
	}
	if len(b.Runs) == 0 {
		writeDiffSeed(w, b.Results, b.GoalMet, b.FinalGoalMet, b.FinalEpochs, b.FinalSeeds)
	}
	for i, run := range b.Runs {
		fmt.Fprintf(w, "\nseed %d: black-box searches %s each\n", run.Seed, secs(run.BlackBoxTimeS))
		n := len(b.Results) / len(b.Runs)
		writeDiffSeed(w, b.Results[i*n:(i+1)*n], run.GoalMet, run.FinalGoalMet, b.FinalEpochs, b.FinalSeeds)
	}
	if len(b.Summary) > 0 {
		writeDiffSummary(w, b)
	}
	if b.Interrupted != "" {
		fmt.Fprintf(w, "%s\n", b.Interrupted)
	}
	if b.LoadAverage != "" {
		fmt.Fprintf(w, "load average: %s\n", b.LoadAverage)
	}
}

// writeDiffSeed prints the searches of one seed and their goals.
func writeDiffSeed(w io.Writer, rs []diffResult, goal bool, finalGoal *bool, finalEpochs int, finalSeeds []int64) {
	fmt.Fprintf(w, "%-12s %-15s %8s %8s %7s %7s %7s %10s  %s\n", "search", "family", "trials", "trained", "pruned", "wall", "spec", "latency", "accuracy (trained from scratch)")
	for _, r := range rs {
		lat, spec := "-", "no child"
		if r.LatencyMs != nil {
			lat = fmt.Sprintf("%.4f ms", *r.LatencyMs)
			spec = map[bool]string{true: "in", false: "OUT"}[r.InSpec]
		}
		fmt.Fprintf(w, "%-12s %-15s %8d %8d %7d %7s %7s %10s  %s\n", r.Strategy, r.Family, r.Trials, r.Trained, r.Pruned, secs(r.SearchS), spec, lat, optAcc(r.Accuracy))
	}
	for _, r := range rs {
		if r.Family == "differentiable" && r.LatencyMs != nil && r.TargetMs > 0 {
			fmt.Fprintf(w, "%s's child: %.2f x the spec's latency\n", r.Strategy, *r.LatencyMs/r.TargetMs)
		}
	}
	for _, r := range rs {
		if r.ActivationMB != nil {
			fmt.Fprintf(w, "%s's search: a step held at most %.1f MB of activations and their gradients\n", r.Strategy, *r.ActivationMB)
		}
	}
	fmt.Fprintf(w, "goal (every derived child in spec and at least as accurate as the black boxes', in a third of their time or less): %s\n", metText[goal])
	if finalGoal == nil {
		return
	}
	fmt.Fprintf(w, "final training of every child within the spec: %d epochs, seeds %v, the same for all\n", finalEpochs, finalSeeds)
	for _, r := range rs {
		if f := r.Final; f != nil {
			fmt.Fprintf(w, "%-12s validation %.4f  test %.4f  (test by seed %s)\n", r.Strategy, f.Accuracy, f.TestAccuracy, strings.Trim(fmt.Sprint(f.TestBySeed), "[]"))
		}
	}
	fmt.Fprintf(w, "goal by the final trainings' mean test accuracy: %s\n", metText[*finalGoal])
}

// writeDiffSummary prints the means over the seeds and the goals judged
// by them.
func writeDiffSummary(w io.Writer, b *diffBench) {
	fmt.Fprintf(w, "\nmean ± standard error over the seeds (seeds counted):\n")
	fmt.Fprintf(w, "%-12s %-15s %7s %-28s %-26s %-26s %s\n", "search", "family", "in spec", "latency ms", "accuracy", "final test accuracy", "wall s")
	for _, s := range b.Summary {
		fmt.Fprintf(w, "%-12s %-15s %7s %-28s %-26s %-26s %s\n", s.Strategy, s.Family, fmt.Sprintf("%d/%d", s.InSpec, b.Seeds),
			optEstimate(s.LatencyMs, "%.4f"), optEstimate(s.Accuracy, "%.4f"), optEstimate(s.FinalTest, "%.4f"), s.SearchS.render("%.1f"))
	}
	for _, d := range b.Summary {
		for _, bb := range slices.Sorted(maps.Keys(d.FinalVs)) {
			fmt.Fprintf(w, "%s - %s, final test accuracy paired by seed: %s\n", d.Strategy, bb, d.FinalVs[bb].render("%+.4f"))
		}
	}
	fmt.Fprintf(w, "goal by the means (every derived child in spec in every seed, mean accuracy at least the black boxes', a third of their time or less in every seed): %s\n", metText[b.GoalMet])
	if b.FinalGoalMet != nil {
		fmt.Fprintf(w, "goal by the means of the final trainings' mean test accuracies: %s\n", metText[*b.FinalGoalMet])
	}
}
