package engine

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine/nn"
	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/metric"
)

// SupernetEvaluator scores a child network with the weights it inherits
// from a weight-sharing supernet of its space, trained once on the
// experiment's dataset (its training split, the dataset's batch, learning
// rate and optimiser) by Single-Path One-Shot: one child sampled uniformly
// per step (Guo et al., ECCV 2020). Before the first trial the engine
// trains the supernet or loads it from the store, where it is kept by
// space, data, training settings and seed after every epoch, so that
// another experiment, a resumed run or a killed one continues from the last
// finished epoch; the platform, the constraints and the strategy are not
// part of that key. A child's accuracy is its validation accuracy (test
// accuracy without a validation split) after re-estimating its batch-norm
// statistics on BNBatches training batches; its trial's status is
// inherited. Data also trains the children an experiment's retrain asks for.
type SupernetEvaluator struct {
	Data      *TrainEvaluator // the data set, and standalone training for retrain
	SpaceKey  string          // identifies the space's content (SpaceKey)
	Epochs    int
	BNBatches int

	sn   *nn.Supernet // set by prepare, or by Load on a worker, or by a differentiable search for its derived child
	blob []byte       // sn as stored (not a differentiable search's)
	fid  Fidelity
	// tag, while a differentiable search's child is scored, is that
	// search's key: its inherited accuracy depends on it (differentiable.go).
	tag string
}

// SpaceKey is a short hash of a space's content, without its name.
func SpaceKey(s arch.Space) string {
	var v any = s
	switch sp := s.(type) {
	case *arch.ChainSpace:
		c := *sp
		c.SpaceName = ""
		v = c
	case *arch.CellSpace:
		c := *sp
		c.SpaceName = ""
		v = c
	}
	h := sha256.Sum256(fmt.Appendf(nil, "%T %+v", v, v))
	return hex.EncodeToString(h[:])[:12]
}

// Name is part of the accuracy cache key: inherited accuracies depend on the
// supernet (its space and epochs) and on the batch-norm re-estimation.
func (s *SupernetEvaluator) Name() string {
	if s.tag != "" {
		return fmt.Sprintf("supernet:%s bn_batches=%d (%s)", s.Data.Source, s.BNBatches, s.tag)
	}
	return fmt.Sprintf("supernet:%s space=%s epochs=%d bn_batches=%d", s.Data.Source, s.SpaceKey, s.Epochs, s.BNBatches)
}

// key is where the supernet trained for f and seed is stored: only what
// its weights depend on.
func (s *SupernetEvaluator) key(f Fidelity, seed int64) string {
	return fmt.Sprintf("%s space=%s train=%d val=%d batch=%d lr=%g opt=%s epochs=%d seed=%d",
		s.Data.Source, s.SpaceKey, f.Train, f.Val, f.Batch, f.LR, f.Optimizer, s.Epochs, seed)
}

// config is the supernet's training setup.
func (s *SupernetEvaluator) config(f Fidelity, threads int) nn.Config {
	return nn.Config{Epochs: s.Epochs, Batch: f.Batch, LR: f.LR, Optimizer: f.Optimizer, Seed: uint64(f.Seed), Threads: threads}
}

// prepare loads the run's supernet from the store, training the epochs it
// lacks and storing it after each; progress reports every epoch.
func (s *SupernetEvaluator) prepare(ctx context.Context, r *runner) error {
	e := r.e
	f := e.Fidelity
	f.Seed = e.Seed
	p, err := s.Data.prepare(f)
	if err != nil {
		return err
	}
	key := s.key(f, e.Seed)
	done, blob, ok, err := r.o.Store.Supernet(key)
	if err != nil {
		return err
	}
	sn := nn.NewSupernet(uint64(e.Seed))
	if ok {
		if sn, err = nn.UnmarshalSupernet(blob); err != nil {
			return fmt.Errorf("stored supernet %s: %w", key, err)
		}
	}
	cfg := s.config(f, r.o.Cores)
	for ep := done; ep < s.Epochs; ep++ {
		t0 := time.Now()
		loss, err := sn.TrainEpoch(ctx, ep, p.train, cfg, uniformSampler(e.Space, e.Seed, ep))
		if err != nil {
			return fmt.Errorf("supernet training, epoch %d: %w", ep+1, err)
		}
		if blob, err = sn.MarshalBinary(); err != nil {
			return err
		}
		if err := r.o.Store.PutSupernet(key, ep+1, blob); err != nil {
			return err
		}
		r.emit(Event{Kind: SupernetEpoch, Trial: -1,
			Note: fmt.Sprintf("supernet epoch %d/%d: loss %.4f, %.1f s", ep+1, s.Epochs, loss, time.Since(t0).Seconds())})
	}
	if blob == nil { // nothing stored, and no epoch to train
		if blob, err = sn.MarshalBinary(); err != nil {
			return err
		}
	}
	s.sn, s.blob, s.fid = sn, blob, f
	return nil
}

