package engine

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/hwnas/hwnas/engine/data"
	"github.com/hwnas/hwnas/engine/nn"
	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/search"
)

// archParams are the architecture parameters of a differentiable search,
// one logit per candidate of every searched position, with their Adam
// moments and the number of Adam steps taken.
type archParams struct {
	Theta, M1, M2 [][]float64
	T             int
}

// diffState is a differentiable search in progress: the supernet's weights,
// the architecture parameters and the settings of the point it searches.
type diffState struct {
	pt   diffPoint
	mn   *mixedNet
	sn   *nn.Supernet
	arch archParams
	cfg  nn.Config // the weights' training setup (the dataset's), Epochs the search's
	seed uint64
	last epochStats // of the last epoch trained
	// hist is the report of every epoch trained so far, stored with the
	// state so that an outcome read back from the store shows them.
	hist []ArchEpoch
}

// storedArch is the JSON part of a stored search: the architecture
// parameters and the epochs' reports (absent from searches stored before
// them; the format's version stays, as older readers ignore the field).
type storedArch struct {
	archParams
	History []ArchEpoch `json:",omitempty"`
}

// diffResult is a finished search: its weights, the children it derives
// (the most likely first), whether any child is within its derivation's
// limit and whether any is also above its floor (true without them), and
// the key it is stored under.
type diffResult struct {
	sn             *nn.Supernet
	children       [][]int
	within, filled bool
	key            string
}

// diffMagic starts a stored differentiable search; the digit is the format's version.
const diffMagic = "hwnas-differentiable 1\n"

// encode is the search's state as stored after an epoch: the magic, the
// architecture parameters as JSON (its length first), then the supernet.
func (st *diffState) encode() ([]byte, error) {
	a, err := json.Marshal(storedArch{st.arch, st.hist})
	if err != nil {
		return nil, err
	}
	w, err := st.sn.MarshalBinary()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(diffMagic)
	binary.Write(&b, binary.LittleEndian, uint32(len(a))) // a bytes.Buffer does not fail
	b.Write(a)
	b.Write(w)
	return b.Bytes(), nil
}

// decode restores a state encode wrote.
func (st *diffState) decode(b []byte) error {
	a, rest, err := splitStored(b)
	if err != nil {
		return err
	}
	if err := a.fits(st.mn); err != nil {
		return fmt.Errorf("stored differentiable search: %w", err)
	}
	if err := historyFits(a.History, st.mn); err != nil {
		return fmt.Errorf("stored differentiable search: %w", err)
	}
	sn, err := nn.UnmarshalSupernet(rest)
	if err != nil {
		return err
	}
	st.arch, st.hist, st.sn = a.archParams, a.History, sn
	return nil
}

// splitStored parses the magic and the JSON part of a stored search,
// returning the weights that follow unread.
func splitStored(b []byte) (storedArch, []byte, error) {
	var a storedArch
	rest, ok := bytes.CutPrefix(b, []byte(diffMagic))
	if !ok || len(rest) < 4 {
		return a, nil, fmt.Errorf("not a stored differentiable search")
	}
	n := int(binary.LittleEndian.Uint32(rest))
	if n > len(rest)-4 {
		return a, nil, fmt.Errorf("stored differentiable search: truncated")
	}
	if err := json.Unmarshal(rest[4:4+n], &a); err != nil {
		return a, nil, fmt.Errorf("stored differentiable search: %w", err)
	}
	return a, rest[4+n:], nil
}

// historyFits checks that every epoch of h has one probability per
// candidate of every searched position of mn.
func historyFits(h []ArchEpoch, mn *mixedNet) error {
	for _, ae := range h {
		if len(ae.Positions) != len(mn.pos) {
			return fmt.Errorf("epoch %d reports %d positions, the space has %d", ae.Epoch, len(ae.Positions), len(mn.pos))
		}
		for i, p := range mn.pos {
			if q := ae.Positions[i]; len(q.Probs) != len(p.cands) || len(q.Candidates) != len(p.cands) {
				return fmt.Errorf("epoch %d: position %s has %d probabilities, the space %d candidates", ae.Epoch, p.name, len(q.Probs), len(p.cands))
			}
		}
	}
	return nil
}

