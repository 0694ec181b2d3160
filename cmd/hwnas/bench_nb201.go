package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/arch/nb201"
	"github.com/hwnas/hwnas/search"
)

// nb201Cell is one strategy at one budget in `hwnas bench nb201`.
type nb201Cell struct {
	Strategy string  `json:"strategy"`
	Evals    int     `json:"evaluations"`
	Mean     float64 `json:"mean_test_acc"` // % over seeds
	SE       float64 `json:"std_error"`     // standard error of the mean
	AskTellS float64 `json:"ask_tell_s"`    // strategy time per evaluation, averaged
}

// nb201Bench is what `hwnas bench nb201` prints.
type nb201Bench struct {
	Seeds       int         `json:"seeds"`
	Batch       int         `json:"batch"`
	Encoding    string      `json:"encoding"`         // what bananas sees: "path" or "one-hot"
	Optimum     float64     `json:"optimum_test_acc"` // test accuracy of the table's best cell by validation
	Results     []nb201Cell `json:"results"`
	LoadAverage string      `json:"load_average,omitempty"`
}

func init() {
	var (
		seeds, batch int
		evals, kinds string
		asJSON       bool
		oneHot       bool
	)
	cmd := &cobra.Command{
		Use:   "nb201",
		Short: "Strategies on the NAS-Bench-201 table: CIFAR-10 test accuracy of the best child by validation",
		Long: `Runs each strategy (default parameters) on the embedded NAS-Bench-201 table
for every seed: it maximises the CIFAR-10 validation accuracy (c10valid_valid_acc),
asking --batch candidates at a time, and after each budget of --evals it takes the
child with the best validation accuracy so far and reads its CIFAR-10 test accuracy
(c10_test_acc). Prints the mean over seeds with its standard error, and the time
the strategy itself took per evaluation (Ask and Tell, no table lookups). A
strategy never knows the budget, so one search of the largest budget gives
every smaller one. bananas gets the path encoding, as in a run (--one-hot: one-hot genes).`,
		Example: `  hwnas bench nb201 --seeds 30
  hwnas bench nb201 --strategies bananas,evolution --evals 100 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			budgets, names, err := nb201Flags(evals, kinds, seeds, batch)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			b, err := benchNB201(ctx, names, budgets, seeds, batch, oneHot)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), b)
			}
			writeNB201Bench(cmd.OutOrStdout(), b)
			return nil
		},
	}
	cmd.Flags().IntVar(&seeds, "seeds", 30, "searches per strategy, seeds 0..N-1")
	cmd.Flags().IntVar(&batch, "batch", 4, "candidates asked at a time (the engine's default batch)")
	cmd.Flags().StringVar(&evals, "evals", "50,100,200", "budgets, comma-separated")
	cmd.Flags().StringVar(&kinds, "strategies", "bananas,evolution,reinforce,random", "strategy kinds, comma-separated")
	cmd.Flags().BoolVar(&oneHot, "one-hot", false, "bananas sees one-hot genes instead of the path encoding")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	benchCmd.AddCommand(cmd)
}

// nb201Flags checks the flags of `hwnas bench nb201`.
func nb201Flags(evals, kinds string, seeds, batch int) ([]int, []string, error) {
	bad := func(f string, a ...any) error { return &exitError{2, "hwnas bench nb201: " + fmt.Sprintf(f, a...)} }
	if seeds < 2 || batch < 1 {
		return nil, nil, bad("--seeds must be at least 2 and --batch at least 1")
	}
	var budgets []int
	for _, s := range strings.Split(evals, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return nil, nil, bad("--evals: %q is not a positive number of evaluations", s)
		}
		budgets = append(budgets, n)
	}
	slices.Sort(budgets)
	names := strings.Split(kinds, ",")
	for i, n := range names {
		names[i] = strings.TrimSpace(n)
		if k, ok := search.Kind(names[i]); !ok || k.NeedsHardware {
			return nil, nil, bad("--strategies: %q is not a strategy that searches NAS-Bench-201 alone", n)
		}
	}
	return slices.Compact(budgets), names, nil
}

func benchNB201(ctx context.Context, kinds []string, budgets []int, seeds, batch int, oneHot bool) (*nb201Bench, error) {
	b := &nb201Bench{Seeds: seeds, Batch: batch, Optimum: nb201Optimum(), Encoding: "path"}
	encode := nb201.PathEncoding
	if oneHot {
		b.Encoding, encode = "one-hot", nil
	}
	for _, kind := range kinds {
		accs := make([][]float64, len(budgets)) // [budget][seed]
		var took time.Duration
		for seed := range int64(seeds) {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			got, d, err := searchNB201(kind, seed, budgets, batch, encode)
			if err != nil {
				return nil, err
			}
			took += d
			for i, a := range got {
				accs[i] = append(accs[i], a)
			}
		}
		perEval := took.Seconds() / float64(seeds*budgets[len(budgets)-1])
		for i, n := range budgets {
			m, se := meanSE(accs[i])
			b.Results = append(b.Results, nb201Cell{Strategy: kind, Evals: n, Mean: m, SE: se, AskTellS: perEval})
		}
	}
	b.LoadAverage = loadAverage()
	return b, nil
}

// searchNB201 runs one search up to the largest budget and returns, at each
// budget, the test accuracy of the best child by validation, and the time
// spent in Ask and Tell.
func searchNB201(kind string, seed int64, budgets []int, batch int, encode func([]int) []float64) ([]float64, time.Duration, error) {
	s, err := search.New(kind, search.Config{Cards: arch.Cardinalities(nb201.Space{}), Senses: []search.Sense{search.Maximize},
		Seed: seed, Encode: encode})
	if err != nil {
		return nil, 0, err
	}
	var out []float64
	var took time.Duration
	bestValid, bestTest := math.Inf(-1), 0.0
	for done := 0; done < budgets[len(budgets)-1]; {
		start := time.Now()
		cs := s.Ask(min(batch, budgets[len(out)]-done))
		took += time.Since(start)
		if len(cs) == 0 {
			return nil, 0, fmt.Errorf("%s asked nothing after %d evaluations", kind, done)
		}
		rs := make([]search.Result, len(cs))
		for i, c := range cs {
			r, err := nb201.LookupGenome(c.Genome)
			if err != nil {
				return nil, 0, err
			}
			rs[i] = search.Result{ID: c.ID, Objectives: []float64{r.C10ValidValidAcc / 100}, Feasible: true}
			if r.C10ValidValidAcc > bestValid {
				bestValid, bestTest = r.C10ValidValidAcc, r.C10TestAcc
			}
		}
		start = time.Now()
		s.Tell(rs)
		took += time.Since(start)
		if done += len(cs); done == budgets[len(out)] {
			out = append(out, bestTest)
		}
	}
	return out, took, nil
}

// nb201Optimum is the CIFAR-10 test accuracy of the cell with the best validation accuracy.
func nb201Optimum() float64 {
	best := slices.MaxFunc(nb201.Rows(), func(a, b nb201.Row) int { return cmp.Compare(a.C10ValidValidAcc, b.C10ValidValidAcc) })
	return best.C10TestAcc
}

// meanSE returns the mean of xs and its standard error (sample standard deviation / √n).
func meanSE(xs []float64) (float64, float64) {
	m, sd := search.MeanSD(xs)
	return m, sd / math.Sqrt(float64(len(xs)))
}

func writeNB201Bench(w io.Writer, b *nb201Bench) {
	fmt.Fprintf(w, "NAS-Bench-201, CIFAR-10 test accuracy (%%) of the best child by validation: mean ± standard error over %d seeds, batch %d, bananas on the %s encoding\n", b.Seeds, b.Batch, b.Encoding)
	fmt.Fprintf(w, "%-10s %6s %16s %14s\n", "strategy", "evals", "test accuracy", "ask+tell/eval")
	for _, c := range b.Results {
		fmt.Fprintf(w, "%-10s %6d %9.3f ± %.3f %12.2f ms\n", c.Strategy, c.Evals, c.Mean, c.SE, c.AskTellS*1000)
	}
	fmt.Fprintf(w, "table optimum: %.3f\n", b.Optimum)
	if b.LoadAverage != "" {
		fmt.Fprintf(w, "load average: %s\n", b.LoadAverage)
	}
}