// Stored returns the prepared supernet as the store keeps it
// (nn.Supernet.MarshalBinary), for workers that score children elsewhere
// (Load); ok is false before the engine has prepared it.
func (s *SupernetEvaluator) Stored() (blob []byte, ok bool) { return s.blob, s.sn != nil }

// Load sets the supernet children are scored with to blob, one Stored
// returned: a worker scores children as the engine would have.
func (s *SupernetEvaluator) Load(blob []byte) error {
	sn, err := nn.UnmarshalSupernet(blob)
	if err != nil {
		return fmt.Errorf("supernet: %w", err)
	}
	s.sn, s.blob = sn, blob
	return nil
}

// prepareSupernet trains or loads the run's supernet, when its evaluator
// has one, before the first trial.
func (r *runner) prepareSupernet(ctx context.Context) error {
	sv, ok := localOf(r.e.Evaluator).(*SupernetEvaluator)
	if !ok {
		return nil
	}
	if err := sv.prepare(ctx, r); err != nil {
		return fmt.Errorf("experiment %q: %w", r.e.Name, err)
	}
	return nil
}

// uniformSampler returns Single-Path One-Shot's path sampler for epoch ep:
// every choice block takes one of its candidate operations uniformly (Guo
// et al., ECCV 2020, §3.2), drawn from the seed and the epoch. A chain
// space's layer-type decision ("layer3.type") weighs each type by the
// configurations it has (mbconv with 3 expansions and 3 kernels counts 9,
// skip 1), so that each candidate of the slot, not each type, is equally
// likely; every other decision is uniform. A genome that does not decode (a
// kernel larger than its map) is drawn again.
func uniformSampler(sp arch.Space, seed int64, ep int) func(int) (*arch.Network, error) {
	r := rand.New(rand.NewPCG(uint64(seed), 0x73706f73^uint64(ep+1))) // "spos"
	weights := candidateWeights(sp.Decisions())
	return func(int) (*arch.Network, error) {
		var err error
		for range 100 {
			g := make([]int, len(weights))
			for i, w := range weights {
				g[i] = draw(r, w)
			}
			var n *arch.Network
			if n, err = sp.Decode(g); err == nil {
				return n, nil
			}
		}
		return nil, fmt.Errorf("sampling the supernet: 100 draws gave no valid network: %w", err)
	}
}

// candidateWeights gives every choice of every decision its weight: the
// configurations of a layer type for a "….type" decision (the product of the
// choices of the decisions named after it, "….type"'s prefix, the type and
// a parameter), 1 otherwise.
func candidateWeights(ds []arch.Decision) [][]float64 {
	out := make([][]float64, len(ds))
	for i, d := range ds {
		out[i] = make([]float64, len(d.Choices))
		slot, isType := strings.CutSuffix(d.Name, ".type")
		for k, c := range d.Choices {
			out[i][k] = 1
			if !isType {
				continue
			}
			for _, e := range ds {
				if strings.HasPrefix(e.Name, slot+"."+c+".") {
					out[i][k] *= float64(len(e.Choices))
				}
			}
		}
	}
	return out
}

// draw returns an index drawn with probability proportional to its weight.
func draw(r *rand.Rand, w []float64) int {
	var sum float64
	for _, x := range w {
		sum += x
	}
	u := r.Float64() * sum
	for k, x := range w {
		if u < x {
			return k
		}
		u -= x
	}
	return len(w) - 1
}