// storedHead reads the magic and the JSON part of the search stored under
// key, not its weights.
func storedHead(st *store.Store, key string) ([]byte, bool, error) {
	n := len(diffMagic) + 4
	_, b, ok, err := st.SupernetHead(key, n)
	if err != nil || !ok || len(b) < n {
		return b, ok, err
	}
	_, b, ok, err = st.SupernetHead(key, n+int(binary.LittleEndian.Uint32(b[len(diffMagic):])))
	return b, ok, err
}

// storedHistory is the epochs' reports of a stored search, nil for one
// stored before them; it does not read the weights.
func storedHistory(b []byte) ([]ArchEpoch, error) {
	a, _, err := splitStored(b)
	if err != nil {
		return nil, err
	}
	for _, ae := range a.History {
		for _, p := range ae.Positions {
			if len(p.Probs) != len(p.Candidates) {
				return nil, fmt.Errorf("stored differentiable search: epoch %d: position %s has %d probabilities for %d candidates", ae.Epoch, p.Name, len(p.Probs), len(p.Candidates))
			}
		}
	}
	return a.History, nil
}

// fits checks that a holds one logit and two moments per candidate of
// every searched position of mn.
func (a *archParams) fits(mn *mixedNet) error {
	if len(a.Theta) != len(mn.pos) || len(a.M1) != len(mn.pos) || len(a.M2) != len(mn.pos) {
		return fmt.Errorf("%d positions, the space has %d", len(a.Theta), len(mn.pos))
	}
	for i, p := range mn.pos {
		if n := len(p.cands); len(a.Theta[i]) != n || len(a.M1[i]) != n || len(a.M2[i]) != n {
			return fmt.Errorf("position %s has %d logits, the space %d candidates", p.name, len(a.Theta[i]), n)
		}
	}
	return nil
}

// newDiffState is a fresh search of pt: weights from the seed, θ at the
// prior pt asks for (log of the space's prior, or 0), Adam's moments at 0.
func newDiffState(mn *mixedNet, pt diffPoint, cfg nn.Config, seed uint64) *diffState {
	st := &diffState{pt: pt, mn: mn, sn: nn.NewSupernet(seed), cfg: cfg, seed: seed}
	for _, p := range mn.pos {
		theta := make([]float64, len(p.cands))
		if pt.p["prior"] != search.PriorUniform {
			for k, v := range p.prior {
				theta[k] = math.Log(v)
			}
		}
		st.arch.Theta = append(st.arch.Theta, theta)
		st.arch.M1 = append(st.arch.M1, make([]float64, len(p.cands)))
		st.arch.M2 = append(st.arch.M2, make([]float64, len(p.cands)))
	}
	return st
}

// diffSearch runs the search of pt, resuming it from the store, storing
// it after every epoch and reporting every epoch it trains.
func (r *runner) diffSearch(ctx context.Context, sv *SupernetEvaluator, mn *mixedNet, pt diffPoint) (diffResult, error) {
	e := r.e
	f := e.Fidelity
	f.Seed = e.Seed
	p, err := sv.Data.prepare(f)
	if err != nil {
		return diffResult{}, err
	}
	epochs := int(pt.p["epochs"])
	cfg := nn.Config{Epochs: epochs, Batch: f.Batch, LR: f.LR, Optimizer: f.Optimizer, Seed: uint64(e.Seed), Threads: r.o.Cores}
	st := newDiffState(mn, pt, cfg, uint64(e.Seed))
	key, warm := pt.key(sv, e.Table, f, e.Seed), pt.warmupKey(sv, e.Table, f, e.Seed)
	done, err := r.loadDiff(st, key, warm)
	if err != nil {
		return diffResult{}, err
	}
	if err := r.recordSearch(key); err != nil {
		return diffResult{}, err
	}
	wset, aset, err := p.train.SplitFraction(1-pt.p["split"], uint64(e.Seed)^0x64696666) // "diff"
	if err != nil {
		return diffResult{}, err
	}
	x, err := st.sn.NewMixed(mn.net, mn.mixes, cfg)
	if err != nil {
		return diffResult{}, err
	}
	for ep := done; ep < epochs; ep++ {
		t0 := time.Now()
		if err := st.epoch(ctx, x, ep, wset, aset); err != nil {
			return diffResult{}, fmt.Errorf("epoch %d: %w", ep+1, err)
		}
		ae := st.report(ep, time.Since(t0))
		_, ae.ActivationBytes = x.Buffers()
		st.hist = append(st.hist, ae)
		b, err := st.encode()
		if err != nil {
			return diffResult{}, err
		}
		if err := r.o.Store.PutSupernet(key, ep+1, b); err != nil {
			return diffResult{}, err
		}
		if ep+1 == int(pt.p["warmup"]) {
			if err := r.o.Store.PutSupernet(warm, ep+1, b); err != nil {
				return diffResult{}, err
			}
		}
		r.emit(Event{Kind: DiffEpoch, Trial: -1, Arch: &ae, Note: ae.Line()})
	}
	r.history = append(r.history, st.hist...)
	children, within, filled := st.children(int(pt.p["samples"]), epochs)
	return diffResult{sn: st.sn, children: children, within: within, filled: filled, key: key}, nil
}

