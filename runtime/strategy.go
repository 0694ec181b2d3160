package runtime

import (
	"fmt"
	"math/rand/v2"
)

// Candidate is a genome the strategy wants evaluated.
type Candidate struct {
	ID     int
	Genome []int
}

// Told is what the strategy learns about one candidate.
type Told struct {
	ID         int
	Objectives []float64 // in the experiment's objective order, as measured
	Feasible   bool
	Pruned     bool
}

// Strategy is the ask/tell interface the loop drives.
type Strategy interface {
	Ask(n int) []Candidate
	Tell(results []Told)
}

// newStrategy builds the strategy an experiment names.
func newStrategy(e *Experiment) (Strategy, error) {
	cards := e.Cardinalities()
	for i, c := range cards {
		if c < 1 {
			return nil, fmt.Errorf("gene %d (%s) has no choices", i, e.Decisions()[i].Name)
		}
	}
	switch e.Strategy.Kind {
	case "", "random":
		return &randomStrategy{cards: cards, rng: rand.New(rand.NewPCG(uint64(e.Seed), 0x68776e6173))}, nil
	}
	return nil, fmt.Errorf("unknown strategy %q", e.Strategy.Kind)
}

// randomStrategy samples genomes uniformly.
type randomStrategy struct {
	cards []int
	rng   *rand.Rand
	next  int
}

func (s *randomStrategy) Ask(n int) []Candidate {
	out := make([]Candidate, n)
	for i := range out {
		g := make([]int, len(s.cards))
		for j, c := range s.cards {
			g[j] = s.rng.IntN(c)
		}
		out[i] = Candidate{ID: s.next, Genome: g}
		s.next++
	}
	return out
}

func (s *randomStrategy) Tell([]Told) {}
