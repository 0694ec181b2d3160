package search

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// Bananas is BANANAS (White, Neiswanger & Savani, "BANANAS: Bayesian
// Optimization with Neural Architectures for Neural Architecture Search",
// AAAI 2021). It asks "initial" random genomes; then, at every Ask, it trains
// an ensemble of small neural networks on the rewards told so far (each
// network from its own random start and batch order), mutates the best told
// genomes into a pool of new candidates, and returns the candidates with the
// highest independent Thompson samples: for each candidate one draw from a
// normal distribution with the ensemble's mean and standard deviation (the
// paper's ITS acquisition). The ensemble is retrained only when new results
// have arrived.
//
// Features are Config.Encode's, or one-hot per gene. Rewards come from
// Config.Reward, so several objectives are scalarised as for evolution (a
// weighted sum, MnasNet or FNAS). With several objectives and no reward it
// optimises them itself (bananas_pareto.go): one ensemble per objective, and
// candidates chosen by the hypervolume their Thompson samples add. With
// Config.Hardware set, candidates it rejects are never proposed (no genome is
// checked twice); pruned results are learnt from with the reward's penalty.
//
// Under a multi-fidelity schedule (results told with several Fidelity
// values) it follows BOHB: the ensemble is fit, and parents are ranked, on
// the results of the highest fidelity that has enough of them
// (bananas_fidelity.go); `strategy bananas` with `fidelity hyperband` is BOHB
// with BANANAS's model in place of BOHB's kernel density estimates.
type Bananas struct {
	book
	cards    []int
	rng      *rand.Rand
	reward   Reward
	encode   func([]int) []float64
	feasible HardwareFunc
	verdicts map[string]bool // Hardware's answer per genome checked

	initial, candidates, parents, edits int
	ensemble, hidden, layers, epochs    int
	batch, steps                        int
	lr                                  float64

	genomes [][]int // told (not failed), in tell order
	xs      [][]float64
	ys      []float64 // rewards
	told    []Result  // the results the rewards are of, as ys
	fids    []int     // Result.Fidelity, as genomes (bananas_fidelity.go)
	rungs   []bool    // whether the observation is one of a result's Rungs, as genomes
	nets    []*mlp
	trained int // len(genomes) when nets were trained

	pareto  *paretoState // several objectives without a reward; nil otherwise
	yMean   float64
	yStd    float64
	mutable []int
	issued  int
}

func newBananas(c Config) *Bananas {
	b := &Bananas{book: newBook(), cards: c.Cards, rng: newRand(c.Seed), reward: c.Reward, encode: c.Encode,
		feasible: c.Hardware, verdicts: map[string]bool{}}
	p := func(n string) int { return int(c.Params[n]) }
	b.initial, b.candidates, b.parents, b.edits = p("initial"), p("candidates"), p("parents"), p("edits")
	b.ensemble, b.hidden, b.layers, b.epochs, b.batch = p("ensemble"), p("hidden"), p("layers"), p("epochs"), p("batch")
	b.steps = p("steps")
	b.lr = c.Params["lr"]
	if c.Reward == nil && len(c.Senses) > 1 {
		b.pareto = &paretoState{senses: c.Senses}
	}
	if b.encode == nil {
		b.encode = func(g []int) []float64 { return OneHot(g, b.cards) }
	}
	for i, k := range c.Cards {
		if k > 1 {
			b.mutable = append(b.mutable, i)
		}
	}
	return b
}

// OneHot encodes a genome as one indicator per gene value, in gene order.
func OneHot(g []int, cards []int) []float64 {
	n := 0
	for _, c := range cards {
		n += c
	}
	x := make([]float64, n)
	off := 0
	for i, c := range cards {
		if i < len(g) && g[i] >= 0 && g[i] < c {
			x[off+g[i]] = 1
		}
		off += c
	}
	return x
}

// Ask implements Strategy.
func (b *Bananas) Ask(n int) []Candidate {
	out := make([]Candidate, 0, max(n, 0))
	if n > 0 && b.issued >= b.initial && len(b.genomes) >= 2 {
		for _, g := range b.acquire(n) {
			out = append(out, b.issue(g))
		}
	}
	for len(out) < n {
		out = append(out, b.issue(b.random()))
	}
	b.issued += len(out)
	return out
}

// ok reports whether g may be proposed: never asked, and accepted by the
// hardware check when there is one (asked once per genome).
func (b *Bananas) ok(g []int) bool {
	k := genomeKey(g)
	if b.seen[k] || b.feasible == nil {
		return !b.seen[k]
	}
	v, done := b.verdicts[k]
	if !done {
		v = b.feasible(g)
		b.verdicts[k] = v
	}
	return v
}

// random draws a genome that may be proposed, giving up after a number of
// tries (the last draw is returned then, as for the other strategies).
func (b *Bananas) random() []int {
	var g []int
	for range 1000 {
		if g = randomGenome(b.rng, b.cards); b.ok(g) {
			return g
		}
	}
	return g
}

// acquire returns up to n pool candidates with the highest Thompson samples.
func (b *Bananas) acquire(n int) [][]int {
	if b.trained != len(b.genomes) {
		b.trained = len(b.genomes)
		if b.pareto != nil {
			b.trainPareto(b.fitSet())
		} else {
			b.train(b.fitSet())
		}
	}
	pool := b.pool()
	if b.pareto != nil {
		return b.acquirePareto(pool, n)
	}
	type scored struct {
		g []int
		s float64
	}
	ss := make([]scored, len(pool))
	for i, g := range pool {
		mu, sd := b.predict(b.encode(g))
		ss[i] = scored{g, mu + sd*b.rng.NormFloat64()}
	}
	sort.SliceStable(ss, func(i, j int) bool { return ss[i].s > ss[j].s })
	var out [][]int
	for _, s := range ss[:min(n, len(ss))] {
		out = append(out, s.g)
	}
	return out
}

