package engine

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hwnas/hwnas/metric"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/fpga"
	"github.com/hwnas/hwnas/search"
)

// Options are how a run is executed, not what it computes.
type Options struct {
	Store    *store.Store
	Progress func(Event) // called from one goroutine at a time; may be nil
	Cores    int         // cores shared by concurrent evaluations (default: all)
}

// Trial is one finished candidate.
type Trial struct {
	ID         int
	Genome     []int
	Network    string // summary: layers, MACs, params
	NetworkKey string
	Design     string
	Metrics    Metrics
	Status     store.Status
	Feasible   bool // every constraint holds
	Error      string
	HardwareS  float64
	EvalS      float64
	Resumed    bool // taken whole from an earlier run
	// Note is a remark on a trial that did not fail, for the progress line
	// (not stored): which FPGA-model metrics its evaluator replaced.
	Note string
	// LookedUp marks a trained trial whose evaluator read its metrics from a
	// benchmark table (TablePrefix) instead of training: it is stored as
	// trained, shown as "looked up" (StatusOf) and counted in Counts.LookedUp.
	LookedUp bool
}

// Counts tallies trials by how they ended in this run (StatusOf). A trial
// resumed whole from an earlier run is counted in Resumed only, not under its
// stored status, so the counts add up to the number of trials and the live
// progress agrees with the summary. Trained and LookedUp are apart: a trial a
// table evaluator looked up was not trained.
type Counts struct {
	Trained, Pruned, Failed, Cached, Resumed int
	LookedUp, Untrained                      int
	Inherited, Retrained                     int // scored by a supernet; trained from scratch after it
}

// Add counts t under how it ended.
func (c *Counts) Add(t *Trial) {
	if t.Resumed {
		c.Resumed++
		return
	}
	switch StatusOf(t) {
	case Trained:
		c.Trained++
	case LookedUp:
		c.LookedUp++
	case Pruned:
		c.Pruned++
	case Failed:
		c.Failed++
	case Cached:
		c.Cached++
	case Untrained:
		c.Untrained++
	case Inherited:
		c.Inherited++
	case Retrained:
		c.Retrained++
	}
}

// Outcome is the result of a run.
type Outcome struct {
	Experiment  string
	Hash        string
	Evaluator   string // the evaluator's name ("" when read from a store older than it)
	StoreID     int64
	Seed        int64
	Objectives  []Objective
	Constraints []Constraint
	Trials      []Trial
	Pareto      []int // ids of the feasible trials on the Pareto front
	Counts      Counts
	Wall        time.Duration
	// Exhausted is set by Run when the strategy had no new network to try
	// before the budget ran out: a small space (or grid) fully searched. It
	// is not stored: an outcome read back with Load leaves it false.
	Exhausted bool
	// Underived says, of each differentiable search that derived fewer
	// children than its samples asked, no child within the target of
	// derive = within_target, or none above the floor of fill, what it
	// derived and why. It is not stored either.
	Underived []string
	// ArchHistory is, for a differentiable search (fbnet, proxyless), the
	// report of every epoch of every search run, in order: a sweep's
	// searches one after the other, told apart by ArchEpoch.Sweep. Load
	// reads it from the store, so it is there after a run that trained
	// nothing; a search stored before the reports were has none.
	ArchHistory []ArchEpoch
	// searches are the store keys of those searches (Rescore keeps them).
	searches []string
}

// SpecHash is a short hash of a spec's text as written: unlike dsl's
// Experiment.Hash it changes with layout and comments. Run and Rescore use it
// for an Experiment without a Hash.
func SpecHash(spec string) string {
	h := sha256.Sum256([]byte(spec))
	return hex.EncodeToString(h[:])[:16]
}

