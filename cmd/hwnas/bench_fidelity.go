package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/metric"
)

// fidelityArm is one side of `hwnas bench fidelity`.
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
}

// fidelitySeed is one seed of `hwnas bench fidelity`: both searches.
type fidelitySeed struct {
	Seed     int64       `json:"seed"`
	Plain    fidelityArm `json:"evolution"`
	ASHA     fidelityArm `json:"evolution_asha"`
	Children float64     `json:"children_ratio"` // ASHA's children / plain's
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
	Children estimate  `json:"children"`
	Trained  estimate  `json:"trained"`
	Best     *estimate `json:"best_accuracy_meeting_spec,omitempty"`
	BestTest *estimate `json:"test_accuracy_of_best,omitempty"`
}

// fidelityBench is what `hwnas bench fidelity` prints.
type fidelityBench struct {
	Spec     string          `json:"spec"`
	TimeS    float64         `json:"time_s"`
	Schedule engine.ASHA     `json:"asha"`
	Runs     []fidelitySeed  `json:"runs"`
	Plain    fidelitySummary `json:"evolution"`
	ASHA     fidelitySummary `json:"evolution_asha"`
	Children *estimate       `json:"children_ratio,omitempty"`
	// Interrupted says why the benchmark stopped before its last seed;
	// Runs holds the seeds that finished.
	Interrupted string `json:"interrupted,omitempty"`
	LoadAverage string `json:"load_average,omitempty"`
}

