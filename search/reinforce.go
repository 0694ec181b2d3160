package search

import (
	"math"
	"math/rand/v2"
)

// Reinforce is the REINFORCE strategy of NAS and FNAS: an LSTM controller
// (see controller) samples genomes, a share "explore" of them uniformly at
// random, and every told result updates it once, in tell order, with the
// advantage reward − baseline (an EMA of rewards, decay "baseline"), or with
// the reward itself for rewards that already subtract a baseline (FNAS).
// RMSProp with learning rate lr·lr_decay^⌊updates/lr_steps⌋ (FNAS train.py).
// Uniformly drawn genomes train the controller like sampled ones. With
// batch m > 1 the gradients of m results are averaged into one update.
type Reinforce struct {
	book
	cards   []int
	rng     *rand.Rand
	ctl     *controller
	reward  Reward
	p       map[string]float64
	base    float64
	baseSet bool
	updates int
	retries int
	acc     []float64 // gradient summed over the current batch
	inBatch int
}

func newReinforce(c Config) (Strategy, error) { return newReinforceOf(c), nil }

func newReinforceOf(c Config) *Reinforce {
	rng := newRand(c.Seed)
	return &Reinforce{book: newBook(), cards: c.Cards, rng: rng, reward: c.Reward, p: c.Params,
		ctl:     newController(c.Cards, int(c.Params["hidden"]), int(c.Params["embed"]), c.Params["init"], rng),
		retries: int(c.Params["retries"])}
}

// sample draws one genome whose first len(prefix) genes are prefix.
func (s *Reinforce) sample(prefix []int) []int {
	g := make([]int, len(s.cards))
	copy(g, prefix)
	if s.rng.Float64() < s.p["explore"] {
		for i := len(prefix); i < len(g); i++ {
			g[i] = s.rng.IntN(s.cards[i])
		}
		return g
	}
	s.ctl.run(g, len(prefix), s.rng)
	return g
}

// Ask implements Strategy.
func (s *Reinforce) Ask(n int) []Candidate {
	out := make([]Candidate, 0, max(n, 0))
	for range n {
		g := s.fresh(s.retries+1, func() []int { return s.sample(nil) })
		out = append(out, s.issue(g))
	}
	return out
}

// Tell implements Strategy.
func (s *Reinforce) Tell(rs []Result) {
	for i := range rs {
		g, ok := s.take(&rs[i])
		if !ok {
			continue
		}
		s.learn(g, s.reward.Reward(rs[i]))
	}
}

// learn updates the controller towards (reward > baseline) or away from g.
func (s *Reinforce) learn(g []int, r float64) {
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return
	}
	adv := r
	if b, ok := s.reward.(baselined); !ok || !b.Baselined() {
		if !s.baseSet {
			s.base, s.baseSet = r, true
		}
		adv = r - s.base
		d := s.p["baseline"]
		s.base = d*s.base + (1-d)*r
	}
	s.ctl.ensure(g)
	s.ctl.backward(g, adv, s.p["entropy"], s.p["l2"])
	if m := int(s.p["batch"]); m > 1 {
		if s.acc == nil {
			s.acc = make([]float64, len(s.ctl.grad))
		}
		for i, v := range s.ctl.grad {
			s.acc[i] += v / float64(m)
		}
		if s.inBatch++; s.inBatch < m {
			return
		}
		copy(s.ctl.grad, s.acc)
		clear(s.acc)
		s.inBatch = 0
	}
	lr := s.p["lr"] * math.Pow(s.p["lr_decay"], math.Floor(float64(s.updates)/s.p["lr_steps"]))
	s.ctl.rmsprop(lr, s.p["rms_decay"])
	s.updates++
}

// Probabilities returns the controller's distribution of every gene along
// the greedy path (each step fed the most likely previous action), for
// inspection and notebooks.
func (s *Reinforce) Probabilities() [][]float64 {
	g := make([]int, len(s.cards))
	out := make([][]float64, len(s.cards))
	for t := range s.cards {
		s.ctl.run(g, len(g), nil)
		p := s.ctl.probs[t]
		out[t] = append([]float64(nil), p...)
		best := 0
		for k, v := range p {
			if v > p[best] {
				best = k
			}
		}
		g[t] = best
	}
	return out
}