// Run executes e, storing every finished trial in o.Store as soon as it
// finishes. A trial already stored by an earlier run of the same experiment
// (name, spec hash, seed) with the same genome is resumed, not re-evaluated;
// failed trials are retried. When ctx is cancelled Run returns the finished
// trials with an error wrapping ctx.Err().
func Run(ctx context.Context, e Experiment, o Options) (*Outcome, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	if o.Store == nil {
		return nil, fmt.Errorf("experiment %q: no store", e.Name)
	}
	if e.Hash == "" && e.Spec != "" {
		e.Hash = SpecHash(e.Spec)
	}
	if e.Parallel == 0 {
		e.Parallel = 1
	}
	if e.Batch == 0 {
		e.Batch = 4
	}
	if o.Cores <= 0 {
		o.Cores = runtime.NumCPU()
	}
	r := &runner{e: &e, o: o, start: time.Now(), nArch: len(e.Space.Decisions()), best: -1}
	ctx, r.stop = context.WithCancelCause(ctx)
	defer r.stop(nil)
	err := r.run(ctx)
	if werr := r.writeFailure(); werr != nil {
		err = werr
	}
	return r.outcome(), err
}

type runner struct {
	e     *Experiment
	o     Options
	start time.Time
	nArch int
	rec   store.Experiment
	// searches are the store keys of the differentiable searches run, and
	// history their epochs' reports (see Outcome.ArchHistory).
	searches []string
	history  []ArchEpoch

	mu       sync.Mutex // guards the fields below and serialises Progress
	trials   []Trial
	done     int
	counts   Counts
	best     int // index in finished of the best feasible trial, -1 if none
	charged  float64
	finished []Trial // every finished trial of this run, by completion

	stop     context.CancelCauseFunc // ends the run at the first store write error
	writeErr error                   // that error
	unstored int                     // finished trials the store does not have
	// exhausted: the strategy had no new candidate before the budget ran out
	exhausted bool
	underived []string // Outcome.Underived
	// total, once retrain has picked its children, is the trials finished
	// before it plus those: progress counts against it, not the budget.
	total int
}

func (r *runner) run(ctx context.Context) error {
	e := r.e
	rec, err := r.o.Store.Experiment(e.Name, e.Spec, e.Hash, e.Seed)
	if err != nil {
		return err
	}
	r.rec = rec
	if err := r.o.Store.SetMeta(rec.ID, encodeMeta(e, 0)); err != nil {
		return err
	}
	stored, err := r.storedTrials()
	if err != nil {
		return err
	}
	if e.differentiable() {
		defer r.emit(Event{Kind: RunDone, Trial: -1})
		return r.runDifferentiable(ctx, stored)
	}
	strat, err := newStrategy(e)
	if err != nil {
		return fmt.Errorf("experiment %q: %w", e.Name, err)
	}
	defer r.emit(Event{Kind: RunDone, Trial: -1})
	if err := r.prepareSupernet(ctx); err != nil {
		return err
	}
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("experiment %q stopped after %d trials: %w", e.Name, len(r.trials), err)
		}
		n := e.Batch
		if e.Budget.Trials > 0 {
			n = min(n, e.Budget.Trials-len(r.trials))
		}
		if n <= 0 || r.timeUp() {
			return r.retrain(ctx, stored)
		}
		cands := strat.Ask(n)
		if len(cands) == 0 {
			r.exhausted = true // the strategy has nothing left to try
			return r.retrain(ctx, stored)
		}
		batch, complete := r.evaluate(ctx, cands, stored)
		if !complete {
			// Keep every finished trial, even those after an unfinished one.
			for _, t := range batch {
				if t != nil {
					r.trials = append(r.trials, *t)
				}
			}
			return fmt.Errorf("experiment %q stopped after %d trials: %w", e.Name, len(r.trials), context.Cause(ctx))
		}
		told := make([]search.Result, len(cands))
		for i, t := range batch {
			told[i] = strat.result(cands[i].ID, t, e.Constraints)
			r.trials = append(r.trials, *t)
		}
		strat.Tell(told)
	}
}

// storedTrials are the trials an earlier run of the experiment stored, by
// sequence number.
func (r *runner) storedTrials() (map[int]store.Trial, error) {
	list, err := r.o.Store.Trials(r.rec.ID)
	if err != nil {
		return nil, err
	}
	stored := make(map[int]store.Trial, len(list))
	for _, t := range list {
		stored[t.Seq] = t
	}
	return stored, nil
}

func (r *runner) timeUp() bool {
	if r.e.Budget.Time <= 0 {
		return false
	}
	clock := max(time.Since(r.start).Seconds(), r.charged/float64(r.e.Parallel))
	return clock >= r.e.Budget.Time.Seconds()
}

