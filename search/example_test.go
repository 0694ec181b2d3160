package search_test

import (
	"fmt"

	"github.com/hwnas/hwnas/search"
)

// A search loop: ask a batch, evaluate, tell, and keep the Pareto front.
func ExampleNew() {
	senses := []search.Sense{search.Maximize, search.Minimize} // accuracy, latency
	s, err := search.New("nsga2", search.Config{Cards: []int{3, 3, 3}, Senses: senses, Seed: 1,
		Params: map[string]float64{"population": 8}})
	if err != nil {
		fmt.Println(err)
		return
	}
	var all []search.Result
	for range 5 {
		cs := s.Ask(8)
		rs := make([]search.Result, len(cs))
		for i, c := range cs {
			size := float64(c.Genome[0] + c.Genome[1] + c.Genome[2]) // a toy model: bigger is better and slower
			rs[i] = search.Result{ID: c.ID, Objectives: []float64{0.5 + size/16, 1 + size}, Feasible: size <= 5}
			if !rs[i].Feasible {
				rs[i].Violation = size - 5
			}
		}
		s.Tell(rs)
		all = append(all, rs...)
	}
	front, _ := search.Front(all, senses)
	pts := make([][]float64, len(front))
	for i, r := range front {
		pts[i] = r.Objectives
	}
	hv, _ := search.Hypervolume(pts, []float64{0, 10}, senses)
	fmt.Printf("%+v\n", s.(search.Counter).Counts())
	fmt.Printf("hypervolume %.4f (reference accuracy 0, latency 10)\n", hv)
	// Output:
	// {Asked:40 Feasible:39 Infeasible:1 Pruned:0 Failed:0 Ignored:0 HWPruned:0 HWChecks:0}
	// hypervolume 6.3750 (reference accuracy 0, latency 10)
}

// NewReward scalarises results for the single-objective strategies; here
// MnasNet's soft reward (Tan et al., CVPR 2019) with a 2 ms latency target:
// accuracy·(latency/target)^−0.07 on both sides of the target.
func ExampleNewReward() {
	r, err := search.NewReward("mnasnet", search.RewardConfig{
		Senses: []search.Sense{search.Maximize, search.Minimize}, // accuracy, latency (ms)
		Acc:    0, Lat: 1,
		Params: map[string]float64{"target": 2},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, ms := range []float64{1, 2, 4} {
		res := search.Result{Objectives: []float64{0.9, ms}, Feasible: true}
		fmt.Printf("accuracy 0.9 at %g ms: %.4f\n", ms, r.Reward(res))
	}
	// Output:
	// accuracy 0.9 at 1 ms: 0.9447
	// accuracy 0.9 at 2 ms: 0.9000
	// accuracy 0.9 at 4 ms: 0.8574
}
