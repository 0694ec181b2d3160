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
	Best     *float64 `json:"best_accuracy_meeting_spec"`      // over children at max_epochs
	BestAny  *float64 `json:"best_any_fidelity_meeting_spec"`  // over every child at its last rung
	BestTest *float64 `json:"test_accuracy_of_best,omitempty"` // the test accuracy of Best's child
}

// fidelityBench is what `hwnas bench fidelity` prints.
type fidelityBench struct {
	Spec        string      `json:"spec"`
	Seed        int64       `json:"seed"`
	TimeS       float64     `json:"time_s"`
	Schedule    engine.ASHA `json:"asha"`
	Plain       fidelityArm `json:"evolution"`
	ASHA        fidelityArm `json:"evolution_asha"`
	Children    float64     `json:"children_ratio"` // ASHA's children / plain's
	LoadAverage string      `json:"load_average,omitempty"`
}

func init() {
	var (
		budget time.Duration
		sched  engine.ASHA
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "fidelity",
		Short: "ASHA multi-fidelity training against plain evolution at the same wall time",
		Long: `Runs the built-in demo (MNIST, its space, its PYNQ-Z1 latency spec) twice for the
same wall time (asking one child at a time, so that both stop on time), each in a fresh
store: once with regularized evolution training every
child --max-epochs epochs, once with the same evolution and the fidelity schedule
fidelity asha { min_epochs, max_epochs, eta }. Prints the children each looked at,
the epochs each trained, and the best accuracy meeting the spec among children
trained to --max-epochs (and among all children, at their last rung).`,
		Example: `  hwnas bench fidelity --time 10m
  hwnas bench fidelity --time 3m --max-epochs 3 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if budget <= 0 {
				return &exitError{2, "hwnas bench fidelity: --time must be positive"}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			b, err := benchFidelity(ctx, budget, sched, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), b)
			}
			writeFidelityBench(cmd.OutOrStdout(), b)
			return nil
		},
	}
	cmd.Flags().DurationVar(&budget, "time", 10*time.Minute, "wall time of each search")
	cmd.Flags().IntVar(&sched.MinEpochs, "min-epochs", 1, "epochs of the first rung")
	cmd.Flags().IntVar(&sched.MaxEpochs, "max-epochs", 9, "epochs of the last rung, and of every child of plain evolution")
	cmd.Flags().IntVar(&sched.Eta, "eta", 3, "rung growth factor; the top 1/eta go on")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	benchCmd.AddCommand(cmd)
}

func benchFidelity(ctx context.Context, budget time.Duration, sched engine.ASHA, log io.Writer) (*fidelityBench, error) {
	plain, err := demoExperiment()
	if err != nil {
		return nil, err
	}
	plain.Name = "fnas_evolution"
	plain.Strategy = engine.StrategySpec{Kind: "evolution"}
	plain.Budget = engine.Budget{Time: budget}
	plain.Batch = 1 // the time budget is checked between batches: one child at a time stops both on time
	plain.Fidelity.Epochs = sched.MaxEpochs
	asha := plain
	asha.Name, asha.ASHA = "fnas_evolution_asha", sched
	if err := asha.Validate(); err != nil {
		return nil, fmt.Errorf("hwnas bench fidelity: %w", err)
	}
	b := &fidelityBench{Seed: plain.Seed, TimeS: budget.Seconds(), Schedule: sched}
	if n := len(plain.Constraints); n > 0 {
		b.Spec = plain.Constraints[n-1].String()
	}
	for _, arm := range []struct {
		e   engine.Experiment
		out *fidelityArm
	}{{plain, &b.Plain}, {asha, &b.ASHA}} {
		if *arm.out, err = fidelityRun(ctx, arm.e, log); err != nil {
			return nil, err
		}
	}
	if b.Plain.Children > 0 {
		b.Children = float64(b.ASHA.Children) / float64(b.Plain.Children)
	}
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

// fidelityRun runs e in a fresh store and sums up its outcome.
func fidelityRun(ctx context.Context, e engine.Experiment, log io.Writer) (fidelityArm, error) {
	out, err := runFresh(ctx, e, log)
	if err != nil {
		return fidelityArm{}, err
	}
	return fidelityArmOf(e, out), nil
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

func writeFidelityBench(w io.Writer, b *fidelityBench) {
	s := b.Schedule
	fmt.Fprintf(w, "FNAS demo, %s of wall time each, seed %d, spec %s; asha rungs %v (eta %d)\n", secs(b.TimeS), b.Seed, b.Spec, s.Rungs(), s.Eta)
	fmt.Fprintf(w, "%-20s %8s %7s %7s %6s %6s %9s  %s\n", "search", "children", "pruned", "trained", "full", "epochs", "wall", "best accuracy meeting the spec (full / any fidelity)")
	for _, a := range []fidelityArm{b.Plain, b.ASHA} {
		fmt.Fprintf(w, "%-20s %8d %7d %7d %6d %6d %9s  %s / %s\n", a.Name, a.Children, a.Pruned, a.Trained, a.Full, a.Epochs, secs(a.WallS), optAcc(a.Best), optAcc(a.BestAny))
	}
	fmt.Fprintf(w, "children looked at: %.2fx\n", b.Children)
	if b.LoadAverage != "" {
		fmt.Fprintf(w, "load average: %s\n", b.LoadAverage)
	}
}

func optAcc(v *float64) string {
	if v == nil {
		return "none"
	}
	return fmt.Sprintf("%.4f", *v)
}
