package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/metric"
)

// fidelityArm is one search of `hwnas bench fidelity`.
type fidelityArm struct {
	Name     string   `json:"name"`
	Children int      `json:"children"` // trials the strategy asked, pruned ones included
	Trained  int      `json:"trained"`  // children trained at least one epoch
	Full     int      `json:"full"`     // children trained to max_epochs
	Epochs   int      `json:"epochs"`   // epochs trained in all
	Pruned   int      `json:"pruned"`
	WallS    float64  `json:"wall_s"`
	CPUS     float64  `json:"cpu_s,omitempty"`                 // CPU time of the process meanwhile (under other load, below wall_s)
	Best     *float64 `json:"best_accuracy_meeting_spec"`      // over children at max_epochs
	BestAny  *float64 `json:"best_any_fidelity_meeting_spec"`  // over every child at its last rung
	BestTest *float64 `json:"test_accuracy_of_best,omitempty"` // the test accuracy of Best's child
	// ChildrenRatio is Children over the plain strategy's in the same seed
	// (absent for the plain strategy itself, or when it had none).
	ChildrenRatio float64 `json:"children_vs_plain,omitempty"`
	// TrainedRatio is Trained over the plain strategy's: what a schedule
	// multiplies, since a pruned child costs the model's estimate in
	// either search.
	TrainedRatio float64 `json:"trained_vs_plain,omitempty"`
}

// fidelitySeed is one seed of `hwnas bench fidelity`: the plain strategy,
// then the strategy under each schedule.
type fidelitySeed struct {
	Seed     int64         `json:"seed"`
	Searches []fidelityArm `json:"searches"`
}

// estimate is a mean over seeds with its standard error (sample standard
// deviation / √n), which needs two seeds.
type estimate struct {
	Mean float64  `json:"mean"`
	SE   *float64 `json:"std_error,omitempty"`
	N    int      `json:"n"`
}

// fidelitySummary sums up one search over the seeds. Best and BestTest
// are over the seeds with a child at max_epochs meeting the spec.
type fidelitySummary struct {
	Name          string    `json:"name"`
	Children      estimate  `json:"children"`
	Trained       estimate  `json:"trained"`
	Best          *estimate `json:"best_accuracy_meeting_spec,omitempty"`
	BestTest      *estimate `json:"test_accuracy_of_best,omitempty"`
	ChildrenRatio *estimate `json:"children_vs_plain,omitempty"`
	TrainedRatio  *estimate `json:"trained_vs_plain,omitempty"`
}

// fidelityBench is what `hwnas bench fidelity` prints.
type fidelityBench struct {
	Spec  string  `json:"spec"`
	TimeS float64 `json:"time_s"`
	// Train, Val and Test are the data set's sizes (examples per epoch,
	// validation, test): the benchmark's choice, see the command's help.
	Train     int               `json:"train"`
	Val       int               `json:"val"`
	Test      int               `json:"test"`
	Schedule  engine.ASHA       `json:"schedule"` // min_epochs, max_epochs, eta
	Schedules []string          `json:"schedules"`
	Strategy  string            `json:"strategy"` // of every search: evolution, or bananas (BOHB under hyperband), …
	Runs      []fidelitySeed    `json:"runs"`
	Summary   []fidelitySummary `json:"summary"`
	// Interrupted says why the benchmark stopped before its last seed;
	// Runs holds the seeds that finished.
	Interrupted string `json:"interrupted,omitempty"`
	LoadAverage string `json:"load_average,omitempty"`
}

// fidelityOptions are the flags of `hwnas bench fidelity`.
type fidelityOptions struct {
	budget    time.Duration
	sched     engine.ASHA
	schedules []string // asha, hyperband
	strategy  string   // fidelityStrategies
	train     int
	seed      int64
	seeds     int
}