// loadDiff restores st from the store: the search stored under key, or
// else the warm-up stored under warm by a search that differs only in the
// parameters the warm-up does not read (another value of a sweep). It
// returns the epochs done.
func (r *runner) loadDiff(st *diffState, key, warm string) (int, error) {
	for _, k := range []string{key, warm} {
		done, blob, ok, err := r.o.Store.Supernet(k)
		if err != nil {
			return 0, err
		}
		if ok && (k == key || done == int(st.pt.p["warmup"])) {
			if err := st.decode(blob); err != nil {
				return 0, fmt.Errorf("stored search %s: %w", k, err)
			}
			for i := range st.hist { // a warm-up stored by another value of a sweep
				st.hist[i].Strategy, st.hist[i].Sweep, st.hist[i].TargetMs = st.pt.kind, st.pt.label, st.pt.targetMs
			}
			return done, nil
		}
	}
	return 0, nil
}

// recordSearch adds key to the searches the run's stored meta lists, at
// once, so that the outcome read back from the store finds the epochs' reports
// even of a run killed before its end.
func (r *runner) recordSearch(key string) error {
	r.searches = append(r.searches, key)
	return r.o.Store.SetMeta(r.rec.ID, encodeMeta(r.e, 0, r.searches...))
}

// argmax is the most likely candidate of every searched position, the
// first of equals.
func (st *diffState) argmax() []int {
	out := make([]int, len(st.arch.Theta))
	for i, th := range st.arch.Theta {
		for k, v := range th {
			if v > th[out[i]] {
				out[i] = k
			}
		}
	}
	return out
}

// children is the derived child, then up to n-1 more distinct children
// drawn from the final distribution p = softmax(θ), position by position,
// as FBNet samples the architectures it trains from scratch from the
// trained distribution Pθ (Wu et al., CVPR 2019). The derived child is the
// most likely candidate at every position (both papers), or with a limit
// (derive = within_target) the most likely child whose table latency is
// within it, and then the draws come from p conditioned on being within
// the limit (withinSampler). With a floor as well (fill), it is the most
// likely child between the two (to a step), and so are the draws. The
// draws come from the seed (as an epoch after the last, epochs); a
// distribution too sure of itself to give n distinct children in 100·n
// draws gives fewer. within is false when a limit leaves no child: then
// the one child is the most likely, to be pruned; filled is false when a
// floor leaves none: then the children are derived within the limit alone.
func (st *diffState) children(n, epochs int) (out [][]int, within, filled bool) {
	p, lo, hi, first := st.probs(), st.pt.floorMs, st.pt.limitMs, st.argmax()
	rng := st.epochRNG(epochs)
	drawOne := func() []int {
		c := make([]int, len(p))
		for i, pi := range p {
			c[i] = draw(rng, pi)
		}
		return c
	}
	if hi > 0 {
		c, ok := st.mn.mostLikelyWithin(p, hi)
		if !ok {
			return [][]int{first}, false, false
		}
		first = c
		s, ok := st.mn.withinSampler(p, lo, hi)
		if !ok && lo > 0 {
			lo = 0
			s, ok = st.mn.withinSampler(p, 0, hi)
		} else if lo > 0 {
			first = s.mostLikely()
		}
		if ok {
			drawOne = func() []int { return s.draw(rng) }
		}
	}
	out = [][]int{first}
	for try := 0; len(out) < n && try < 100*n; try++ {
		c := drawOne()
		if l := st.mn.latencyOf(c); hi > 0 && (l > hi || l < lo) {
			continue
		}
		if !slices.ContainsFunc(out, func(o []int) bool { return slices.Equal(o, c) }) {
			out = append(out, c)
		}
	}
	return out, true, lo == st.pt.floorMs
}

