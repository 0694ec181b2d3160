package search

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Evolution is regularized (aging) evolution (Real et al., AAAI 2019). Until
// the population is full it asks random genomes; then each child copies the
// fittest of a random sample of the population and changes one gene to a
// different value. Told results join the population in tell order and the
// oldest leaves, so fitness is scalarised by the reward once, on arrival.
type Evolution struct {
	book
	cards        []int
	rng          *rand.Rand
	reward       Reward
	pop, sample  int
	retries      int
	members      []member // oldest first
	mutable      []int    // genes with more than one choice
	randomIssued int
}

type member struct {
	genome  []int
	fitness float64
}

func newEvolution(c Config) (*Evolution, error) {
	p, s := int(c.Params["population"]), int(c.Params["sample"])
	if s > p {
		return nil, fmt.Errorf("strategy evolution: sample %d exceeds population %d", s, p)
	}
	e := &Evolution{book: newBook(), cards: c.Cards, rng: newRand(c.Seed), reward: c.Reward, pop: p, sample: s, retries: int(c.Params["retries"])}
	for i, k := range c.Cards {
		if k > 1 {
			e.mutable = append(e.mutable, i)
		}
	}
	return e, nil
}

// Ask implements Strategy.
func (e *Evolution) Ask(n int) []Candidate {
	out := make([]Candidate, 0, max(n, 0))
	for range n {
		var g []int
		if e.randomIssued < e.pop || len(e.members) == 0 {
			e.randomIssued++
			g = e.fresh(e.retries+1, func() []int { return randomGenome(e.rng, e.cards) })
		} else {
			parent := e.tournament()
			g = e.fresh(e.retries+1, func() []int { return e.mutate(parent) })
		}
		out = append(out, e.issue(g))
	}
	return out
}

func (e *Evolution) tournament() []int {
	best := -1
	bestFit := math.Inf(-1)
	for range min(e.sample, len(e.members)) {
		i := e.rng.IntN(len(e.members))
		if f := e.members[i].fitness; best < 0 || f > bestFit {
			best, bestFit = i, f
		}
	}
	return e.members[best].genome
}

func (e *Evolution) mutate(parent []int) []int {
	g := append([]int(nil), parent...)
	if len(e.mutable) == 0 {
		return g
	}
	k := e.mutable[e.rng.IntN(len(e.mutable))]
	v := e.rng.IntN(e.cards[k] - 1)
	if v >= g[k] {
		v++
	}
	g[k] = v
	return g
}

// Tell implements Strategy. Failed results do not join the population.
func (e *Evolution) Tell(rs []Result) {
	for i := range rs {
		g, ok := e.take(&rs[i])
		if !ok || rs[i].Failed {
			continue
		}
		f := e.reward.Reward(rs[i])
		if math.IsNaN(f) {
			f = math.Inf(-1)
		}
		e.members = append(e.members, member{genome: g, fitness: f})
		if len(e.members) > e.pop {
			e.members = e.members[1:]
		}
	}
}