const fidelityLong = `Runs the built-in demo (MNIST, its space, its PYNQ-Z1 latency spec) once per search and
seed, each search for exactly --time of wall time in a fresh store (a child still training when
the time is up is stopped and counts for nothing): --strategy (regularized evolution by default)
training every child --max-epochs epochs, then the same strategy under each of --schedules,
fidelity asha and fidelity hyperband { min_epochs, max_epochs, eta }; --strategy bananas under
hyperband is BOHB. Prints, per seed and as the mean ± standard error over the seeds, the
children each looked at and those it trained (and both as ratios to the plain search's: a pruned
child costs only the model's estimate in either search, so the trained ratio is what a schedule
multiplies), the epochs each trained, the best accuracy meeting the spec among children trained
to --max-epochs, and the CPU time the process had during each search (under other load, less
than its wall time).
It takes (1 + schedules) × --seeds × --time. Interrupted, it prints the seeds that finished and
exits with 130.

The data per epoch is the benchmark's choice: the comparison needs searches that train
several children to --max-epochs within --time on a laptop. By default an epoch is 1000 MNIST
training images (--train), validated and tested on a quarter as many but at least 250 each:
9 epochs are then 281 steps of 32, about the demo's own 2 epochs of 4000 (250 steps), so a
child trained to max_epochs learns about as much as a child of the demo in about the same
time. With the demo's 4000 per epoch, plain evolution trained no child to 9 epochs in 10
minutes on a loaded machine; with 500, 9-epoch children reached only 0.59.`