// pool mutates the best told genomes into distinct candidates that may be
// proposed, trying at most ten times the pool size.
func (b *Bananas) pool() [][]int {
	best := b.ranked()
	best = best[:min(b.parents, len(best))]
	in := map[string]bool{}
	var pool [][]int
	for try := 0; len(pool) < b.candidates && try < 10*b.candidates; try++ {
		g := b.mutate(b.genomes[best[try%len(best)]])
		if k := genomeKey(g); !in[k] && b.ok(g) {
			in[k] = true
			pool = append(pool, g)
		}
	}
	return pool
}

// mutate changes between 1 and edits distinct genes of parent to other values.
func (b *Bananas) mutate(parent []int) []int {
	g := slices.Clone(parent)
	genes := slices.Clone(b.mutable)
	b.rng.Shuffle(len(genes), func(i, j int) { genes[i], genes[j] = genes[j], genes[i] })
	for _, k := range genes[:min(1+b.rng.IntN(b.edits), len(genes))] {
		v := b.rng.IntN(b.cards[k] - 1)
		if v >= g[k] {
			v++
		}
		g[k] = v
	}
	return g
}

// ranked returns the indexes of the observations of fitSet, best first: by
// reward, or in Pareto mode by the number of those results dominating them.
func (b *Bananas) ranked() []int {
	set := b.fitSet()
	idx := slices.Clone(set)
	if set == nil {
		idx = make([]int, len(b.genomes))
		for i := range idx {
			idx[i] = i
		}
	}
	order := make([]int, len(idx)) // positions in idx
	for k := range order {
		order[k] = k
	}
	if b.pareto != nil {
		d := b.pareto.sub(set).dominators()
		sort.SliceStable(order, func(i, j int) bool { return d[order[i]] < d[order[j]] })
	} else {
		ys := b.setRewards(set)
		sort.SliceStable(order, func(i, j int) bool { return ys[order[i]] > ys[order[j]] })
	}
	for k, p := range order {
		order[k] = idx[p]
	}
	return order
}

// train fits every network of the ensemble from scratch on the standardised
// rewards of the observations at set (all when nil).
func (b *Bananas) train(set []int) {
	b.nets, b.yMean, b.yStd = b.fitEnsemble(subset(b.xs, set), b.setRewards(set))
}

// fitEnsemble fits ensemble networks from scratch on features xs and the
// standardised ys; it returns them with the mean and deviation to undo the
// standardisation.
func (b *Bananas) fitEnsemble(xs [][]float64, ys []float64) (nets []*mlp, mean, std float64) {
	mean, std = meanStd(ys)
	zs := make([]float64, len(ys))
	for i, y := range ys {
		zs[i] = (y - mean) / std
	}
	for range b.ensemble {
		net := newMLP(b.rng, len(xs[0]), b.hidden, b.layers)
		net.fit(b.rng, xs, zs, b.epochs, b.batch, b.steps, b.lr)
		nets = append(nets, net)
	}
	return nets, mean, std
}

// predict returns the ensemble's mean and standard deviation for x, in reward units.
func (b *Bananas) predict(x []float64) (mu, sd float64) {
	return ensemblePredict(b.nets, b.yMean, b.yStd, x)
}

// ensemblePredict returns the mean and standard deviation of the nets'
// predictions for x, in the units that mean and std standardised.
func ensemblePredict(nets []*mlp, mean, std float64, x []float64) (mu, sd float64) {
	ps := make([]float64, len(nets))
	for i, net := range nets {
		ps[i] = net.predict(x)*std + mean
	}
	for _, p := range ps {
		mu += p
	}
	mu /= float64(len(ps))
	for _, p := range ps {
		sd += (p - mu) * (p - mu)
	}
	return mu, math.Sqrt(sd / float64(len(ps)))
}

// meanStd returns the mean of ys and their standard deviation, 1 when it is 0.
func meanStd(ys []float64) (float64, float64) {
	m := 0.0
	for _, y := range ys {
		m += y
	}
	m /= float64(len(ys))
	v := 0.0
	for _, y := range ys {
		v += (y - m) * (y - m)
	}
	s := math.Sqrt(v / float64(len(ys)))
	if s == 0 || math.IsNaN(s) {
		s = 1
	}
	return m, s
}

// Tell implements Strategy. Failed results and results whose reward is NaN
// teach the predictor nothing. A result's Rungs are learnt as observations
// of their own fidelities, before the result itself.
func (b *Bananas) Tell(rs []Result) {
	for i := range rs {
		g, ok := b.take(&rs[i])
		if !ok || rs[i].Failed {
			continue
		}
		for _, rung := range rs[i].Rungs {
			r := rs[i]
			r.Objectives, r.Fidelity, r.Rungs = rung.Objectives, rung.Fidelity, nil
			b.observe(g, r, true)
		}
		b.observe(g, rs[i], false)
	}
}

// observe learns genome g's result r, which is a rung's when rung is set.
func (b *Bananas) observe(g []int, r Result, rung bool) {
	if b.pareto != nil {
		if !b.pareto.tell(r) {
			return
		}
	} else {
		y := b.reward.Reward(r)
		if math.IsNaN(y) || math.IsInf(y, 0) {
			return
		}
		b.ys = append(b.ys, y)
		r.Rungs = nil
		b.told = append(b.told, r)
	}
	b.genomes = append(b.genomes, g)
	b.xs = append(b.xs, b.encode(g))
	b.fids = append(b.fids, fidelityOf(&r))
	b.rungs = append(b.rungs, rung)
}
