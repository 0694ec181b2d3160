package kernel

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hwnas/hwnas/kernel/core"
	"github.com/hwnas/hwnas/kernel/transport"
	"github.com/hwnas/hwnas/report"

	"github.com/hwnas/hwnas/metric"

	"github.com/hwnas/hwnas/dsl"
	"github.com/hwnas/hwnas/dsl/syntax"
	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/queue"
	"github.com/hwnas/hwnas/engine/store"
)

// dslCells holds the DSL state of a notebook: the declarations of earlier
// cells (a dsl.Session), the last outcome of every experiment run, which of
// those are stale, and the store every run writes to.
type dslCells struct {
	mu       sync.Mutex
	storeDir string
	sess     *dsl.Session
	st       *store.Store
	results  map[string]*engine.Outcome
	stale    map[string]bool
	// interrupted marks the experiments whose last run was interrupted:
	// not stale (their inputs did not change), only unfinished.
	interrupted map[string]bool
	views       map[string][]string // display ids of the results tables shown for each experiment, with their outcomes
	shown       map[string]*engine.Outcome
}

// StoreEnv names the environment variable that sets the default store directory.
const StoreEnv = "HWNAS_STORE"

func newDSLCells(storeDir string) *dslCells {
	if storeDir == "" {
		storeDir = os.Getenv(StoreEnv)
	}
	if storeDir == "" {
		storeDir = store.DefaultDir
	}
	return &dslCells{storeDir: storeDir, sess: dsl.NewSession("."), results: map[string]*engine.Outcome{}, stale: map[string]bool{}, interrupted: map[string]bool{}, views: map[string][]string{}, shown: map[string]*engine.Outcome{}}
}

// progressEvery is the shortest interval between two progress updates, so
// IOPub carries a handful of messages per second however fast trials finish.
const progressEvery = 150 * time.Millisecond

// execute checks a DSL cell against the session and runs the experiments it
// declares or names with `run`.
func (d *dslCells) execute(ctx context.Context, code string, out *core.Output) (*core.ExecResult, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var res *dsl.CellResult
	var err error
	if out.Count > 0 {
		res, err = d.sess.AddNamed(fmt.Sprintf("In [%d]", out.Count), code) // as the frontend names the cell
	} else {
		res, err = d.sess.Add(code)
	}
	if err != nil {
		return nil, specError(err)
	}
	var stale []string
	for _, n := range res.Changed {
		if d.results[n] != nil && !d.stale[n] {
			d.stale[n] = true
			stale = append(stale, n)
		}
	}
	for _, n := range res.Declared {
		if d.results[n] != nil && !slices.Contains(res.Run, n) {
			d.stale[n] = true
			stale = append(stale, n)
		}
	}
	for _, n := range stale {
		// The table shown by the earlier run says so, wherever it is.
		for _, id := range d.views[n] {
			out.Update(resultsBundle(d.shown[id], true), nil, id)
		}
	}
	if len(stale) > 0 {
		out.Stream("stdout", fmt.Sprintf("stale (their inputs changed; `run NAME` updates them from the cache): %s\n", strings.Join(stale, ", ")))
	}
	for _, name := range res.Run {
		if err := d.run(ctx, res.Spec, name, out); err != nil {
			return nil, err
		}
	}
	return &core.ExecResult{}, nil
}

// specError turns a DSL error (rendered with file:line:col, the source line
// and a caret) into a cell error.
func specError(err error) *core.CellError {
	var b strings.Builder
	syntax.PrintError(&b, err)
	text := b.String()
	first, _, _ := strings.Cut(text, "\n")
	name := "SpecError"
	var list syntax.ErrorList
	if errors.As(err, &list) && len(list) > 1 {
		first = fmt.Sprintf("%d errors; the first: %s", len(list), first)
	}
	return &core.CellError{Name: name, Value: first, Traceback: strings.Split(strings.TrimRight(text, "\n"), "\n")}
}

// openStore opens the result store on first use.
func (d *dslCells) openStore() (*store.Store, error) {
	if d.st != nil {
		return d.st, nil
	}
	st, err := store.Open(d.storeDir)
	if err != nil {
		return nil, fmt.Errorf("open the result store %s: %w", d.storeDir, err)
	}
	d.st = st
	return st, nil
}