func init() {
	var (
		o      fidelityOptions
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "fidelity",
		Short: "ASHA and Hyperband multi-fidelity training against plain evolution (or bananas) at the same wall time",
		Long:  fidelityLong,
		Example: `  hwnas bench fidelity --time 10m
  hwnas bench fidelity --time 4m --seeds 3 --json
  hwnas bench fidelity --time 5m --max-epochs 4 --eta 2 --schedules hyperband --train 4000
  hwnas bench fidelity --time 10m --strategy bananas --schedules hyperband`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.check(); err != nil {
				return &exitError{2, "hwnas bench fidelity: " + err.Error()}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			b, err := benchFidelity(ctx, o, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if asJSON {
				err = printJSON(cmd.OutOrStdout(), b)
			} else {
				writeFidelityBench(cmd.OutOrStdout(), b)
			}
			if err == nil && b.Interrupted != "" {
				err = &exitError{130, "hwnas bench fidelity: " + b.Interrupted}
			}
			return err
		},
	}
	f := cmd.Flags()
	f.DurationVar(&o.budget, "time", 10*time.Minute, "wall time of each search")
	f.IntVar(&o.sched.MinEpochs, "min-epochs", 1, "epochs of the first rung")
	f.IntVar(&o.sched.MaxEpochs, "max-epochs", 9, "epochs of the last rung, and of every child of the plain search")
	f.IntVar(&o.sched.Eta, "eta", 3, "rung growth factor; the top 1/eta go on")
	f.StringSliceVar(&o.schedules, "schedules", []string{"asha", "hyperband"}, "the fidelity schedules to run the strategy under, besides training every child max-epochs")
	f.StringVar(&o.strategy, "strategy", "evolution", "the strategy of every search: "+strings.Join(fidelityStrategies, ", ")+" (default parameters)")
	f.IntVar(&o.train, "train", 1000, "training images per epoch (validation and test: a quarter as many, at least 250)")
	f.Int64Var(&o.seed, "seed", 1, "seed of the first searches")
	f.IntVar(&o.seeds, "seeds", 1, "seeds --seed, --seed+1, …: each runs every search")
	f.BoolVar(&asJSON, "json", false, "print one JSON object")
	benchCmd.AddCommand(cmd)
}

// check reports a bad flag.
func (o fidelityOptions) check() error {
	if o.budget <= 0 || o.seeds < 1 || o.train < 4 {
		return fmt.Errorf("--time must be positive, --seeds at least 1 and --train at least 4")
	}
	if len(o.schedules) == 0 {
		return fmt.Errorf("--schedules: want asha, hyperband or both")
	}
	for _, s := range o.schedules {
		if s != "asha" && s != "hyperband" {
			return fmt.Errorf("--schedules: unknown schedule %q; want asha or hyperband", s)
		}
	}
	if !slices.Contains(fidelityStrategies, o.strategy) {
		return fmt.Errorf("--strategy: unknown strategy %q; want one of %s", o.strategy, strings.Join(fidelityStrategies, ", "))
	}
	return nil
}

// fidelityStrategies are the kinds `hwnas bench fidelity --strategy` runs:
// those that propose children one by one for one objective (the demo's
// accuracy under its latency spec, FNAS's reward).
var fidelityStrategies = []string{"evolution", "bananas", "random", "reinforce"}

// fidelitySearches are the benchmark's experiments: o's strategy training
// every child MaxEpochs, then the same strategy under each schedule.
func fidelitySearches(o fidelityOptions) ([]engine.Experiment, error) {
	plain, err := demoExperiment()
	if err != nil {
		return nil, err
	}
	plain.Name = "fnas_" + o.strategy
	plain.Strategy = engine.StrategySpec{Kind: o.strategy}
	plain.Budget = engine.Budget{Time: o.budget}
	plain.Batch = 1 // the time budget is checked between batches: one child at a time stops asking on time
	plain.Fidelity.Epochs = o.sched.MaxEpochs
	held := max(o.train/4, 250) // a quarter, as the demo's 4000 and 1000, but enough to rank children by
	plain.Fidelity.Train, plain.Fidelity.Val, plain.Fidelity.Test = o.train, held, held
	out := []engine.Experiment{plain}
	for _, kind := range o.schedules {
		e := plain
		e.Name, e.ASHA = plain.Name+"_"+kind, o.sched
		e.ASHA.Hyperband = kind == "hyperband"
		if err := e.Validate(); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// benchFidelity runs every search for each seed. An interrupt (ctx ended)
// is not an error: the bench keeps the seeds that finished and says why it
// stopped.
func benchFidelity(ctx context.Context, o fidelityOptions, log io.Writer) (*fidelityBench, error) {
	exps, err := fidelitySearches(o)
	if err != nil {
		return nil, fmt.Errorf("hwnas bench fidelity: %w", err)
	}
	f := exps[0].Fidelity
	b := &fidelityBench{TimeS: o.budget.Seconds(), Train: f.Train, Val: f.Val, Test: f.Test,
		Schedule: o.sched, Schedules: o.schedules, Strategy: o.strategy, Runs: []fidelitySeed{}}
	if n := len(exps[0].Constraints); n > 0 {
		b.Spec = exps[0].Constraints[n-1].String()
	}
	for s := o.seed; s < o.seed+int64(o.seeds); s++ {
		r := fidelitySeed{Seed: s}
		for _, e := range exps {
			e.Seed = s
			var a fidelityArm
			if a, err = fidelityRun(ctx, e, o.budget, log); err != nil {
				break
			}
			if p := r.Searches; len(p) > 0 {
				a.ChildrenRatio = ratio(a.Children, p[0].Children)
				a.TrainedRatio = ratio(a.Trained, p[0].Trained)
			}
			r.Searches = append(r.Searches, a)
		}
		if ctx.Err() != nil {
			b.Interrupted = fmt.Sprintf("interrupted during seed %d (%v); %d seeds finished", s, context.Cause(ctx), len(b.Runs))
			break
		}
		if err != nil {
			return nil, err
		}
		b.Runs = append(b.Runs, r)
	}
	var names []string
	for _, e := range exps {
		names = append(names, e.Name)
	}
	b.summarise(names)
	b.LoadAverage = loadAverage()
	return b, nil
}

// ratio is n/of, 0 (left out of the JSON) when of is 0.
func ratio(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// demoExperiment is the built-in demo's experiment, fnas.
func demoExperiment() (engine.Experiment, error) {
	spec, err := loadRunSpec("")
	if err != nil {
		return engine.Experiment{}, err
	}
	return engine.FromSpec(spec, "fnas")
}

// fidelityRun runs e in a fresh store for budget of wall time and sums up
// its outcome. The engine checks its time budget only between children, so
// the run also gets a deadline: the child training when it passes is
// stopped and dropped, and both searches get the same time.
func fidelityRun(ctx context.Context, e engine.Experiment, budget time.Duration, log io.Writer) (fidelityArm, error) {
	rctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	cpu0 := cpuSeconds()
	out, err := runFresh(rctx, e, log)
	if err != nil && (out == nil || ctx.Err() != nil || rctx.Err() == nil) {
		return fidelityArm{}, err // an interrupt or a real failure, not the deadline
	}
	a := fidelityArmOf(e, out)
	a.CPUS = cpuSeconds() - cpu0
	return a, nil
}

// runFresh runs e in a fresh store, removed afterwards, so that a benchmark
// shares nothing between its runs.
func runFresh(ctx context.Context, e engine.Experiment, log io.Writer) (*engine.Outcome, error) {
	st, done, err := freshStore()
	if err != nil {
		return nil, err
	}
	defer done()
	return runOne(ctx, st, e, log)
}

// freshStore opens a store in a new temporary directory; done closes it
// and removes the directory.
func freshStore() (st *store.Store, done func(), err error) {
	dir, err := os.MkdirTemp("", "hwnas-bench-")
	if err != nil {
		return nil, nil, err
	}
	if st, err = store.Open(dir); err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	return st, func() { st.Close(); os.RemoveAll(dir) }, nil
}

// printJSON writes v as one indented JSON object.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// fidelityArmOf counts the children of a run and finds its best ones that
// meet the spec. A child without the epochs metric trained the full epochs.
func fidelityArmOf(e engine.Experiment, out *engine.Outcome) fidelityArm {
	full := e.Fidelity.Epochs
	if e.ASHA.On() {
		full = e.ASHA.MaxEpochs
	}
	a := fidelityArm{Name: e.Name, Children: len(out.Trials), Pruned: out.Counts.Pruned, WallS: out.Wall.Seconds()}
	for _, t := range out.Trials {
		acc, ok := t.Metrics[metric.Accuracy]
		if !ok {
			continue
		}
		a.Trained++
		ep := full
		if v, ok := t.Metrics[engine.EpochsMetric]; ok {
			ep = int(v)
		}
		a.Epochs += ep
		if !meets(t.Metrics, e.Constraints) {
			continue
		}
		if a.BestAny == nil || acc > *a.BestAny {
			a.BestAny = &acc
		}
		if ep == full {
			a.Full++
			if a.Best == nil || acc > *a.Best {
				test := t.Metrics[metric.TestAccuracy]
				a.Best, a.BestTest = &acc, &test
			}
		}
	}
	return a
}

// summarise fills b.Summary, one per search (named names, the plain one
// first), with the means over b.Runs.
func (b *fidelityBench) summarise(names []string) {
	b.Summary = nil
	for i, name := range names {
		var children, trained, best, test, ratios, tratios []float64
		for _, r := range b.Runs {
			a := r.Searches[i]
			children, trained = append(children, float64(a.Children)), append(trained, float64(a.Trained))
			if a.Best != nil {
				best, test = append(best, *a.Best), append(test, *a.BestTest)
			}
			if i > 0 && r.Searches[0].Children > 0 {
				ratios = append(ratios, a.ChildrenRatio)
			}
			if i > 0 && r.Searches[0].Trained > 0 {
				tratios = append(tratios, a.TrainedRatio)
			}
		}
		sum := fidelitySummary{Name: name, Children: estimateOf(children), Trained: estimateOf(trained)}
		if len(best) > 0 {
			e, t := estimateOf(best), estimateOf(test)
			sum.Best, sum.BestTest = &e, &t
		}
		sum.ChildrenRatio, sum.TrainedRatio = estimateOrNil(ratios), estimateOrNil(tratios)
		b.Summary = append(b.Summary, sum)
	}
}

// estimateOf is the mean of xs with its standard error when len(xs) ≥ 2.
func estimateOf(xs []float64) estimate {
	if len(xs) == 0 {
		return estimate{}
	}
	if len(xs) == 1 {
		return estimate{Mean: xs[0], N: 1}
	}
	m, se := meanSE(xs)
	return estimate{Mean: m, SE: &se, N: len(xs)}
}

// estimateOrNil is estimateOf(xs), nil when xs is empty.
func estimateOrNil(xs []float64) *estimate {
	if len(xs) == 0 {
		return nil
	}
	e := estimateOf(xs)
	return &e
}

// render renders e as "mean ± se (n)" with verb f for both (a sign
// flag in f signs the mean only).
func (e estimate) render(f string) string {
	s := fmt.Sprintf(f, e.Mean)
	if e.SE != nil {
		s += " ± " + fmt.Sprintf(strings.Replace(f, "+", "", 1), *e.SE)
	}
	return fmt.Sprintf("%s (%d)", s, e.N)
}

func writeFidelityBench(w io.Writer, b *fidelityBench) {
	s := b.Schedule
	fmt.Fprintf(w, "FNAS demo, %s of wall time per search, spec %s, %d training images per epoch (validation %d, test %d); rungs %v (eta %d); %d seeds\n",
		secs(b.TimeS), b.Spec, b.Train, b.Val, b.Test, s.Rungs(), s.Eta, len(b.Runs))
	fmt.Fprintf(w, "%4s %-25s %8s %7s %7s %6s %6s %9s %9s  %s\n", "seed", "search", "children", "pruned", "trained", "full", "epochs", "wall", "cpu", "best accuracy meeting the spec (full / any fidelity)")
	for _, r := range b.Runs {
		for _, a := range r.Searches {
			fmt.Fprintf(w, "%4d %-25s %8d %7d %7d %6d %6d %9s %9s  %s / %s\n", r.Seed, a.Name, a.Children, a.Pruned, a.Trained, a.Full, a.Epochs, secs(a.WallS), secs(a.CPUS), optAcc(a.Best), optAcc(a.BestAny))
		}
	}
	fmt.Fprintf(w, "mean ± standard error over the seeds (seeds counted):\n")
	fmt.Fprintf(w, "%-25s %-20s %-20s %-26s %-26s %-20s %s\n", "search", "children", "trained", "best accuracy (full)", "its test accuracy", "children / plain", "trained / plain")
	for _, x := range b.Summary {
		best, test := "none", "none"
		if x.Best != nil {
			best, test = x.Best.render("%.4f"), x.BestTest.render("%.4f")
		}
		fmt.Fprintf(w, "%-25s %-20s %-20s %-26s %-26s %-20s %s\n", x.Name, x.Children.render("%.1f"), x.Trained.render("%.1f"), best, test, optEstimate(x.ChildrenRatio, "%.2f"), optEstimate(x.TrainedRatio, "%.2f"))
	}
	if b.LoadAverage != "" {
		fmt.Fprintf(w, "load average: %s\n", b.LoadAverage)
	}
	if b.Interrupted != "" {
		fmt.Fprintf(w, "%s\n", b.Interrupted)
	}
}

func optAcc(v *float64) string {
	if v == nil {
		return "none"
	}
	return fmt.Sprintf("%.4f", *v)
}

// optEstimate renders e with verb f, "-" when there is none.
func optEstimate(e *estimate, f string) string {
	if e == nil {
		return "-"
	}
	return e.render(f)
}
