package search

// Grid asks every genome once, in mixed-radix order with the last gene
// changing fastest, then returns no more candidates.
type Grid struct {
	book
	cards []int
	next  []int
	done  bool
}

func newGrid(c Config) *Grid {
	return &Grid{book: newBook(), cards: c.Cards, next: make([]int, len(c.Cards))}
}

// Ask implements Strategy.
func (s *Grid) Ask(n int) []Candidate {
	var out []Candidate
	for ; n > 0 && !s.done; n-- {
		out = append(out, s.issue(append([]int(nil), s.next...)))
		k := len(s.next) - 1
		for ; k >= 0; k-- {
			s.next[k]++
			if s.next[k] < s.cards[k] {
				break
			}
			s.next[k] = 0
		}
		s.done = k < 0
	}
	return out
}

// Tell implements Strategy; grid search learns nothing.
func (s *Grid) Tell(rs []Result) {
	for i := range rs {
		s.take(&rs[i])
	}
}
