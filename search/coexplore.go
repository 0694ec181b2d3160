package search

// Coexplore is the two-level hardware/software co-exploration of Jiang et
// al. (IEEE TCAD 2020). One REINFORCE controller samples the architecture
// genes and then the hardware genes (the last Config.HardwareGenes genes).
//
// Fast level, inside Ask: every sample's hardware is judged by the
// caller's hardware-only evaluation (no training). An infeasible sample
// updates the controller at once with reward hw_penalty, and the hardware
// genes are re-sampled for the same architecture, up to hw_tries times (the
// group's rl_interface: 10 re-samples, reward −1). An architecture with no
// feasible design among them is pruned (Counts.HWPruned) and never returned.
//
// Slow level: the architectures Ask returns all have a feasible design; the
// caller trains them and tells the results, which update the controller
// through Config.Reward (for TCAD's reward, a weighted sum of accuracy and
// normalised hardware efficiency). Ask returns fewer than n candidates only
// when arch_tries architectures in a row were pruned.
type Coexplore struct {
	*Reinforce
	hwStart   int
	hw        HardwareFunc
	hwTries   int
	archTries int
	penalty   float64
}

func newCoexplore(c Config) (Strategy, error) {
	return &Coexplore{Reinforce: newReinforceOf(c), hwStart: len(c.Cards) - c.HardwareGenes, hw: c.Hardware,
		hwTries: int(c.Params["hw_tries"]), archTries: int(c.Params["arch_tries"]), penalty: c.Params["hw_penalty"]}, nil
}

// Ask implements Strategy.
func (s *Coexplore) Ask(n int) []Candidate {
	out := make([]Candidate, 0, max(n, 0))
	for range n {
		g := s.feasible()
		if g == nil {
			break
		}
		out = append(out, s.issue(g))
	}
	return out
}

// feasible samples architectures until one has a feasible hardware design,
// and returns that genome, or nil after arch_tries prunes.
func (s *Coexplore) feasible() []int {
	for range s.archTries {
		g := s.fresh(s.retries+1, func() []int { return s.sample(nil) })
		for try := range s.hwTries {
			if try > 0 {
				g = s.sample(g[:s.hwStart])
			}
			s.counts.HWChecks++
			if s.hw(g) {
				return g
			}
			s.learn(g, s.penalty)
		}
		s.counts.HWPruned++
	}
	return nil
}