// evaluate runs one batch of candidates on up to Parallel workers. It
// returns the trials in candidate order, and false when ctx ended the batch
// (unfinished entries are nil).
func (r *runner) evaluate(ctx context.Context, cands []search.Candidate, stored map[int]store.Trial) ([]*Trial, bool) {
	out := make([]*Trial, len(cands))
	base := len(r.trials)
	var jobs []int
	for i, c := range cands {
		if s, ok := stored[base+i]; ok && s.Status != store.Failed && s.Status != store.Untrained && slices.Equal(s.Genome, c.Genome) {
			t := r.fromStored(s)
			out[i] = &t
			r.finish(&t, TrialResumed)
			continue
		}
		jobs = append(jobs, i)
	}
	// A network asked twice in one batch is evaluated once: its repeats run
	// after the first finished and find it in the cache, as they would with
	// Parallel 1, so statuses do not depend on Parallel either.
	firsts, repeats := r.splitRepeats(cands, jobs)
	for _, group := range [][]int{firsts, repeats} {
		r.runJobs(ctx, base, cands, group, out)
	}
	for _, t := range out {
		if t == nil {
			return out, false
		}
	}
	return out, true
}

// splitRepeats separates the jobs whose network an earlier job of the batch
// already has.
func (r *runner) splitRepeats(cands []search.Candidate, jobs []int) (firsts, repeats []int) {
	seen := map[string]bool{}
	for _, i := range jobs {
		key := fmt.Sprint("genome", cands[i].Genome)
		if g := cands[i].Genome; len(g) >= r.nArch {
			if n, err := r.e.Space.Decode(g[:r.nArch]); err == nil {
				key = r.accuracyKey(n, g[:r.nArch], r.e.Fidelity).Network
			}
		}
		if seen[key] {
			repeats = append(repeats, i)
		} else {
			seen[key] = true
			firsts = append(firsts, i)
		}
	}
	return firsts, repeats
}