// run executes one experiment with its progress in one display updated in
// place, then shows the results table and the Pareto plot.
func (d *dslCells) run(ctx context.Context, spec *dsl.Spec, name string, out *core.Output) error {
	e, err := engine.FromSpec(spec, name)
	if err != nil {
		return &core.CellError{Name: "SpecError", Value: err.Error()}
	}
	st, err := d.openStore()
	if err != nil {
		return err
	}
	p := showProgress(name, e.Budget.Trials, out)
	outcome, err := runWhere(ctx, e, spec.Experiments[name].Executor, st, p.update)
	interrupted := err != nil && (errors.Is(err, context.Canceled) || ctx.Err() != nil)
	state := "done"
	switch {
	case interrupted:
		state = "interrupted"
	case err != nil:
		state = "failed"
	}
	p.finish(state)
	if outcome != nil && len(outcome.Trials) > 0 {
		d.results[name] = outcome
		d.stale[name], d.interrupted[name] = false, interrupted
		id := showOutcome(outcome, out)
		d.views[name] = append(d.views[name], id)
		d.shown[id] = outcome
	}
	switch {
	case interrupted:
		kept := 0
		if outcome != nil {
			kept = len(outcome.Trials)
		}
		return &core.CellError{Name: "Interrupted", Value: fmt.Sprintf("experiment %s stopped: its %d finished trials are kept in the store; run it again to resume", name, kept)}
	case err != nil:
		return &core.CellError{Name: "RunError", Value: fmt.Sprintf("experiment %s: %v", name, err)}
	}
	return nil
}

// workerCommand is the command line of a local worker process of the
// embedded executor: this binary, `hwnas worker` (tests replace it).
var workerCommand = queue.WorkerProcess

// runWhere runs e with its evaluations where its executor setting says
// (queue.ApplyExecutor, as `hwnas run` does), writing every trial to st.
func runWhere(ctx context.Context, e engine.Experiment, executor string, st *store.Store, progress func(engine.Event)) (*engine.Outcome, error) {
	cleanup, err := queue.ApplyExecutor(ctx, &e, executor, queue.ExecutorOptions{Name: "hwnas kernel " + e.Name, WorkerCommand: workerCommand})
	if err != nil {
		return nil, err
	}
	defer cleanup()
	return engine.Run(ctx, e, engine.Options{Store: st, Progress: progress})
}

// progressView is the display of a run's progress, replaced in place at
// most every progressEvery, and at the end.
type progressView struct {
	name, id string
	out      *core.Output
	last     engine.Event
	lastSent time.Time
	arch     *engine.ArchEpoch // the last epoch of a differentiable search, shown under the progress
}

// showProgress publishes the display of a run that is starting.
func showProgress(name string, trials int, out *core.Output) *progressView {
	p := &progressView{name: name, id: "hwnas-run-" + name + "-" + transport.NewUUID()[:8], out: out,
		last: engine.Event{Total: trials, BestTrial: -1}}
	out.Display(progressBundle(name, p.last, "starting"), nil, p.id)
	return p
}

// update is the run's progress callback.
func (p *progressView) update(ev engine.Event) {
	p.last = ev
	if ev.Arch != nil {
		p.arch = ev.Arch
	}
	if ev.Kind != engine.RunDone && ev.Kind != engine.DiffEpoch && time.Since(p.lastSent) < progressEvery {
		return
	}
	p.lastSent = time.Now()
	p.out.Update(withArch(progressBundle(p.name, ev, "running"), p.arch), nil, p.id)
}

// finish shows the last progress with the run's final state.
func (p *progressView) finish(state string) {
	p.out.Update(withArch(progressBundle(p.name, p.last, state), p.arch), nil, p.id)
}

// showOutcome publishes the results table and the Pareto plot, each with
// text/plain beside it, and returns the display id of the table.
func showOutcome(o *engine.Outcome, out *core.Output) string {
	id := "hwnas-results-" + o.Experiment + "-" + transport.NewUUID()[:8]
	out.Display(resultsBundle(o, false), nil, id)
	x, y := report.PlotAxes(o)
	svg, err := paretoSVG(o)
	if err != nil {
		out.Stream("stderr", err.Error()+"\n")
		return id
	}
	out.Display(map[string]any{"text/plain": fmt.Sprintf("<Pareto plot of %s: %s against %s>", o.Experiment, metric.Label(y), metric.Label(x)), "image/svg+xml": svg}, nil, "")
	return id
}

