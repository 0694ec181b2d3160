package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/dsl"
	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/metric"
	"github.com/hwnas/hwnas/search"
)

// oneshotSpec is examples/oneshot_mnist.hwnas, built in for `hwnas bench
// oneshot`; TestOneshotSpecMatchesExample keeps the copy equal.
//
//go:embed demo/oneshot_mnist.hwnas
var oneshotSpec string

// oneshotChild is one of the random children scored both ways.
type oneshotChild struct {
	Genome      []int   `json:"genome"`
	Inherited   float64 `json:"inherited_accuracy"`
	Standalone  float64 `json:"standalone_accuracy"`
	StandaloneS float64 `json:"standalone_s"`
	LatencyMs   float64 `json:"latency_ms"`
	InSpec      bool    `json:"in_spec"`
}

// oneshotBench is what `hwnas bench oneshot` prints.
type oneshotBench struct {
	Spec                string  `json:"spec"`
	Genomes             int64   `json:"genomes"`
	KendallTau          float64 `json:"kendall_tau"`
	SupernetTrainS      float64 `json:"supernet_train_s"`
	StandaloneSPerChild float64 `json:"standalone_s_per_child"`
	ChildrenScored      int     `json:"children_scored"` // search trials scored with inherited weights (cached repeats included)
	Trials              int     `json:"trials"`
	Pruned              int     `json:"pruned"`
	SearchS             float64 `json:"search_s"`         // the search and the retraining, the supernet loaded from the store
	OneshotSearchS      float64 `json:"oneshot_search_s"` // supernet + search + retrain
	TenStandaloneS      float64 `json:"ten_standalone_s"` // the target: 10 × standalone_s_per_child
	// The same two sides in CPU seconds of the process (both threads, user
	// and system), which other load on the machine stretches far less than
	// wall time; 0 where /proc is missing.
	OneshotSearchCPUS      float64        `json:"oneshot_search_cpu_s"`
	StandaloneCPUSPerChild float64        `json:"standalone_cpu_s_per_child"`
	TenStandaloneCPUS      float64        `json:"ten_standalone_cpu_s"`
	BestOneshotAccuracy    *float64       `json:"best_oneshot_accuracy"`
	BestStandaloneAccuracy *float64       `json:"best_standalone_accuracy"`
	Children               []oneshotChild `json:"children"`
	LoadAverage            string         `json:"load_average,omitempty"`
}

func init() {
	var (
		budget, children int
		asJSON           bool
	)
	cmd := &cobra.Command{
		Use:   "oneshot",
		Short: "Weight sharing against training from scratch on the one-shot MNIST example",
		Long: `Runs examples/oneshot_mnist.hwnas (an MBConv space of 60,000 networks on the
built-in MNIST, the demo's training setting, a 0.3 ms PYNQ-Z1 latency spec) in a
fresh store: trains its supernet once, scores random children both with
inherited weights and trained from scratch (Kendall's tau between the two),
then runs the experiment's evolution search with retrain 3. Prints the
timings and the best accuracies within the spec of each way.`,
		Example: `  hwnas bench oneshot --json
  hwnas bench oneshot --children 5 --budget 100`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if budget < 0 || children < 2 {
				return &exitError{2, "hwnas bench oneshot: --budget must not be negative and --children at least 2"}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			b, err := benchOneshot(ctx, budget, children, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(b)
			}
			writeOneshotBench(cmd.OutOrStdout(), b)
			return nil
		},
	}
	cmd.Flags().IntVar(&budget, "budget", 0, "trials of the search (default: the example's 1000)")
	cmd.Flags().IntVar(&children, "children", 30, "random children scored both ways")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	benchCmd.AddCommand(cmd)
}

func benchOneshot(ctx context.Context, budget, children int, log io.Writer) (*oneshotBench, error) {
	spec, err := dsl.LoadSource("oneshot_mnist.hwnas (built in)", oneshotSpec, dsl.ReadFile)
	if err != nil {
		return nil, err
	}
	e, err := engine.FromSpec(spec, "oneshot")
	if err != nil {
		return nil, err
	}
	if budget > 0 {
		e.Budget.Trials = budget
	}
	st, done, err := freshStore()
	if err != nil {
		return nil, err
	}
	defer done()
	o := engine.Options{Store: st, Cores: runtime.NumCPU(), Progress: func(ev engine.Event) {
		if ev.Kind == engine.SupernetEpoch {
			fmt.Fprintln(log, ev.Line())
		}
	}}
	b := &oneshotBench{Spec: e.Constraints[0].String(), Genomes: arch.Size(e.Space)}
	t0, cpu0 := time.Now(), cpuSeconds()
	if err := engine.TrainSupernet(ctx, e, o); err != nil {
		return nil, err
	}
	b.SupernetTrainS, b.OneshotSearchCPUS = time.Since(t0).Seconds(), cpuSeconds()-cpu0
	if err := scoreChildren(ctx, e, o.Cores, children, b, log); err != nil {
		return nil, err
	}
	t0, cpu0 = time.Now(), cpuSeconds()
	out, err := engine.Run(ctx, e, o)
	if err != nil {
		return nil, err
	}
	b.SearchS, b.OneshotSearchCPUS = time.Since(t0).Seconds(), b.OneshotSearchCPUS+cpuSeconds()-cpu0
	b.OneshotSearchS = b.SupernetTrainS + b.SearchS
	b.Trials, b.Pruned = len(out.Trials), out.Counts.Pruned
	b.ChildrenScored = out.Counts.Inherited + out.Counts.Cached
	for _, t := range out.Trials {
		if a := t.Metrics[metric.Accuracy]; t.Status == store.Retrained && t.Feasible && (b.BestOneshotAccuracy == nil || a > *b.BestOneshotAccuracy) {
			b.BestOneshotAccuracy = &a
		}
	}
	b.LoadAverage = loadAverage()
	return b, nil
}