// Evaluate scores r.Network with inherited weights.
func (s *SupernetEvaluator) Evaluate(ctx context.Context, r Request) (Evaluation, error) {
	if s.sn == nil {
		return Evaluation{}, fmt.Errorf("the supernet is not trained: the engine trains it before the first trial")
	}
	p, err := s.Data.prepare(r.Fidelity)
	if err != nil {
		return Evaluation{}, err
	}
	val := p.val
	if val == nil {
		val = p.test
	}
	acc, err := s.sn.Accuracy(ctx, r.Network, p.train, val, s.config(r.Fidelity, r.Threads), s.BNBatches)
	if err != nil {
		return Evaluation{}, err
	}
	return Evaluation{Metrics: Metrics{metric.Accuracy: acc}}, nil
}

// retrain trains the best e.Retrain distinct feasible children of the
// search from scratch with the supernet's data (as a train evaluator would,
// sharing its accuracy cache) and appends them as retrained trials; one
// stored by an earlier run is resumed.
func (r *runner) retrain(ctx context.Context, stored map[int]store.Trial) error {
	s, ok := localOf(r.e.Evaluator).(*SupernetEvaluator)
	if !ok || r.e.Retrain <= 0 || len(r.e.Objectives) == 0 {
		return nil
	}
	trainer, err := r.standalone(s)
	if err != nil {
		return err
	}
	kids, seq0 := r.bestChildren(r.e.Retrain), len(r.trials)
	r.mu.Lock()
	r.total = r.done + len(kids)
	r.mu.Unlock()
	resumed := func(i int) (store.Trial, bool) {
		st, ok := stored[seq0+i]
		return st, ok && st.Status == store.Retrained && slices.Equal(st.Genome, kids[i].Genome)
	}
	if _, remote := r.e.Evaluator.(Remote); remote { // the workers train them side by side
		actx, cancel := context.WithCancel(ctx)
		defer cancel()
		var reqs []Request
		for i, src := range kids {
			if _, ok := resumed(i); !ok {
				reqs = r.retrainPending(s, src.Genome, reqs)
			}
		}
		trainer = startAhead(actx, trainer, reqs, r.e.Parallel)
	}
	for i, src := range kids {
		if st, ok := resumed(i); ok {
			t := r.fromStored(st)
			r.finish(&t, TrialResumed)
			r.trials = append(r.trials, t)
			continue
		}
		t, err := r.retrainOne(ctx, s, trainer, seq0+i, src)
		if err != nil {
			return err
		}
		r.trials = append(r.trials, t)
	}
	return nil
}

// bestChildren returns the n best feasible trials of distinct networks by
// the first objective, ties to the earlier trial.
func (r *runner) bestChildren(n int) []Trial {
	ob := r.e.Objectives[0]
	var cand []Trial
	seen := map[string]bool{}
	for _, t := range r.trials {
		if t.Feasible && t.Status != store.Retrained && !seen[t.NetworkKey] {
			seen[t.NetworkKey] = true
			cand = append(cand, t)
		}
	}
	slices.SortStableFunc(cand, func(a, b Trial) int {
		x, y := a.Metrics[ob.Metric], b.Metrics[ob.Metric]
		if ob.Maximize {
			x, y = y, x
		}
		return cmp.Compare(x, y)
	})
	return cand[:min(n, len(cand))]
}

// retrainRequest is the standalone training of the child with genome, and
// where its accuracy is cached.
func (r *runner) retrainRequest(s *SupernetEvaluator, genome []int) (Request, store.AccuracyKey, error) {
	net, err := r.e.Space.Decode(genome[:r.nArch])
	if err != nil {
		return Request{}, store.AccuracyKey{}, fmt.Errorf("retrain: decoding genome %v: %w", genome, err)
	}
	fid := r.e.Fidelity
	fid.Seed = r.e.Seed
	akey := store.AccuracyKey{Network: net.Key(), Dataset: fid.Dataset, Fidelity: s.Data.Name() + " " + fid.Key(), Seed: r.e.Seed}
	return Request{Network: net, Space: r.e.Space.Name(), Genome: genome[:r.nArch], Fidelity: fid, Threads: r.o.Cores}, akey, nil
}

// retrainPending appends to reqs the standalone training of the child with
// genome unless the accuracy cache has it.
func (r *runner) retrainPending(s *SupernetEvaluator, genome []int, reqs []Request) []Request {
	q, akey, err := r.retrainRequest(s, genome)
	if err != nil {
		return reqs // retrainOne says why
	}
	if _, _, cached, err := r.o.Store.Accuracy(akey); err == nil && !cached {
		reqs = append(reqs, q)
	}
	return reqs
}

