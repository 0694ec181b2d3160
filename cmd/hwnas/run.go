package main

import (
	"cmp"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/hwnas/hwnas/dsl"
	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/metric"
	"github.com/hwnas/hwnas/report"
)

// demoSpec is examples/fnas_mnist.hwnas, built in for `hwnas run` with no
// file; TestDemoMatchesExample keeps the copy equal to the example.
//
//go:embed demo/fnas_mnist.hwnas
var demoSpec string

const demoName = "fnas_mnist.hwnas (built-in demo)"

type runFlags struct {
	experiment string
	store      string
	parallel   int
	seed       int64
	budget     int
	timeout    time.Duration
	rescore    bool
	json       bool
	executor   string
	workers    int
	probs      bool // print every epoch's whole distribution
}

func init() {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run [FILE]",
		Short: "Run an experiment (with no FILE, the built-in FNAS demo)",
		Long: `Run the experiments of a spec: those named by its run statements, or the
one chosen with -e. Every finished trial is stored at once; running again
resumes and re-evaluates nothing. Ctrl-C stops the run and keeps every
finished trial.

With --rescore, move the stored trials of each experiment's latest run to
the hardware the spec now names (an edited platform, pool or precision):
hardware metrics are recomputed, accuracy comes from the cache, and nothing
is trained.

With no FILE, run the built-in demo (examples/fnas_mnist.hwnas): an
FNAS-style search on MNIST under a 3 ms PYNQ-Z1 latency spec, training
every network that meets the spec.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRun(cmd, args, &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.experiment, "experiment", "e", "", "run only this experiment")
	fl.StringVar(&f.store, "store", store.DefaultDir, "directory of the result store")
	fl.IntVar(&f.parallel, "parallel", 0, "evaluations at once (overrides the spec's)")
	fl.Int64Var(&f.seed, "seed", 0, "seed (overrides the spec's; a new seed is a new run)")
	fl.IntVar(&f.budget, "budget", 0, "trial budget (overrides the spec's)")
	fl.DurationVar(&f.timeout, "trial-timeout", 0, "fail an evaluation that takes longer than this (e.g. 10m); 0 for none")
	fl.BoolVar(&f.rescore, "rescore", false, "re-score the stored trials of the experiment's latest run on the spec's hardware, training nothing")
	fl.BoolVar(&f.json, "json", false, "print the results as one JSON object instead of tables")
	fl.StringVar(&f.executor, "executor", "", "where evaluations run: local (default), embedded (an in-process NATS server and local worker processes) or nats://HOST:PORT")
	fl.BoolVar(&f.probs, "probabilities", false, "a differentiable search (fbnet, proxyless): print every candidate's probability after every epoch, not only after the last")
	fl.IntVar(&f.workers, "workers", 0, "with --executor: worker processes to start (embedded) or evaluations in flight (nats://); 0 for one per core")
	rootCmd.AddCommand(cmd)
}

// loadRunSpec reads and checks a spec file (with check's loadSpec), or the
// built-in demo for "".
func loadRunSpec(path string) (*dsl.Spec, error) {
	if path == "" {
		return dsl.LoadSource(demoName, demoSpec, dsl.ReadFile)
	}
	return loadSpec(path)
}

// applyOverrides applies the command-line overrides to e.
func applyOverrides(cmd *cobra.Command, e *engine.Experiment, f *runFlags) error {
	fl := cmd.Flags()
	if fl.Changed("parallel") {
		if f.parallel < 1 {
			return fmt.Errorf("--parallel %d: want at least 1", f.parallel)
		}
		e.Parallel = f.parallel
	}
	if fl.Changed("seed") {
		e.Seed = f.seed
	}
	if fl.Changed("budget") {
		if f.budget < 1 {
			return fmt.Errorf("--budget %d: want at least 1 trial", f.budget)
		}
		e.Budget.Trials = f.budget
	}
	if fl.Changed("trial-timeout") {
		if f.timeout < 0 {
			return fmt.Errorf("--trial-timeout %s: want 0 or more", f.timeout)
		}
		e.TrialTimeout = f.timeout
	}
	return nil
}

func runRun(cmd *cobra.Command, args []string, f *runFlags) error {
	path := ""
	if len(args) == 1 {
		path = args[0]
	}
	spec, err := loadRunSpec(path)
	var specErrs printedErrors
	switch {
	case err != nil && !errors.As(err, &specErrs): // a file that cannot be read: 1, as check says it
		return &exitError{1, err.Error()}
	case err != nil:
		return &exitError{2, err.Error()}
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	exps, cleanup, err := runExperiments(ctx, cmd, spec, f)
	defer cleanup()
	if err != nil {
		return &exitError{2, "hwnas run: " + err.Error()}
	}
	st, err := store.Open(f.store)
	if err != nil {
		return err
	}
	defer st.Close()
	return runAll(ctx, st, exps, f, cmd.OutOrStdout(), cmd.ErrOrStderr())
}

// runExperiments builds the experiments of spec that run selects, with the
// command-line overrides and, unless --rescore, their executors started.
// cleanup, never nil, stops the executors started, even after an error.
func runExperiments(ctx context.Context, cmd *cobra.Command, spec *dsl.Spec, f *runFlags) (exps []engine.Experiment, cleanup func(), err error) {
	var cleanups []func()
	cleanup = func() {
		for _, c := range slices.Backward(cleanups) {
			c()
		}
	}
	names, err := engine.Selected(spec, f.experiment)
	if err != nil {
		return nil, cleanup, err
	}
	for _, name := range names {
		e, err := engine.FromSpec(spec, name)
		if err != nil {
			return nil, cleanup, err
		}
		if err := applyOverrides(cmd, &e, f); err != nil {
			return nil, cleanup, err
		}
		if !f.rescore {
			executor := spec.Experiments[name].Executor // the spec's, unless --executor says otherwise
			if cmd.Flags().Changed("executor") {
				executor = f.executor
			}
			c, err := applyExecutor(ctx, &e, executor, f.workers)
			if err != nil {
				return nil, cleanup, err
			}
			cleanups = append(cleanups, c)
		}
		exps = append(exps, e)
	}
	return exps, cleanup, nil
}

// runAll runs each experiment in turn, or with --rescore re-scores it,
// printing its outcome as it ends, or with --json all outcomes at the end.
// Interrupted, it says what the store keeps and exits 130. An experiment
// whose every trial failed makes it exit 1 after all have run (not a
// re-score: there a failure is a network never trained at this fidelity).
func runAll(ctx context.Context, st *store.Store, exps []engine.Experiment, f *runFlags, stdout, stderr io.Writer) error {
	var outs []report.JSONOutcome
	var failed []string
	for _, e := range exps {
		var out *engine.Outcome
		var err error
		if f.rescore {
			out, err = engine.Rescore(ctx, e, e.Name, engine.Options{Store: st})
		} else {
			out, err = runOneProgress(ctx, st, e, newProgress(stderr, e, f.probs), nil)
		}
		if out != nil {
			if f.json {
				outs = append(outs, report.ToJSON(out))
			} else if err := printOutcome(stdout, st, out); err != nil {
				return err
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				n := 0
				if out != nil {
					n = len(out.Trials)
				}
				fmt.Fprintf(stderr, "hwnas: interrupted; %d finished trials of %s are kept in %s; run again to resume\n", n, e.Name, st.Dir())
				if f.json {
					writeJSONOutcomes(stdout, outs)
				}
				return &exitError{130, ""}
			}
			return err
		}
		if msg := allFailed(out); msg != "" && !f.rescore { // a re-score's failures are the trials never trained
			failed = append(failed, msg)
		}
	}
	if f.json {
		if err := writeJSONOutcomes(stdout, outs); err != nil {
			return err
		}
	}
	if len(failed) > 0 {
		return errors.New(strings.Join(failed, "; "))
	}
	return nil
}

// allFailed says, for an outcome whose every trial failed, how many failed
// for each reason (the first line of its error), most frequent first; "" when
// any trial did not fail or there were none.
func allFailed(out *engine.Outcome) string {
	if out == nil || len(out.Trials) == 0 {
		return ""
	}
	reasons := map[string]int{}
	for _, t := range out.Trials {
		if t.Status != store.Failed {
			return ""
		}
		first, _, _ := strings.Cut(t.Error, "\n")
		reasons[first]++
	}
	keys := slices.SortedFunc(maps.Keys(reasons), func(a, b string) int {
		return cmp.Or(reasons[b]-reasons[a], strings.Compare(a, b))
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d × %s", reasons[k], k)
	}
	return fmt.Sprintf("%s: all %d trials failed: %s", out.Experiment, len(out.Trials), strings.Join(parts, "; "))
}

func writeJSONOutcomes(w io.Writer, outs []report.JSONOutcome) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if len(outs) == 1 {
		return enc.Encode(outs[0])
	}
	if outs == nil {
		outs = []report.JSONOutcome{}
	}
	return enc.Encode(outs)
}

// runOne runs one experiment with progress on stderr.
func runOne(ctx context.Context, st *store.Store, e engine.Experiment, stderr io.Writer) (*engine.Outcome, error) {
	return runOneProgress(ctx, st, e, newProgress(stderr, e, false), nil)
}

// runOneProgress runs one experiment, reporting its progress to p and
// handing every event to watch too, when not nil.
func runOneProgress(ctx context.Context, st *store.Store, e engine.Experiment, p *runProgress, watch func(engine.Event)) (*engine.Outcome, error) {
	progress := p.event
	if watch != nil {
		progress = func(ev engine.Event) { watch(ev); p.event(ev) }
	}
	out, err := engine.Run(ctx, e, engine.Options{Store: st, Progress: progress})
	p.close()
	return out, err
}

// printOutcome prints, for a differentiable search, the distribution each
// search derived its child from; then the counts, the Pareto front and the
// plots' paths.
func printOutcome(w io.Writer, st *store.Store, out *engine.Outcome) error {
	printDerived(w, out.ArchHistory)
	if err := report.WriteSummary(w, out); err != nil {
		return err
	}
	path, err := savePlot(st, out)
	if err != nil {
		fmt.Fprintf(w, "plot: not written: %v\n", err)
		return nil
	}
	fmt.Fprintf(w, "plot: %s\n", path)
	if len(out.ArchHistory) > 0 {
		path := filepath.Join(filepath.Dir(path), out.Experiment+"-probabilities.svg")
		if err := writeFigureFile(path, report.ProbabilitiesPlot(out.Experiment, out.ArchHistory)); err != nil {
			fmt.Fprintf(w, "probabilities plot: not written: %v\n", err)
		} else {
			fmt.Fprintf(w, "probabilities plot: %s\n", path)
		}
	}
	fmt.Fprintf(w, "every trial: hwnas results %s --store %s\n", out.Experiment, st.Dir())
	return nil
}

// savePlot writes the outcome's Pareto plot next to the store.
func savePlot(st *store.Store, out *engine.Outcome) (string, error) {
	dir := filepath.Join(st.Dir(), "plots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(dir, out.Experiment+"-pareto.svg")
	return path, writePlotFile(path, out)
}

func writePlotFile(path string, out *engine.Outcome) error {
	return writeFigureFile(path, report.TrialsPlot(out))
}

// printDerived prints the last epoch of every search of a differentiable
// search's history: the distribution its child was derived from.
func printDerived(w io.Writer, h []engine.ArchEpoch) {
	for i, ae := range h {
		if i+1 < len(h) && h[i+1].Sweep == ae.Sweep && h[i+1].Epoch > ae.Epoch {
			continue // not a search's last epoch
		}
		name := strings.TrimSpace(ae.Strategy + " " + ae.Sweep)
		fmt.Fprintf(w, "%s: p = softmax(θ) after epoch %d/%d, E[latency] %.4g ms (* each position's most likely candidate)\n", name, ae.Epoch, ae.Epochs, ae.LatencyMs)
		for _, l := range ae.Distribution() {
			fmt.Fprintln(w, l)
		}
	}
}

// progress renders run events: a bar on a terminal, plain lines otherwise.
type runProgress struct {
	w   io.Writer
	bar *progressbar.ProgressBar
	// probs prints a differentiable search's whole distribution after
	// every epoch, not just its line.
	probs bool
}

func runIsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func newProgress(w io.Writer, e engine.Experiment, probs bool) *runProgress {
	p := &runProgress{w: w, probs: probs}
	fmt.Fprintf(w, "hwnas: running %s: %s\n", e.Name, budgetText(e))
	if runIsTerminal(w) {
		max := int64(e.Budget.Trials)
		if max == 0 {
			max = -1
		}
		p.bar = progressbar.NewOptions64(max, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription(e.Name),
			progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(false), progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetWidth(24), progressbar.OptionClearOnFinish())
	}
	return p
}

func budgetText(e engine.Experiment) string {
	s := ""
	if e.Budget.Trials > 0 {
		s = fmt.Sprintf("%d trials", e.Budget.Trials)
	}
	if e.Budget.Time > 0 {
		if s != "" {
			s += " or "
		}
		s += e.Budget.Time.String()
	}
	return fmt.Sprintf("%s, %d at once, seed %d", s, max(e.Parallel, 1), e.Seed)
}

func (p *runProgress) event(ev engine.Event) {
	if ev.Kind == engine.DiffEpoch && ev.Arch != nil {
		p.archEpoch(ev)
		return
	}
	if p.bar == nil {
		if line := ev.Line(); line != "" && ev.Kind != engine.RunDone {
			fmt.Fprintln(p.w, line)
		}
		return
	}
	switch ev.Kind {
	case engine.TrialStarted, engine.RunDone:
		return
	case engine.SupernetEpoch:
		p.bar.Describe(ev.Note)
		return
	}
	desc := ev.Counts.String()
	if ev.BestTrial >= 0 {
		desc += fmt.Sprintf(" | best %s %s", ev.BestMetric, metric.Format(ev.BestMetric, ev.Best))
	}
	if ev.ETA > 0 { // the engine's estimate, not the bar's: it waits for a trained trial
		desc += fmt.Sprintf(" | eta %s", ev.ETA.Round(time.Second))
	}
	p.bar.Describe(desc)
	p.bar.Add(1)
}

// archEpoch prints an epoch of a differentiable search as its line (above
// the bar on a terminal): the loss, E[latency] and each position's most
// likely candidate; with probs, the whole distribution under it.
func (p *runProgress) archEpoch(ev engine.Event) {
	if p.bar != nil {
		p.bar.Clear()
		fmt.Fprintln(p.w, ev.Arch.Line())
	} else {
		fmt.Fprintln(p.w, ev.Line())
	}
	if p.probs {
		for _, l := range ev.Arch.Distribution() {
			fmt.Fprintln(p.w, l)
		}
	}
	if p.bar != nil {
		p.bar.Describe(fmt.Sprintf("%s epoch %d/%d", ev.Arch.Strategy, ev.Arch.Epoch, ev.Arch.Epochs))
	}
}

func (p *runProgress) close() {
	if p.bar != nil {
		p.bar.Finish()
		fmt.Fprintln(p.w)
	}
}
