// Package search owns the search strategies of hwnas and the tools to judge
// their results: an ask/tell interface over categorical genomes, random,
// grid, REINFORCE, regularized evolution, NSGA-II and two-level
// co-exploration strategies behind a registry (Kinds, New), rewards that
// scalarise results for the single-objective strategies (FNAS, MnasNet,
// co-exploration, weighted sums, Chebyshev; RewardKinds, NewReward), the
// Pareto filter and the hypervolume indicator.
//
// A genome is a list of categorical genes; gene i takes a value in
// [0, Cards[i]). Strategies know nothing of networks, FPGAs or training:
// the caller decodes genomes, evaluates them and tells the results back.
// Asks come in batches so evaluations can run in parallel, tells may arrive
// in any order and in any grouping, and every strategy is deterministic given
// its seed and the sequence of Ask and Tell calls.
//
// search depends on nothing else in hwnas.
package search
