package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/metric"
)

// fnasArm is one side of `hwnas bench fnas`.
type fnasArm struct {
	Name            string   `json:"name"`
	Constraints     []string `json:"constraints"`
	Trials          int      `json:"trials"`
	Trained         int      `json:"trained"`
	Pruned          int      `json:"pruned"`
	Failed          int      `json:"failed"`
	Cached          int      `json:"cached"`
	WallS           float64  `json:"wall_s"`
	TrainS          float64  `json:"train_s"` // seconds spent training, summed over trials
	BestMeetingSpec *float64 `json:"best_accuracy_meeting_spec"`
	BestTrial       int      `json:"best_trial"`
}

// fnasSpaceFigures are the model's answer over the whole space: how many
// networks meet the spec and the speed-up pruning gives a uniform sampler
// if training cost is proportional to MACs.
type fnasSpaceFigures struct {
	Networks        int     `json:"networks"`
	MeetSpec        int     `json:"meet_spec"`
	ExpectedSpeedup float64 `json:"expected_speedup"` // Σ MACs of all / Σ MACs of those meeting the spec
}

// fnasBench is what `hwnas bench fnas` prints.
type fnasBench struct {
	Spec         string            `json:"spec"`
	Budget       int               `json:"budget"`
	Seed         int64             `json:"seed"`
	Constrained  fnasArm           `json:"fnas"`
	Plain        fnasArm           `json:"plain_nas"`
	Space        *fnasSpaceFigures `json:"space,omitempty"`
	Speedup      float64           `json:"speedup"` // plain wall time / FNAS wall time
	FNASReported float64           `json:"fnas_reported_speedup"`
	LoadAverage  string            `json:"load_average,omitempty"`
}

