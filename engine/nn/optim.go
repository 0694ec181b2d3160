package nn

import "math"

// lrAt returns the learning rate of step t of total: constant, or cosine
// annealing to zero (Loshchilov and Hutter, "SGDR", ICLR 2017, without restarts).
func lrAt(cfg *Config, t, total int) float64 {
	if cfg.Schedule == "cosine" && total > 0 {
		return cfg.LR * 0.5 * (1 + math.Cos(math.Pi*float64(t)/float64(total)))
	}
	return cfg.LR
}

// step applies one optimiser update with learning rate lr; t counts updates from 1.
//
// SGD follows PyTorch: v = μ·v + (g + λ·w), w -= lr·v. Adam follows Kingma and
// Ba (ICLR 2015) with λ·w added to the gradient; AdamW decouples it
// (Loshchilov and Hutter, ICLR 2019): w -= lr·λ·w before the Adam step.
func (m *model) step(cfg *Config, lr float64, t int) {
	mu := float32(cfg.Momentum)
	wd := float32(cfg.WeightDecay)
	b1, b2 := 0.9, 0.999
	c1 := float32(1 - math.Pow(b1, float64(t)))
	c2 := float32(1 - math.Pow(b2, float64(t)))
	flr := float32(lr)
	par(m.threads, len(m.params), func(_, i int) {
		p := m.params[i]
		d := float32(0)
		if p.decay {
			d = wd
		}
		switch cfg.Optimizer {
		case "sgd":
			for j, g := range p.g {
				g += d * p.v[j]
				v := mu*p.m1[j] + g
				p.m1[j] = v
				p.v[j] -= flr * v
			}
		case "adam", "adamw":
			decoupled := cfg.Optimizer == "adamw"
			for j, g := range p.g {
				if decoupled {
					p.v[j] -= flr * d * p.v[j]
				} else {
					g += d * p.v[j]
				}
				a := float32(b1)*p.m1[j] + float32(1-b1)*g
				b := float32(b2)*p.m2[j] + float32(1-b2)*g*g
				p.m1[j], p.m2[j] = a, b
				p.v[j] -= flr * (a / c1) / (float32(math.Sqrt(float64(b/c2))) + 1e-8)
			}
		}
	})
}
