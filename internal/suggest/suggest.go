// Package suggest finds the name a user probably meant: the one edit
// distance and the one "did you mean" rule that the language, the platform
// catalog and the kernel's magics all use.
package suggest

import "strings"

// Distance is the optimal-string-alignment distance between a and b:
// insertions, deletions, substitutions and swaps of neighbours each cost 1.
// Words longer than 64 runes are treated as far from everything.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return 1 << 20
	}
	prev2 := make([]int, len(rb)+1) // row i-2
	prev := make([]int, len(rb)+1)  // row i-1
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			c := 1
			if ra[i-1] == rb[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// Closest returns the candidate nearest to name, ignoring case, when it is
// near enough to be a typo: within a third of the name's length (at least 1,
// at most 3, and less than the whole name). Ties go to the first in
// alphabetical order. ok is false when no candidate is that near.
func Closest(name string, candidates []string) (best string, ok bool) {
	bestD := 1 << 30
	ln := strings.ToLower(name)
	for _, c := range candidates {
		d := Distance(ln, strings.ToLower(c))
		if d < bestD || (d == bestD && c < best) {
			best, bestD = c, d
		}
	}
	n := len([]rune(name))
	limit := min(max(1, min(3, n/3)), n-1)
	if best == "" || bestD > limit {
		return "", false
	}
	return best, true
}