func init() {
	var (
		budget int
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "fnas",
		Short: "FNAS pruning against plain NAS: the demo search with and without its latency spec",
		Long: `Runs the built-in demo (examples/fnas_mnist.hwnas) twice at the same trial
budget, each in a fresh store so that nothing is shared: once as written
(FNAS: networks over the 3 ms latency spec are pruned before training) and
once without the latency constraint (plain NAS: every network is trained and
the reward is accuracy alone). Prints trained and pruned counts, the wall time
of each and their ratio, and the best accuracy that meets the spec in each.
FNAS (DAC 2019) reports searches up to 11.13x faster than plain NAS.`,
		Example: `  hwnas bench fnas --budget 12
  hwnas bench fnas --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("budget") && budget < 1 {
				return &exitError{2, "hwnas bench fnas: --budget must be at least 1"}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			b, err := benchFNAS(ctx, budget, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(b)
			}
			writeFNASBench(w, b)
			return nil
		},
	}
	cmd.Flags().IntVar(&budget, "budget", 0, "trials of each search (default: the demo's budget)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	benchCmd.AddCommand(cmd)
}

func benchFNAS(ctx context.Context, budget int, log io.Writer) (*fnasBench, error) {
	fnas, err := demoExperiment()
	if err != nil {
		return nil, err
	}
	if budget > 0 {
		fnas.Budget.Trials = budget
	}
	specCons := fnas.Constraints
	plain := fnas
	plain.Name = "fnas_plain"
	plain.Constraints = nil
	plain.Reward = engine.Reward{}
	b := &fnasBench{Budget: fnas.Budget.Trials, Seed: fnas.Seed, FNASReported: 11.13} // FNAS DAC 2019 abstract
	if n := len(specCons); n > 0 {
		b.Spec = specCons[n-1].String() // the demo's one constraint, latency <= 3 ms
	}
	if b.Constrained, err = benchArm(ctx, fnas, specCons, log); err != nil {
		return nil, err
	}
	if b.Plain, err = benchArm(ctx, plain, specCons, log); err != nil {
		return nil, err
	}
	if b.Constrained.WallS > 0 {
		b.Speedup = b.Plain.WallS / b.Constrained.WallS
	}
	b.Space = spaceFigures(fnas, specCons)
	b.LoadAverage = loadAverage()
	return b, nil
}

// benchArm runs e in a fresh store, removed afterwards, and sums up its
// outcome against specCons.
func benchArm(ctx context.Context, e engine.Experiment, specCons []engine.Constraint, log io.Writer) (fnasArm, error) {
	out, err := runFresh(ctx, e, log)
	if err != nil {
		return fnasArm{}, err
	}
	return fnasArmOf(e, out, specCons), nil
}

// fnasArmOf sums up the outcome of e; its best accuracy is the best of the
// trials that meet specCons, the constraints of the spec as written.
func fnasArmOf(e engine.Experiment, out *engine.Outcome, specCons []engine.Constraint) fnasArm {
	arm := fnasArm{Name: e.Name, Constraints: []string{}, Trials: len(out.Trials), Trained: out.Counts.Trained,
		Pruned: out.Counts.Pruned, Failed: out.Counts.Failed, Cached: out.Counts.Cached, WallS: out.Wall.Seconds(), BestTrial: -1}
	for _, c := range e.Constraints {
		arm.Constraints = append(arm.Constraints, c.String())
	}
	for _, t := range out.Trials {
		arm.TrainS += t.EvalS
		acc, ok := t.Metrics[metric.Accuracy]
		if !ok || !meets(t.Metrics, specCons) {
			continue
		}
		if arm.BestMeetingSpec == nil || acc > *arm.BestMeetingSpec {
			arm.BestMeetingSpec, arm.BestTrial = &acc, t.ID
		}
	}
	return arm
}

// spaceFigures scores every network of a small space on the experiment's
// hardware (microseconds each, no training); nil for spaces over 50,000.
func spaceFigures(e engine.Experiment, cons []engine.Constraint) *fnasSpaceFigures {
	cards := e.Cardinalities()
	total := 1
	for _, c := range cards {
		total *= c
		if total > 50000 || e.Hardware.Score == nil {
			return nil
		}
	}
	f := &fnasSpaceFigures{Networks: total}
	var all, meet float64
	g := make([]int, len(cards))
	for range total {
		n, err := e.Space.Decode(g)
		if err == nil {
			macs := float64(n.MACs())
			all += macs
			if _, m, err := e.Hardware.Score(n, nil); err == nil && meets(m, cons) {
				f.MeetSpec++
				meet += macs
			}
		}
		for j := len(g) - 1; j >= 0; j-- { // next genome, last gene fastest
			if g[j]++; g[j] < cards[j] {
				break
			}
			g[j] = 0
		}
	}
	if meet > 0 {
		f.ExpectedSpeedup = all / meet
	}
	return f
}

// meets reports whether metrics satisfy every constraint.
func meets(m engine.Metrics, cons []engine.Constraint) bool {
	return !slices.ContainsFunc(cons, func(c engine.Constraint) bool {
		v, ok := m[c.Metric]
		return !ok || !c.Holds(v)
	})
}

func writeFNASBench(w io.Writer, b *fnasBench) {
	fmt.Fprintf(w, "FNAS demo, %d trials each, seed %d, spec %s\n", b.Budget, b.Seed, b.Spec)
	fmt.Fprintf(w, "%-10s %7s %7s %7s %7s %10s %10s  %s\n", "search", "trained", "pruned", "cached", "failed", "wall", "training", "best accuracy meeting the spec")
	for _, a := range []fnasArm{b.Constrained, b.Plain} {
		best := "none"
		if a.BestMeetingSpec != nil {
			best = fmt.Sprintf("%.4f (trial %d)", *a.BestMeetingSpec, a.BestTrial)
		}
		name := "FNAS"
		if len(a.Constraints) == 0 {
			name = "plain NAS"
		}
		fmt.Fprintf(w, "%-10s %7d %7d %7d %7d %10s %10s  %s\n", name, a.Trained, a.Pruned, a.Cached, a.Failed,
			secs(a.WallS), secs(a.TrainS), best)
	}
	fmt.Fprintf(w, "speed-up of FNAS pruning: %.2fx in wall time (FNAS reports up to %.2fx)\n", b.Speedup, b.FNASReported)
	if s := b.Space; s != nil {
		fmt.Fprintf(w, "whole space: %d of %d networks meet the spec; expected speed-up of uniform sampling %.2fx (training cost ∝ MACs)\n",
			s.MeetSpec, s.Networks, s.ExpectedSpeedup)
	}
	if b.LoadAverage != "" {
		fmt.Fprintf(w, "load average: %s\n", b.LoadAverage)
	}
}

func secs(s float64) string {
	return time.Duration(s * float64(time.Second)).Round(time.Second / 10).String()
}