func init() {
	var (
		budget time.Duration
		sched  engine.ASHA
		seed   int64
		seeds  int
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "fidelity",
		Short: "ASHA multi-fidelity training against plain evolution at the same wall time",
		Long: `Runs the built-in demo (MNIST, its space, its PYNQ-Z1 latency spec) twice per seed,
each search for exactly --time of wall time in a fresh store (a child still training when
the time is up is stopped and counts for nothing): once with regularized evolution training
every child --max-epochs epochs, once with the same evolution and the fidelity schedule
fidelity asha { min_epochs, max_epochs, eta }. Prints, per seed and as the mean ± standard
error over the seeds, the children each looked at, the epochs each trained, and the best
accuracy meeting the spec among children trained to --max-epochs, and the CPU time
the process had during each search (under other load, less than its wall time). It takes
2 × --seeds × --time. Interrupted, it prints the seeds that finished and exits with 130.`,
		Example: `  hwnas bench fidelity --time 10m
  hwnas bench fidelity --time 5m --max-epochs 4 --eta 2 --seeds 3 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if budget <= 0 || seeds < 1 {
				return &exitError{2, "hwnas bench fidelity: --time must be positive and --seeds at least 1"}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			b, err := benchFidelity(ctx, budget, sched, seed, seeds, cmd.ErrOrStderr())
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
	cmd.Flags().DurationVar(&budget, "time", 10*time.Minute, "wall time of each search")
	cmd.Flags().IntVar(&sched.MinEpochs, "min-epochs", 1, "epochs of the first rung")
	cmd.Flags().IntVar(&sched.MaxEpochs, "max-epochs", 9, "epochs of the last rung, and of every child of plain evolution")
	cmd.Flags().IntVar(&sched.Eta, "eta", 3, "rung growth factor; the top 1/eta go on")
	cmd.Flags().Int64Var(&seed, "seed", 1, "seed of the first pair of searches")
	cmd.Flags().IntVar(&seeds, "seeds", 1, "pairs of searches, seeds --seed, --seed+1, …")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	benchCmd.AddCommand(cmd)
}

// benchFidelity runs both searches for each seed. An interrupt (ctx ended)
// is not an error: the bench keeps the seeds that finished and says why it
// stopped.
func benchFidelity(ctx context.Context, budget time.Duration, sched engine.ASHA, seed int64, seeds int, log io.Writer) (*fidelityBench, error) {
	plain, err := demoExperiment()
	if err != nil {
		return nil, err
	}
	plain.Name = "fnas_evolution"
	plain.Strategy = engine.StrategySpec{Kind: "evolution"}
	plain.Budget = engine.Budget{Time: budget}
	plain.Batch = 1 // the time budget is checked between batches: one child at a time stops asking on time
	plain.Fidelity.Epochs = sched.MaxEpochs
	asha := plain
	asha.Name, asha.ASHA = "fnas_evolution_asha", sched
	if err := asha.Validate(); err != nil {
		return nil, fmt.Errorf("hwnas bench fidelity: %w", err)
	}
	b := &fidelityBench{TimeS: budget.Seconds(), Schedule: sched, Runs: []fidelitySeed{}}
	if n := len(plain.Constraints); n > 0 {
		b.Spec = plain.Constraints[n-1].String()
	}
	for s := seed; s < seed+int64(seeds); s++ {
		plain.Seed, asha.Seed = s, s
		r := fidelitySeed{Seed: s}
		if r.Plain, err = fidelityRun(ctx, plain, budget, log); err == nil {
			r.ASHA, err = fidelityRun(ctx, asha, budget, log)
		}
		if ctx.Err() != nil {
			b.Interrupted = fmt.Sprintf("interrupted during seed %d (%v); %d seeds finished", s, context.Cause(ctx), len(b.Runs))
			break
		}
		if err != nil {
			return nil, err
		}
		if r.Plain.Children > 0 {
			r.Children = float64(r.ASHA.Children) / float64(r.Plain.Children)
		}
		b.Runs = append(b.Runs, r)
	}
	b.summarise()
	b.LoadAverage = loadAverage()
	return b, nil
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

// summarise fills the means over b.Runs.
func (b *fidelityBench) summarise() {
	arms := func(r fidelitySeed) [2]fidelityArm { return [2]fidelityArm{r.Plain, r.ASHA} }
	for i, sum := range []*fidelitySummary{&b.Plain, &b.ASHA} {
		var children, trained, best, test []float64
		for _, r := range b.Runs {
			a := arms(r)[i]
			children, trained = append(children, float64(a.Children)), append(trained, float64(a.Trained))
			if a.Best != nil {
				best, test = append(best, *a.Best), append(test, *a.BestTest)
			}
		}
		sum.Children, sum.Trained = estimateOf(children), estimateOf(trained)
		if len(best) > 0 {
			e, t := estimateOf(best), estimateOf(test)
			sum.Best, sum.BestTest = &e, &t
		}
	}
	var ratios []float64
	for _, r := range b.Runs {
		if r.Plain.Children > 0 {
			ratios = append(ratios, r.Children)
		}
	}
	if len(ratios) > 0 {
		e := estimateOf(ratios)
		b.Children = &e
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

// render renders e as "mean ± se (n)" with verb f for both.
func (e estimate) render(f string) string {
	s := fmt.Sprintf(f, e.Mean)
	if e.SE != nil {
		s += " ± " + fmt.Sprintf(f, *e.SE)
	}
	return fmt.Sprintf("%s (%d)", s, e.N)
}

func writeFidelityBench(w io.Writer, b *fidelityBench) {
	s := b.Schedule
	fmt.Fprintf(w, "FNAS demo, %s of wall time per search, spec %s; asha rungs %v (eta %d); %d seeds\n", secs(b.TimeS), b.Spec, s.Rungs(), s.Eta, len(b.Runs))
	fmt.Fprintf(w, "%4s %-20s %8s %7s %7s %6s %6s %9s %9s  %s\n", "seed", "search", "children", "pruned", "trained", "full", "epochs", "wall", "cpu", "best accuracy meeting the spec (full / any fidelity)")
	for _, r := range b.Runs {
		for _, a := range []fidelityArm{r.Plain, r.ASHA} {
			fmt.Fprintf(w, "%4d %-20s %8d %7d %7d %6d %6d %9s %9s  %s / %s\n", r.Seed, a.Name, a.Children, a.Pruned, a.Trained, a.Full, a.Epochs, secs(a.WallS), secs(a.CPUS), optAcc(a.Best), optAcc(a.BestAny))
		}
	}
	fmt.Fprintf(w, "mean ± standard error over the seeds (seeds counted):\n")
	fmt.Fprintf(w, "%-20s %-20s %-20s %-26s %s\n", "search", "children", "trained", "best accuracy (full)", "its test accuracy")
	for _, x := range []struct {
		name string
		sum  fidelitySummary
	}{{"fnas_evolution", b.Plain}, {"fnas_evolution_asha", b.ASHA}} {
		best, test := "none", "none"
		if x.sum.Best != nil {
			best, test = x.sum.Best.render("%.4f"), x.sum.BestTest.render("%.4f")
		}
		fmt.Fprintf(w, "%-20s %-20s %-20s %-26s %s\n", x.name, x.sum.Children.render("%.1f"), x.sum.Trained.render("%.1f"), best, test)
	}
	if b.Children != nil {
		fmt.Fprintf(w, "children looked at, asha / plain: %s\n", b.Children.render("%.2f"))
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
