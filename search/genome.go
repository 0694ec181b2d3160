package search

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// newRand returns the generator every random choice of a strategy flows from.
func newRand(seed int64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
}

// genomeKey is a map key for a genome.
func genomeKey(g []int) string {
	var b strings.Builder
	for i, v := range g {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(v))
	}
	return b.String()
}

func randomGenome(rng *rand.Rand, cards []int) []int {
	g := make([]int, len(cards))
	for i, c := range cards {
		g[i] = rng.IntN(c)
	}
	return g
}

// SpaceSize returns the number of genomes, or -1 when it exceeds 2^62.
func SpaceSize(cards []int) int64 {
	n := int64(1)
	for _, c := range cards {
		if n > (1<<62)/int64(c) {
			return -1
		}
		n *= int64(c)
	}
	return n
}

// book keeps the bookkeeping every strategy shares: candidate IDs, the
// genomes asked and not yet told, the set of genomes ever asked (so strategies
// can avoid repeats), and the counts.
type book struct {
	next    int
	pending map[int][]int
	seen    map[string]bool
	counts  Counts
}

func newBook() book { return book{pending: map[int][]int{}, seen: map[string]bool{}} }

func (b *book) issue(g []int) Candidate {
	c := Candidate{ID: b.next, Genome: g}
	b.next++
	b.pending[c.ID] = g
	b.seen[genomeKey(g)] = true
	b.counts.Asked++
	return c
}

// take returns the genome of a pending ID and marks it told, or false for an
// unknown or repeated ID (counted as ignored).
func (b *book) take(r *Result) ([]int, bool) {
	g, ok := b.pending[r.ID]
	if !ok {
		b.counts.Ignored++
		return nil, false
	}
	delete(b.pending, r.ID)
	b.counts.add(r)
	return g, true
}

// Counts returns the tallies of the results told so far.
func (b *book) Counts() Counts { return b.counts }

// fresh draws genomes from gen until one has not been asked before, trying at
// most tries times; the last draw is returned either way.
func (b *book) fresh(tries int, gen func() []int) []int {
	var g []int
	for range max(tries, 1) {
		g = gen()
		if !b.seen[genomeKey(g)] {
			return g
		}
	}
	return g
}
