package search

import (
	"strings"
	"testing"
)

func TestNewErrors(t *testing.T) {
	ok := Config{Cards: []int{3, 3}, Senses: []Sense{Maximize}}
	cases := []struct {
		kind string
		cfg  Config
		want string
	}{
		{"anneal", ok, `unknown strategy "anneal" (valid: bananas, coexplore, evolution, fbnet, grid, nsga2, proxyless, random, reinforce)`},
		{"random", Config{Senses: []Sense{Maximize}}, "genome has no genes"},
		{"random", Config{Cards: []int{3, 0}, Senses: []Sense{Maximize}}, "gene 1 has 0 choices"},
		{"random", Config{Cards: []int{3}}, "no objectives"},
		{"evolution", Config{Cards: []int{3}, Senses: []Sense{Maximize}, Params: map[string]float64{"popsize": 3}},
			`strategy evolution: unknown parameter "popsize" (valid: population, sample, retries)`},
		{"grid", Config{Cards: []int{3}, Senses: []Sense{Maximize}, Params: map[string]float64{"x": 3}},
			`strategy grid: unknown parameter "x" (it takes none)`},
		{"nsga2", Config{Cards: []int{3}, Senses: []Sense{Maximize}, Params: map[string]float64{"crossover": 1.5}},
			"parameter crossover = 1.5 out of range [0, 1]"},
		{"nsga2", Config{Cards: []int{3}, Senses: []Sense{Maximize}, Params: map[string]float64{"population": 10.5}},
			"parameter population = 10.5 must be a whole number"},
		{"evolution", Config{Cards: []int{3}, Senses: []Sense{Maximize}, Params: map[string]float64{"population": 4, "sample": 5}},
			"sample 5 exceeds population 4"},
		{"evolution", Config{Cards: []int{3}, Senses: []Sense{Maximize, Minimize}}, "set a reward"},
	}
	for _, c := range cases {
		_, err := New(c.kind, c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%s) = %v, want error containing %q", c.kind, err, c.want)
		}
	}
}

func TestKindsDefaultsValid(t *testing.T) {
	for _, k := range Kinds() {
		if k.Doc == "" {
			t.Errorf("%s has no doc", k.Name)
		}
		for _, p := range k.Params {
			if p.Doc == "" || p.Default < p.Min || p.Default > p.Max {
				t.Errorf("%s.%s: default %v outside [%v, %v] or no doc", k.Name, p.Name, p.Default, p.Min, p.Max)
			}
		}
		if _, err := k.Resolve(nil); err != nil {
			t.Errorf("%s: %v", k.Name, err)
		}
	}
}