// runJobs evaluates the candidates jobs on up to Parallel workers, the cores
// shared between them.
func (r *runner) runJobs(ctx context.Context, base int, cands []search.Candidate, jobs []int, out []*Trial) {
	workers := min(r.e.Parallel, len(jobs))
	threads := max(1, r.o.Cores/max(workers, 1))
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var others []int // jobs another process has claimed
	for range workers {
		wg.Go(func() {
			for i := range next {
				if !r.claim(base + i) {
					mu.Lock()
					others = append(others, i)
					mu.Unlock()
					continue
				}
				if t, ok := r.trial(ctx, base+i, cands[i].Genome, threads); ok {
					out[i] = &t
				}
				r.release(base + i)
			}
		})
	}
	for _, i := range jobs {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	r.awaitOthers(ctx, base, cands, others, out, threads)
}

func (r *runner) fromStored(s store.Trial) Trial {
	t := Trial{ID: s.Seq, Genome: s.Genome, Network: s.Network, NetworkKey: s.NetworkKey, Design: s.Design,
		Metrics: Metrics(s.Metrics), Status: s.Status, Error: s.Error, HardwareS: s.HardwareS, EvalS: s.EvalS, Resumed: true}
	t.LookedUp = t.Status == store.Trained && isTable(r.e.Evaluator.Name())
	t.Feasible = r.feasible(&t)
	return t
}

// trial evaluates one candidate; false means ctx ended it unfinished.
func (r *runner) trial(ctx context.Context, seq int, genome []int, threads int) (Trial, bool) {
	t := Trial{ID: seq, Genome: genome, Metrics: Metrics{}}
	r.emitTrial(TrialStarted, &t)
	kind, err := r.runTrial(ctx, &t, threads)
	if errors.Is(err, errUnfinished) {
		return Trial{}, false // cancelled: the trial did not finish, keep nothing of it
	}
	if errors.Is(err, errUntrained) {
		t.Status, t.Error = store.Untrained, UntrainedReason
		return r.record(&t, TrialUntrained), true
	}
	if err != nil {
		t.Status, t.Error = store.Failed, err.Error()
		return r.record(&t, TrialFailed), true
	}
	return r.record(&t, kind), true
}

// errUnfinished is runTrial's error when ctx ended the trial unfinished.
var errUnfinished = errors.New("trial unfinished")

// runTrial decodes t's genome, scores its hardware, prunes it on a hard
// constraint, and otherwise gets its accuracy from the cache or the
// evaluator. It sets t's status and metrics and returns how t ended; an
// error fails the trial, unless it is errUnfinished.
func (r *runner) runTrial(ctx context.Context, t *Trial, threads int) (EventKind, error) {
	e := r.e
	if want := r.nArch + len(e.Hardware.Genes); len(t.Genome) != want {
		return "", fmt.Errorf("genome has %d genes, the space and hardware want %d", len(t.Genome), want)
	}
	net, err := e.Space.Decode(t.Genome[:r.nArch])
	if err != nil {
		return "", fmt.Errorf("decoding genome %v: %v", t.Genome, err)
	}
	t.Network, t.NetworkKey = net.Summary(), net.Key()
	if d, ok := e.Space.(arch.Describer); ok {
		t.Network = d.Describe(t.Genome[:r.nArch]) + " (" + t.Network + ")"
	}
	t.Metrics[metric.Params], t.Metrics[metric.MACs] = float64(net.Params()), float64(net.MACs())
	if pruned, err := r.scoreHardware(t, net); pruned || err != nil {
		return TrialPruned, err
	}
	for _, c := range e.Constraints {
		if v, ok := t.Metrics[c.Metric]; ok && c.Hard && !c.Holds(v) {
			t.Status = store.Pruned
			t.Error = fmt.Sprintf("%s = %s breaks %s", c.Metric, strconv.FormatFloat(v, 'g', 4, 64), c)
			return TrialPruned, nil
		}
	}
	if e.ASHA.On() {
		return r.ladder(ctx, t, net, threads)
	}
	fid := r.fidelity(t)
	akey := r.accuracyKey(net, t.Genome[:r.nArch], fid)
	am, _, ok, err := r.o.Store.Accuracy(akey)
	if err != nil {
		return "", err
	}
	if ok {
		t.Note = t.Metrics.mergeEvaluated(am)
		t.Status = store.Cached
		return TrialCached, nil
	}
	fid.Seed = e.Seed
	return r.evaluateAccuracy(ctx, t, net, akey, Request{Fidelity: fid, Threads: threads})
}

// scoreHardware adds the hardware metrics and design of net with t's
// hardware genes, from the store or the hardware model; true means the
// model found no design and t is pruned.
func (r *runner) scoreHardware(t *Trial, net *arch.Network) (bool, error) {
	e := r.e
	if e.Hardware.Score == nil {
		return false, nil
	}
	hwGenes := t.Genome[r.nArch:]
	key := store.HardwareKey{Network: t.NetworkKey, Hardware: e.Hardware.Key + genesKey(hwGenes), Model: e.Hardware.Model}
	design, hm, ok, err := r.o.Store.Hardware(key)
	if err != nil {
		return false, err
	}
	if !ok {
		t0 := time.Now()
		design, hm, err = e.Hardware.Score(net, hwGenes)
		t.HardwareS = time.Since(t0).Seconds()
		if errors.Is(err, ErrNoDesign) {
			t.Status, t.Error = store.Pruned, err.Error()
			return true, nil
		}
		if err != nil {
			return false, fmt.Errorf("hardware model: %v", err)
		}
		if err := r.o.Store.PutHardware(key, design, hm); err != nil {
			r.storeFailed(err) // the trial goes on; the run stops after it
		}
	}
	t.Design = design
	maps.Copy(t.Metrics, hm)
	return false, nil
}

// evaluateAccuracy gets the accuracy of net from the evaluator, within the trial
// timeout, and caches it under akey. req gives the fidelity, threads and
// checkpoint; the rest of it is filled in.
func (r *runner) evaluateAccuracy(ctx context.Context, t *Trial, net *arch.Network, akey store.AccuracyKey, req Request) (EventKind, error) {
	e := r.e
	ectx, cancel := ctx, context.CancelFunc(func() {})
	if e.TrialTimeout > 0 {
		ectx, cancel = context.WithTimeout(ctx, e.TrialTimeout)
	}
	req.Network, req.Space, req.Genome = net, e.Space.Name(), t.Genome[:r.nArch]
	t0 := time.Now()
	ev, err := e.Evaluator.Evaluate(ectx, req)
	wall := time.Since(t0)
	cancel()
	name := e.Evaluator.Name()
	switch {
	case ctx.Err() != nil:
		return "", errUnfinished
	case errors.Is(err, errUntrained):
		return "", errUntrained
	case err != nil && ectx.Err() != nil: // the trial timeout, not one of the evaluator's own
		return "", fmt.Errorf("%s evaluator timed out after %s (--trial-timeout): %v", name, e.TrialTimeout, err)
	case err != nil:
		return "", fmt.Errorf("%s evaluator: %v", name, err)
	}
	if _, ok := ev.Metrics[metric.Accuracy]; !ok {
		return "", fmt.Errorf("%s evaluator returned no %q metric", name, metric.Accuracy)
	}
	if err := ev.Metrics.validate(); err != nil {
		return "", fmt.Errorf("%s evaluator: %v", name, err)
	}
	if k := ev.Metrics.unreported(e); k != "" {
		return "", fmt.Errorf("%s evaluator reported no %q, which the experiment reads", name, k)
	}
	if ev.ChargedS == 0 {
		ev.ChargedS = wall.Seconds()
	}
	if err := r.o.Store.PutAccuracy(akey, ev.Metrics, ev.ChargedS); err != nil {
		r.storeFailed(err) // keep the trained result; the run stops after it
	}
	t.EvalS = ev.ChargedS
	t.Note = t.Metrics.mergeEvaluated(ev.Metrics)
	t.Status = store.Trained
	if _, ok := localOf(e.Evaluator).(*SupernetEvaluator); ok {
		t.Status = store.Inherited
		return TrialInherited, nil
	}
	if isTable(name) {
		t.LookedUp = true
		return TrialLookedUp, nil
	}
	return TrialFinished, nil
}

// accuracyKey is where the accuracy of net, decoded from the architecture
// genes, is cached (see CacheNetworkKey).
func (r *runner) accuracyKey(net *arch.Network, genes []int, fid Fidelity) store.AccuracyKey {
	e := r.e
	name := e.Evaluator.Name()
	return store.AccuracyKey{Network: CacheNetworkKey(name, Request{Network: net, Genome: genes}), Dataset: fid.Dataset,
		Fidelity: name + " " + fid.Key(), Seed: e.Seed}
}

// fidelity is the training setup of t: the experiment's, quantized to the
// precision of t's design when the experiment says so.
func (r *runner) fidelity(t *Trial) Fidelity {
	f := r.e.Fidelity
	switch q := r.e.Quantize; {
	case q == QuantizeDesign:
		f.QuantBits = designBits(t.Design)
	case q > 0:
		f.QuantBits = q
	}
	return f
}

// designBits is the integer width of a design (fpga.Design.String's
// prec=…), or 0 for a float one.
func designBits(design string) int {
	for _, w := range strings.Fields(design) {
		if s, ok := strings.CutPrefix(w, "prec="); ok {
			if p, err := fpga.ParsePrecision(s); err == nil && (p == fpga.Int16 || p == fpga.Int8) {
				return p.Bits()
			}
		}
	}
	return 0
}

func genesKey(g []int) string {
	if len(g) == 0 {
		return ""
	}
	return fmt.Sprintf(" genes=%v", g)
}

func (r *runner) feasible(t *Trial) bool { return feasible(t, r.e.Constraints, r.e.Objectives) }

// record stores a finished trial and reports it.
func (r *runner) record(t *Trial, kind EventKind) Trial {
	t.Feasible = r.feasible(t)
	err := r.o.Store.PutTrial(store.Trial{Experiment: r.rec.ID, Seq: t.ID, Genome: t.Genome, NetworkKey: t.NetworkKey,
		Network: t.Network, Design: t.Design, Metrics: t.Metrics, Status: t.Status, HardwareS: t.HardwareS,
		EvalS: t.EvalS, Error: t.Error})
	if err != nil {
		r.storeFailed(err)
		r.mu.Lock()
		r.unstored++
		r.mu.Unlock()
	}
	r.finish(t, kind)
	return *t
}

func (r *runner) finish(t *Trial, kind EventKind) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done++
	r.counts.Add(t)
	r.charged += t.EvalS
	if t.Feasible && len(r.e.Objectives) > 0 && (r.best < 0 || betterTrial(r.e.Objectives[0], t, &r.finished[r.best])) {
		r.best = len(r.finished)
	}
	r.finished = append(r.finished, *t)
	r.emitLocked(Event{Kind: kind, Trial: t.ID, Genome: t.Genome, Network: t.Network, Design: t.Design,
		Metrics: t.Metrics, Error: t.Error, Note: t.Note})
}

