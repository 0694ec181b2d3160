package nn

import "math"

// softmaxLoss computes the softmax cross-entropy of the output node for the
// labels, puts the gradient of the mean loss into the output's grad, and
// returns the mean loss. Accuracy counts come from probs.
func (m *model) softmaxLoss(nb int, labels []uint8, wantGrad bool) float64 {
	o := m.nodes[m.out]
	k := m.net.Classes
	m.eachChunk(nb, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			z := o.out[i*k : (i+1)*k]
			p := m.probs[i*k : (i+1)*k]
			mx := z[0]
			for _, v := range z {
				mx = max(mx, v)
			}
			var s float64
			for j, v := range z {
				e := math.Exp(float64(v - mx))
				p[j] = float32(e)
				s += e
			}
			for j := range p {
				p[j] = float32(float64(p[j]) / s)
			}
			y := int(labels[i])
			m.losses[i] = math.Log(s) - float64(z[y]-mx)
			if wantGrad {
				g := o.grad[i*k : (i+1)*k]
				for j, v := range p {
					g[j] = v / float32(nb)
				}
				g[y] -= 1 / float32(nb)
			}
		}
	})
	var s float64
	for _, l := range m.losses[:nb] {
		s += l
	}
	return s / float64(nb)
}