// staleNote heads a results table whose experiment's inputs changed.
const staleNote = "stale: the inputs of this experiment changed after this run; run it again to update (cached trials are reused)"

// resultsBundle is the results table as HTML and text, marked when stale.
func resultsBundle(o *engine.Outcome, stale bool) map[string]any {
	text, h := resultsText(o), resultsHTML(o)
	if stale {
		text = staleNote + "\n" + text
		h = `<p style="color:#b00">` + staleNote + "</p>\n" + h
	}
	return map[string]any{"text/plain": text, "text/html": h}
}

func (d *dslCells) reset() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.sess.Reset()
	d.results = map[string]*engine.Outcome{}
	d.stale = map[string]bool{}
	d.views = map[string][]string{}
	d.shown = map[string]*engine.Outcome{}
}

// cache reports what the store and its caches hold.
func (d *dslCells) cache(_ context.Context, args string, out *core.Output) (*core.ExecResult, error) {
	if args != "" {
		return nil, &core.CellError{Name: "MagicError", Value: fmt.Sprintf("%%cache takes no arguments, got %q", args)}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	st, err := d.openStore()
	if err != nil {
		return nil, err
	}
	acc, hw, err := st.CacheCounts()
	if err != nil {
		return nil, fmt.Errorf("%%cache: %w", err)
	}
	exps, err := st.Experiments("")
	if err != nil {
		return nil, fmt.Errorf("%%cache: %w", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "store        %s\n", st.Dir())
	fmt.Fprintf(&b, "accuracy     %d cached evaluations (network × dataset × fidelity)\n", acc)
	fmt.Fprintf(&b, "hardware     %d cached estimates (network × platform/design)\n", hw)
	fmt.Fprintf(&b, "experiments  %d stored runs\n", len(exps))
	var names []string
	for n := range d.results {
		s := n
		switch {
		case d.stale[n]:
			s += " (stale)"
		case d.interrupted[n]:
			s += " (interrupted: run it again to finish)"
		}
		names = append(names, s)
	}
	sort.Strings(names)
	if len(names) > 0 {
		fmt.Fprintf(&b, "this session %s\n", strings.Join(names, ", "))
	}
	return &core.ExecResult{Data: map[string]any{"text/plain": b.String()}}, nil
}

// complete returns the DSL's completions at cursor.
func (d *dslCells) complete(code string, cursor int) (matches []string, start, end int) {
	d.mu.Lock()
	cs := d.sess.Complete(code, cursor)
	d.mu.Unlock()
	start, end = cursor, cursor
	seen := map[string]bool{}
	for i, c := range cs {
		if i == 0 {
			start, end = c.Start, c.End
		}
		if c.Start != start || seen[c.Text] {
			continue
		}
		seen[c.Text] = true
		matches = append(matches, c.Text)
	}
	return matches, start, end
}

// doc documents a DSL keyword, metric, unit or platform, or a declared name.
func (d *dslCells) doc(word string) (string, bool) {
	if s := dsl.Doc(word); s != "" {
		return s, true
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	spec := d.sess.Spec()
	if e, ok := spec.Experiments[word]; ok {
		s := fmt.Sprintf("experiment %s (uses %s)\n%s", word, strings.Join(e.Deps, ", "), e.Source)
		if o := d.results[word]; o != nil {
			s += "\n" + summaryLine(o)
			if d.stale[word] {
				s += " (stale)"
			}
		}
		return s, true
	}
	for kind, ok := range map[string]bool{"platform": spec.Platforms[word] != nil, "pool": spec.Pools[word] != nil,
		"space": spec.Spaces[word] != nil, "dataset": spec.Datasets[word] != nil, "evaluator": spec.Evaluators[word] != nil} {
		if ok {
			return fmt.Sprintf("%s %s (declared in this session)", kind, word), true
		}
	}
	return "", false
}

// outcome returns the last outcome of an experiment run in this session.
func (d *dslCells) outcome(name string) (*engine.Outcome, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	o := d.results[name]
	if o == nil {
		var names []string
		for n := range d.results {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("no results for experiment %q in this session (have: %s)", name, strings.Join(names, ", "))
	}
	return o, nil
}
