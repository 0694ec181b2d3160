package search

import (
	"math/rand/v2"
	"testing"
)

// benchAskTell measures Ask+Tell per candidate at population 100 on a
// 10-gene genome with two objectives (NSGA-II) or one (evolution), in
// batches of 10, after a warm-up that fills the population.
func benchAskTell(b *testing.B, kind string, senses []Sense) {
	cards := []int{5, 5, 5, 5, 5, 5, 4, 4, 3, 3}
	s, err := New(kind, Config{Cards: cards, Senses: senses, Seed: 1, Params: map[string]float64{"population": 100}})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	step := func() {
		cs := s.Ask(10)
		rs := make([]Result, len(cs))
		for i, c := range cs {
			obj := make([]float64, len(senses))
			for k := range obj {
				obj[k] = rng.Float64() + float64(c.Genome[k])
			}
			rs[i] = Result{ID: c.ID, Objectives: obj, Feasible: true}
		}
		s.Tell(rs)
	}
	for range 30 {
		step()
	}
	b.ResetTimer()
	for b.Loop() {
		step()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/10/1000, "µs/candidate")
}

func BenchmarkEvolutionAskTell(b *testing.B) { benchAskTell(b, "evolution", []Sense{Maximize}) }
func BenchmarkNSGA2AskTell(b *testing.B)     { benchAskTell(b, "nsga2", []Sense{Maximize, Minimize}) }

// BenchmarkReinforceTrial is one REINFORCE trial (sample + update) with the
// FNAS controller (32 units, 20-wide embeddings) on FNAS's 8-decision genome.
func BenchmarkReinforceTrial(b *testing.B) {
	s, err := New("reinforce", Config{Cards: []int{3, 3, 3, 3, 3, 3, 3, 3}, Senses: []Sense{Maximize}, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for b.Loop() {
		c := s.Ask(1)[0]
		s.Tell([]Result{{ID: c.ID, Objectives: []float64{rng.Float64()}, Feasible: true}})
	}
}