// retrainOne trains src's network from scratch with trainer as trial seq.
func (r *runner) retrainOne(ctx context.Context, s *SupernetEvaluator, trainer Evaluator, seq int, src Trial) (Trial, error) {
	t := Trial{ID: seq, Genome: src.Genome, Network: src.Network, NetworkKey: src.NetworkKey, Design: src.Design,
		Metrics: maps.Clone(src.Metrics), HardwareS: src.HardwareS}
	delete(t.Metrics, metric.Accuracy)
	delete(t.Metrics, metric.TestAccuracy)
	r.emitTrial(TrialStarted, &t)
	q, akey, err := r.retrainRequest(s, t.Genome)
	if err != nil {
		return t, err
	}
	am, evalS, ok, err := r.o.Store.Accuracy(akey)
	if err != nil {
		return t, err
	}
	if !ok {
		t0 := time.Now()
		ev, err := trainer.Evaluate(ctx, q)
		if ctx.Err() != nil {
			return t, fmt.Errorf("experiment %q stopped while retraining: %w", r.e.Name, context.Cause(ctx))
		}
		if err != nil {
			t.Status, t.Error = store.Failed, "retrain: "+err.Error()
			return r.record(&t, TrialFailed), nil
		}
		am, evalS = ev.Metrics, cmp.Or(ev.ChargedS, time.Since(t0).Seconds()) // a worker's training time, not the wait
		if err := r.o.Store.PutAccuracy(akey, am, evalS); err != nil {
			return t, err
		}
	}
	maps.Copy(t.Metrics, am)
	t.EvalS, t.Status = evalS, store.Retrained
	return r.record(&t, TrialRetrained), nil
}

// standalone is the evaluator that retrains children: the supernet's train
// evaluator, run where the experiment's evaluations run.
func (r *runner) standalone(s *SupernetEvaluator) (Evaluator, error) {
	if rm, ok := r.e.Evaluator.(Remote); ok {
		return rm.Via(s.Data)
	}
	return s.Data, nil
}

// aheadEvaluator has evaluations started before they are asked for, so
// that retrain's standalone trainings run side by side on workers:
// Evaluate returns the one started for its request's network, or runs it.
type aheadEvaluator struct {
	Evaluator
	runs map[string]*aheadRun // by network key; not written after startAhead
}

type aheadRun struct {
	done chan struct{}
	ev   Evaluation
	err  error
}

// startAhead starts ev on reqs, at most parallel at once, until ctx ends.
func startAhead(ctx context.Context, ev Evaluator, reqs []Request, parallel int) aheadEvaluator {
	a := aheadEvaluator{Evaluator: ev, runs: map[string]*aheadRun{}}
	sem := make(chan struct{}, max(parallel, 1))
	for _, q := range reqs {
		k := q.Network.Key()
		if a.runs[k] != nil {
			continue
		}
		run := &aheadRun{done: make(chan struct{})}
		a.runs[k] = run
		go func() {
			defer close(run.done)
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
				run.ev, run.err = ev.Evaluate(ctx, q)
			case <-ctx.Done():
				run.err = ctx.Err()
			}
		}()
	}
	return a
}

func (a aheadEvaluator) Evaluate(ctx context.Context, q Request) (Evaluation, error) {
	run := a.runs[q.Network.Key()]
	if run == nil {
		return a.Evaluator.Evaluate(ctx, q)
	}
	select {
	case <-run.done:
		return run.ev, run.err
	case <-ctx.Done():
		return Evaluation{}, ctx.Err()
	}
}

// TrainSupernet trains the supernet of e, whose evaluator must be a
// SupernetEvaluator, or loads it from o.Store, reporting every epoch it
// trains to o.Progress; the evaluator then scores children. Run does this
// itself before its first trial; a benchmark or a notebook calls it to time
// the training or to score children outside a search.
func TrainSupernet(ctx context.Context, e Experiment, o Options) error {
	sv, ok := localOf(e.Evaluator).(*SupernetEvaluator)
	if !ok {
		return fmt.Errorf("experiment %q: evaluator %s is not a supernet", e.Name, e.Evaluator.Name())
	}
	if o.Store == nil {
		return fmt.Errorf("experiment %q: no store", e.Name)
	}
	if o.Cores <= 0 {
		o.Cores = runtime.NumCPU()
	}
	return sv.prepare(ctx, &runner{e: &e, o: o, start: time.Now(), best: -1})
}
