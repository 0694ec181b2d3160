package search

import "math"

// KendallTau returns Kendall's rank correlation τ-b of the paired values x
// and y (Kendall, "The treatment of ties in ranking problems", Biometrika
// 1945): (concordant − discordant) / √((n₀ − ties in x)(n₀ − ties in y))
// over the n₀ = n(n−1)/2 pairs. One-shot NAS reports it between inherited
// and standalone accuracies (e.g. Yu et al., "Evaluating the search phase of
// neural architecture search", ICLR 2020). It is NaN when x and y differ in
// length, have fewer than two values, or one of them is constant.
func KendallTau(x, y []float64) float64 {
	if len(x) != len(y) || len(x) < 2 {
		return math.NaN()
	}
	var conc, disc, tx, ty float64
	for i := range x {
		for j := i + 1; j < len(x); j++ {
			dx, dy := sign(x[i]-x[j]), sign(y[i]-y[j])
			switch {
			case dx == 0 && dy == 0:
			case dx == 0:
				tx++
			case dy == 0:
				ty++
			case dx == dy:
				conc++
			default:
				disc++
			}
		}
	}
	den := math.Sqrt((conc + disc + tx) * (conc + disc + ty))
	if den == 0 {
		return math.NaN()
	}
	return (conc - disc) / den
}

func sign(v float64) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// MeanSD returns the mean of xs and their sample standard deviation (n−1 in
// the denominator), for figures over seeds.
func MeanSD(xs []float64) (mean, sd float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	v := 0.0
	for _, x := range xs {
		v += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(v / float64(len(xs)-1))
}