// scoreChildren scores n distinct random children of e's space with
// inherited weights and trained from scratch, the latter timed.
func scoreChildren(ctx context.Context, e engine.Experiment, cores, n int, b *oneshotBench, log io.Writer) error {
	sv := e.Evaluator.(*engine.SupernetEvaluator)
	fid := e.Fidelity
	fid.Seed = e.Seed
	r := rand.New(rand.NewPCG(uint64(e.Seed), 0x6f6e6573686f74)) // "oneshot"
	card := arch.Cardinalities(e.Space)
	seen := map[string]bool{}
	var inh, sa []float64
	var total, cpu float64
	for len(b.Children) < n {
		g := make([]int, len(card))
		for i, c := range card {
			g[i] = r.IntN(c)
		}
		net, err := e.Space.Decode(g)
		if err != nil || seen[net.Key()] {
			continue
		}
		seen[net.Key()] = true
		c := oneshotChild{Genome: g}
		if _, hm, err := e.Hardware.Score(net, nil); err == nil {
			c.LatencyMs = hm[metric.LatencyMs]
			c.InSpec = e.Constraints[0].Holds(c.LatencyMs)
		}
		req := engine.Request{Network: net, Space: e.Space.Name(), Genome: g, Fidelity: fid, Threads: cores}
		ev, err := sv.Evaluate(ctx, req)
		if err != nil {
			return err
		}
		t0, cpu0 := time.Now(), cpuSeconds()
		sev, err := sv.Data.Evaluate(ctx, req)
		if err != nil {
			return err
		}
		c.StandaloneS = time.Since(t0).Seconds()
		total, cpu = total+c.StandaloneS, cpu+cpuSeconds()-cpu0
		c.Inherited, c.Standalone = ev.Metrics[metric.Accuracy], sev.Metrics[metric.Accuracy]
		if a := c.Standalone; c.InSpec && (b.BestStandaloneAccuracy == nil || a > *b.BestStandaloneAccuracy) {
			b.BestStandaloneAccuracy = &a
		}
		inh, sa = append(inh, c.Inherited), append(sa, c.Standalone)
		b.Children = append(b.Children, c)
		fmt.Fprintf(log, "child %d/%d %v: inherited %.4f, standalone %.4f (%.1f s)\n", len(b.Children), n, g, c.Inherited, c.Standalone, c.StandaloneS)
	}
	b.KendallTau = search.KendallTau(inh, sa)
	b.StandaloneSPerChild = total / float64(n)
	b.TenStandaloneS = 10 * b.StandaloneSPerChild
	b.StandaloneCPUSPerChild = cpu / float64(n)
	b.TenStandaloneCPUS = 10 * b.StandaloneCPUSPerChild
	return nil
}

func writeOneshotBench(w io.Writer, b *oneshotBench) {
	acc := func(p *float64) string {
		if p == nil {
			return "none in spec"
		}
		return fmt.Sprintf("%.4f", *p)
	}
	fmt.Fprintf(w, "space: %d genomes; spec %s\n", b.Genomes, b.Spec)
	fmt.Fprintf(w, "kendall tau (inherited vs standalone, %d children): %.3f\n", len(b.Children), b.KendallTau)
	fmt.Fprintf(w, "supernet training: %.1f s; standalone: %.1f s per child (10 children: %.1f s)\n", b.SupernetTrainS, b.StandaloneSPerChild, b.TenStandaloneS)
	fmt.Fprintf(w, "search: %d trials, %d scored, %d pruned, %.1f s; one-shot in all: %.1f s\n", b.Trials, b.ChildrenScored, b.Pruned, b.SearchS, b.OneshotSearchS)
	if b.OneshotSearchCPUS > 0 {
		fmt.Fprintf(w, "in CPU seconds: one-shot %.1f, 10 standalone children %.1f\n", b.OneshotSearchCPUS, b.TenStandaloneCPUS)
	}
	fmt.Fprintf(w, "best in spec: one-shot (retrained) %s, standalone children %s\n", acc(b.BestOneshotAccuracy), acc(b.BestStandaloneAccuracy))
	if b.LoadAverage != "" {
		fmt.Fprintf(w, "load average: %s\n", b.LoadAverage)
	}
}