// probs is softmax(θ) of every searched position.
func (st *diffState) probs() [][]float64 {
	out := make([][]float64, len(st.arch.Theta))
	for i, th := range st.arch.Theta {
		out[i] = softmax(th, 1)
	}
	return out
}

// softmax is softmax(x/tau).
func softmax(x []float64, tau float64) []float64 {
	mx := math.Inf(-1)
	for _, v := range x {
		mx = max(mx, v/tau)
	}
	out := make([]float64, len(x))
	var s float64
	for k, v := range x {
		out[k] = math.Exp(v/tau - mx)
		s += out[k]
	}
	for k := range out {
		out[k] /= s
	}
	return out
}

// expectedLatency is Σ_positions Σ_k w_k·LAT_k plus the fixed part, in ms,
// with w per position (probabilities, or FBNet's Gumbel-softmax weights).
func (mn *mixedNet) expectedLatency(w [][]float64) float64 {
	l := mn.fixed
	for i, p := range mn.pos {
		for k, v := range w[i] {
			l += v * p.lat[k]
		}
	}
	return l
}

// epochRNG is the random source of epoch ep: Gumbel noise and sampled paths.
func (st *diffState) epochRNG(ep int) *rand.Rand {
	return rand.New(rand.NewPCG(st.seed, 0x6469666e6173^uint64(ep+1))) // "difnas"
}

// epoch trains one epoch: a step on the weights for every batch of wset
// and, after the warm-up, an architecture step for every batch of aset,
// spread evenly between the weight steps (proxyless) or after them all
// (fbnet, sequential).
func (st *diffState) epoch(ctx context.Context, x *nn.Mixed, ep int, wset, aset *data.Set) error {
	b := st.cfg.Batch
	nW, nA := (wset.Len()+b-1)/b, (aset.Len()+b-1)/b
	wOrder := data.Permutation(wset.Len(), st.seed^uint64(ep+1)*0x9e3779b97f4a7c15)
	aOrder := data.Permutation(aset.Len(), st.seed^uint64(ep+1)*0x2545f4914f6cdd1d)
	rng := st.epochRNG(ep)
	search := ep >= int(st.pt.p["warmup"])
	st.last = epochStats{}
	aDone := 0
	archUpTo := func(n int) error { // architecture steps until n of them are done
		for ; search && aDone < n; aDone++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := st.archStep(x, aset, aOrder[aDone*b:min((aDone+1)*b, aset.Len())], rng, ep); err != nil {
				return err
			}
		}
		return nil
	}
	for i := range nW {
		if err := ctx.Err(); err != nil {
			return err
		}
		t := ep*nW + i
		lr := nn.LearningRate(st.cfg, t, nW*st.cfg.Epochs)
		if err := st.weightStep(x, wset, wOrder[i*b:min((i+1)*b, wset.Len())], rng, ep, lr, t+1); err != nil {
			return err
		}
		if !st.sequential() {
			if err := archUpTo((i + 1) * nA / nW); err != nil {
				return err
			}
		}
	}
	return archUpTo(nA) // fbnet's: every architecture step after the weights'
}

// sequential reports whether an epoch of st takes its architecture steps
// after all its weight steps: FBNet's order (Wu et al., CVPR 2019, §4.1:
// in each epoch the operator weights are trained on 80 % of the training
// set, then θ on the other 20 %). ProxylessNAS's code interleaves them.
func (st *diffState) sequential() bool { return st.pt.kind == "fbnet" }

// epochStats are the means an epoch reports.
type epochStats struct {
	weightCE, archCE, archLoss float64
	nW, nA                     int
}

// temperature is FBNet's Gumbel-softmax temperature in epoch ep: the
// initial one decayed once per epoch (Wu et al., §4.1: 5.0, ×0.956).
func (st *diffState) temperature(ep int) float64 {
	return st.pt.p["temperature"] * math.Pow(st.pt.p["decay"], float64(ep))
}
