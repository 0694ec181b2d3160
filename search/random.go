package search

import "math/rand/v2"

// Random draws genomes uniformly, avoiding genomes already asked while the
// space is not exhausted (up to the "retries" parameter).
type Random struct {
	book
	cards   []int
	rng     *rand.Rand
	retries int
	size    int64
}

func newRandom(c Config) *Random {
	return &Random{book: newBook(), cards: c.Cards, rng: newRand(c.Seed), retries: int(c.Params["retries"]), size: SpaceSize(c.Cards)}
}

// Ask implements Strategy. With retries > 0 it stops early once every genome
// of a small space has been asked.
func (s *Random) Ask(n int) []Candidate {
	out := make([]Candidate, 0, max(n, 0))
	for range n {
		if s.retries > 0 && s.size >= 0 && int64(len(s.seen)) >= s.size {
			break
		}
		g := s.fresh(s.retries+1, func() []int { return randomGenome(s.rng, s.cards) })
		if s.retries > 0 && s.seen[genomeKey(g)] && s.size >= 0 && s.size <= 1<<16 {
			g = s.firstUnseen()
		}
		out = append(out, s.issue(g))
	}
	return out
}

// firstUnseen finds an unasked genome of a small space by scanning from a random start.
func (s *Random) firstUnseen() []int {
	start := s.rng.Int64N(s.size)
	for k := range s.size {
		g := decodeIndex((start+k)%s.size, s.cards)
		if !s.seen[genomeKey(g)] {
			return g
		}
	}
	return randomGenome(s.rng, s.cards)
}

// Tell implements Strategy; random search learns nothing.
func (s *Random) Tell(rs []Result) {
	for i := range rs {
		s.take(&rs[i])
	}
}

// decodeIndex returns the genome at mixed-radix position i, last gene fastest.
func decodeIndex(i int64, cards []int) []int {
	g := make([]int, len(cards))
	for k := len(cards) - 1; k >= 0; k-- {
		g[k] = int(i % int64(cards[k]))
		i /= int64(cards[k])
	}
	return g
}
