package search

import (
	"math"
	"math/rand/v2"
)

// mlp is BANANAS's performance predictor: a fully connected network with
// ReLU hidden layers and one linear output, trained by Adam on the squared
// error. Weights live in one flat slice so Adam's moments share its layout.
type mlp struct {
	sizes []int     // input, hidden…, 1
	theta []float64 // per layer: out×in weights, then out biases
	grad  []float64
	m, v  []float64 // Adam moments
	steps int
	acts  [][]float64 // forward cache: acts[0] is the input, acts[l] layer l's output
	delta [][]float64 // backward scratch, same shape as acts
	nz    [][]int     // forward cache: indices of the non-zero acts
}

func newMLP(rng *rand.Rand, in, hidden, layers int) *mlp {
	sizes := []int{in}
	for range layers {
		sizes = append(sizes, hidden)
	}
	sizes = append(sizes, 1)
	n := 0
	for l := 1; l < len(sizes); l++ {
		n += sizes[l] * (sizes[l-1] + 1)
	}
	p := &mlp{sizes: sizes, theta: make([]float64, n), grad: make([]float64, n), m: make([]float64, n), v: make([]float64, n)}
	off := 0
	for l := 1; l < len(sizes); l++ {
		fanIn, out := sizes[l-1], sizes[l]
		scale := math.Sqrt(2 / float64(fanIn)) // He et al. 2015 initialisation for ReLU layers
		for i := range out * fanIn {
			p.theta[off+i] = rng.NormFloat64() * scale
		}
		off += out * (fanIn + 1) // biases start at zero
	}
	for _, s := range sizes {
		p.acts = append(p.acts, make([]float64, s))
		p.delta = append(p.delta, make([]float64, s))
		p.nz = append(p.nz, make([]int, 0, s))
	}
	return p
}

// predict returns the network's output for x.
func (p *mlp) predict(x []float64) float64 {
	copy(p.acts[0], x)
	off := 0
	last := len(p.sizes) - 1
	for l := 1; l <= last; l++ {
		in, out := p.acts[l-1], p.acts[l]
		nz := p.nonZero(l - 1)
		w := p.theta[off : off+len(out)*len(in)]
		b := p.theta[off+len(out)*len(in) : off+len(out)*(len(in)+1)]
		for j := range out {
			s := b[j]
			row := w[j*len(in) : (j+1)*len(in)]
			for _, i := range nz {
				s += row[i] * in[i]
			}
			if l < last && s < 0 {
				s = 0
			}
			out[j] = s
		}
		off += len(out) * (len(in) + 1)
	}
	return p.acts[last][0]
}

// nonZero lists the indices of layer l's non-zero activations in p.nz[l]:
// inputs are one-hot or path encodings and half the ReLU units are off, so
// the products of zeros are skipped.
func (p *mlp) nonZero(l int) []int {
	p.nz[l] = p.nz[l][:0]
	for i, a := range p.acts[l] {
		if a != 0 {
			p.nz[l] = append(p.nz[l], i)
		}
	}
	return p.nz[l]
}

// backward adds the gradient of ½(predict(x)−y)² to p.grad; predict(x) must
// have just run. Weights from a zero activation get no gradient, and a ReLU
// unit that is off passes none back, so only non-zero inputs are visited.
func (p *mlp) backward(y float64) {
	last := len(p.sizes) - 1
	p.delta[last][0] = p.acts[last][0] - y
	off := len(p.theta)
	for l := last; l >= 1; l-- {
		in, d := p.acts[l-1], p.delta[l]
		nz := p.nz[l-1]
		off -= len(d) * (len(in) + 1)
		gw := p.grad[off : off+len(d)*len(in)]
		gb := p.grad[off+len(d)*len(in) : off+len(d)*(len(in)+1)]
		w := p.theta[off : off+len(d)*len(in)]
		prev := p.delta[l-1]
		if l > 1 {
			clear(prev)
		}
		for j, dj := range d {
			if dj == 0 {
				continue
			}
			gb[j] += dj
			row, grow := w[j*len(in):(j+1)*len(in)], gw[j*len(in):(j+1)*len(in)]
			for _, i := range nz {
				grow[i] += dj * in[i]
			}
			if l > 1 { // ReLU: the non-zero inputs are the units that are on
				for _, i := range nz {
					prev[i] += dj * row[i]
				}
			}
		}
	}
}

// adam applies one Adam step (Kingma & Ba, ICLR 2015; β₁ 0.9, β₂ 0.999) with
// the gradient averaged over n examples, and clears the gradient.
func (p *mlp) adam(lr float64, n int) {
	const b1, b2, eps = 0.9, 0.999, 1e-8
	p.steps++
	c1 := 1 - math.Pow(b1, float64(p.steps))
	c2 := 1 - math.Pow(b2, float64(p.steps))
	inv := 1 / float64(n)
	for i, g := range p.grad {
		g *= inv
		p.m[i] = b1*p.m[i] + (1-b1)*g
		p.v[i] = b2*p.v[i] + (1-b2)*g*g
		p.theta[i] -= lr * (p.m[i] / c1) / (math.Sqrt(p.v[i]/c2) + eps)
	}
	clear(p.grad)
}

// fit trains p on (xs, ys) for the given epochs of shuffled mini-batches,
// stopping early after maxSteps Adam steps.
func (p *mlp) fit(rng *rand.Rand, xs [][]float64, ys []float64, epochs, batch, maxSteps int, lr float64) {
	order := make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	for range epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for start := 0; start < len(order) && p.steps < maxSteps; start += batch {
			end := min(start+batch, len(order))
			for _, k := range order[start:end] {
				p.predict(xs[k])
				p.backward(ys[k])
			}
			p.adam(lr, end-start)
		}
	}
}
