package search

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestControllerGradient checks the hand-derived gradient of the controller
// loss against central finite differences, for every parameter.
func TestControllerGradient(t *testing.T) {
	cases := []struct {
		cards         []int
		h, e          int
		adv, beta, l2 float64
	}{
		{[]int{3, 2, 4}, 5, 4, 0.7, 0, 0},
		{[]int{5, 5, 5, 5, 5, 5}, 4, 3, -1.3, 0.05, 1e-3},
		{[]int{2}, 3, 2, 0.4, 0.2, 0.01},
	}
	for ci, c := range cases {
		rng := rand.New(rand.NewPCG(uint64(ci), 9))
		ctl := newController(c.cards, c.h, c.e, 0.5, rng)
		actions := make([]int, len(c.cards))
		ctl.run(actions, 0, rng)
		ctl.run(actions, len(actions), nil)
		ctl.backward(actions, c.adv, c.beta, c.l2)
		analytic := append([]float64(nil), ctl.grad...)
		const eps = 1e-6
		worst := 0.0
		for i := range ctl.theta {
			old := ctl.theta[i]
			ctl.theta[i] = old + eps
			ctl.run(actions, len(actions), nil)
			lp := ctl.loss(actions, c.adv, c.beta, c.l2)
			ctl.theta[i] = old - eps
			ctl.run(actions, len(actions), nil)
			lm := ctl.loss(actions, c.adv, c.beta, c.l2)
			ctl.theta[i] = old
			num := (lp - lm) / (2 * eps)
			diff := math.Abs(num-analytic[i]) / math.Max(1, math.Abs(num)+math.Abs(analytic[i]))
			worst = math.Max(worst, diff)
			if diff > 1e-6 {
				t.Fatalf("case %d param %d of %d: analytic %.9g, numeric %.9g", ci, i, len(ctl.theta), analytic[i], num)
			}
		}
		t.Logf("case %d: %d params, worst relative error %.2g", ci, len(ctl.theta), worst)
	}
}

// TestReinforceLearnsBandit: on a separable problem (reward = share of genes
// equal to 1) the controller's greedy choices converge to the optimum.
func TestReinforceLearnsBandit(t *testing.T) {
	for _, batch := range []float64{1, 4} {
		t.Run(fmt.Sprint("batch", batch), func(t *testing.T) { learnBandit(t, batch) })
	}
}

func learnBandit(t *testing.T, batch float64) {
	cards := []int{4, 4, 4, 4}
	s, err := New("reinforce", Config{Cards: cards, Senses: []Sense{Maximize}, Seed: 3, Params: map[string]float64{"batch": batch}})
	if err != nil {
		t.Fatal(err)
	}
	for range 300 * int(batch) {
		c := s.Ask(1)[0]
		v := 0.0
		for _, g := range c.Genome {
			if g == 1 {
				v += 0.25
			}
		}
		s.Tell([]Result{{ID: c.ID, Objectives: []float64{v}, Feasible: true}})
	}
	for t0, p := range s.(*Reinforce).Probabilities() {
		if p[1] < 0.8 {
			t.Errorf("gene %d: p(1) = %.2f after 300 updates, want > 0.8 (%v)", t0, p[1], p)
		}
	}
}
