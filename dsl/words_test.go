package dsl

import (
	"slices"
	"testing"
)

// TestHighlightWords: every kind of word a spec uses is highlighted, and no
// word is in two kinds (an editor would colour it one way at random).
func TestHighlightWords(t *testing.T) {
	w := HighlightWords()
	for _, c := range []struct {
		list []string
		want []string
	}{
		{w.Keywords, []string{"experiment", "space", "require", "budget", "platform", "repeat", "batchnorm", "from", "trials"}},
		{w.Builtins, []string{"conv", "dwconv", "dense", "reinforce", "nsga2", "mnasnet", "int16", "builtin", "gap", "skip", "true", "table"}},
		{w.Metrics, []string{"accuracy", "latency", "throughput", "dsp"}},
		{w.Units, []string{"ms", "MHz", "GB/s", "Gb/s", "W", "fps", "%"}},
	} {
		for _, want := range c.want {
			if !slices.Contains(c.list, want) {
				t.Errorf("%q missing from %v", want, c.list)
			}
		}
	}
	seen := map[string]int{}
	for i, l := range [][]string{w.Keywords, w.Builtins, w.Metrics, w.Units} {
		for _, x := range l {
			if j, dup := seen[x]; dup {
				t.Errorf("%q is in lists %d and %d", x, j, i)
			}
			seen[x] = i
		}
	}
}