// betterTrial reports whether t is a better best-so-far than b on ob. A
// retrained child outranks every inherited score, as on the Pareto front
// and in the reports: the progress line names the figure they show.
func betterTrial(ob Objective, t, b *Trial) bool {
	if (t.Status == store.Retrained) != (b.Status == store.Retrained) {
		return t.Status == store.Retrained
	}
	return better(ob, t.Metrics[ob.Metric], b.Metrics[ob.Metric])
}

func better(ob Objective, a, b float64) bool {
	if ob.Maximize {
		return a > b
	}
	return a < b
}

func (r *runner) emitTrial(kind EventKind, t *Trial) {
	r.emit(Event{Kind: kind, Trial: t.ID, Genome: t.Genome})
}

func (r *runner) emit(ev Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.emitLocked(ev)
}

func (r *runner) emitLocked(ev Event) {
	if r.o.Progress == nil {
		return
	}
	ev.Done, ev.Total, ev.Counts = r.done, cmp.Or(r.total, r.e.Budget.Trials), r.counts
	ev.Elapsed = time.Since(r.start)
	ev.BestTrial = -1
	if len(r.e.Objectives) > 0 {
		ev.BestMetric = r.e.Objectives[0].Metric
	}
	if r.best >= 0 {
		b := r.finished[r.best]
		ev.Best, ev.BestTrial = b.Metrics[ev.BestMetric], b.ID
	}
	ev.ETA = r.eta(ev.Done, ev.Total, ev.Elapsed)
	r.o.Progress(ev)
}

// eta estimates the time left from the time per trial so far, once that
// means something: after a trial was trained (or looked up). Until then the
// finished trials were pruned, cached or failed, which costs next to nothing
// against a training, so any estimate would be far too low, or, taken on a
// first trial that loaded the data, far too high. 0 means unknown.
func (r *runner) eta(done, total int, elapsed time.Duration) time.Duration {
	if total <= 0 || done <= 0 || done >= total || r.counts.Trained+r.counts.LookedUp == 0 {
		return 0
	}
	return time.Duration(float64(elapsed) / float64(done) * float64(total-done))
}

func (r *runner) outcome() *Outcome {
	e := r.e
	out := &Outcome{Experiment: e.Name, Hash: e.Hash, Evaluator: e.Evaluator.Name(), StoreID: r.rec.ID, Seed: e.Seed, Objectives: e.Objectives,
		Constraints: e.Constraints, Trials: r.trials, Wall: time.Since(r.start), Exhausted: r.exhausted, Underived: r.underived, ArchHistory: r.history, searches: r.searches}
	for i := range r.trials {
		out.Counts.Add(&r.trials[i])
	}
	out.Pareto = ParetoFront(r.trials, FrontObjectives(e.Objectives, e.Constraints))
	if r.rec.ID != 0 {
		r.o.Store.SetMeta(r.rec.ID, encodeMeta(e, out.Wall.Seconds(), r.searches...)) // best effort: only the wall time is new
	}
	return out
}

// trialLine is a one-line description of a trial for logs.
func trialLine(t *Trial) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#%d %s %v", t.ID, t.Status, t.Genome)
	for _, k := range slices.Sorted(maps.Keys(t.Metrics)) {
		fmt.Fprintf(&b, " %s=%.4g", k, t.Metrics[k])
	}
	if t.Error != "" {
		b.WriteString(" (" + t.Error + ")")
	}
	return b.String()
}
