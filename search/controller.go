package search

import (
	"math"
	"math/rand/v2"
	"slices"
)

// controller is the REINFORCE policy of NAS (Zoph & Le 2017) and FNAS: an
// LSTM cell run once per decision. Step t reads a learned start vector (t = 0)
// or the embedding of the previous decision's action (one embedding table
// per decision), and a softmax head per decision turns the hidden state into
// the distribution of gene t. Gradients are derived by hand (backpropagation
// through time) and checked against finite differences in the tests.
//
// Loss of one sample with advantage A (minimised):
//
//	L = −A·Σₜ log pₜ(aₜ) − β·Σₜ Hₜ + λ·Σθ²
//
// with Hₜ the entropy of step t. FNAS's loss sums the cross-entropy over the
// steps and adds λ·Σθ² (controller.py); unlike FNAS, the L2 gradient is not
// multiplied by the reward.
type controller struct {
	cards []int
	h, e  int
	theta []float64 // all parameters, flat
	grad  []float64 // gradient, same layout
	ms    []float64 // RMSProp mean square, same layout
	p, g  weights   // views into theta and grad

	// forward cache, one entry per step
	xs, hs, cs, gates, probs [][]float64
	h0, c0                   []float64
	dz, dxh                  []float64
	cached                   []int // actions of the forward cache, valid until theta changes
	fresh                    bool
}

// weights are views of a flat parameter vector.
type weights struct {
	start []float64   // e
	emb   [][]float64 // emb[t]: cards[t]×e, fed to step t+1
	w     []float64   // 4h × (e+h), gate order i, f, g, o
	b     []float64   // 4h
	v     [][]float64 // v[t]: cards[t]×h
	u     [][]float64 // u[t]: cards[t]
}

func layout(flat []float64, cards []int, h, e int) (weights, int) {
	off := 0
	take := func(n int) []float64 {
		s := flat[off : off+n : off+n]
		off += n
		return s
	}
	var w weights
	w.start = take(e)
	for t := 0; t+1 < len(cards); t++ {
		w.emb = append(w.emb, take(cards[t]*e))
	}
	w.w = take(4 * h * (e + h))
	w.b = take(4 * h)
	for _, c := range cards {
		w.v = append(w.v, take(c*h))
		w.u = append(w.u, take(c))
	}
	return w, off
}

func paramCount(cards []int, h, e int) int {
	n := e + 4*h*(e+h) + 4*h
	for t, c := range cards {
		if t+1 < len(cards) {
			n += c * e
		}
		n += c*h + c
	}
	return n
}

func newController(cards []int, h, e int, init float64, rng *rand.Rand) *controller {
	n := paramCount(cards, h, e)
	c := &controller{cards: cards, h: h, e: e, theta: make([]float64, n), grad: make([]float64, n), ms: make([]float64, n)}
	for i := range c.theta {
		c.theta[i] = (2*rng.Float64() - 1) * init
		c.ms[i] = 1 // TensorFlow 1's RMSProp starts its mean square at 1
	}
	c.p, _ = layout(c.theta, cards, h, e)
	c.g, _ = layout(c.grad, cards, h, e)
	T := len(cards)
	for t := range T {
		c.xs = append(c.xs, make([]float64, e+h))
		c.hs = append(c.hs, make([]float64, h))
		c.cs = append(c.cs, make([]float64, h))
		c.gates = append(c.gates, make([]float64, 4*h))
		c.probs = append(c.probs, make([]float64, cards[t]))
	}
	c.h0, c.c0 = make([]float64, h), make([]float64, h)
	c.dz, c.dxh = make([]float64, 4*h), make([]float64, e+h)
	return c
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// run evaluates the policy along actions. Steps t < fixed keep actions[t];
// later steps are sampled from the policy with rng (when rng is nil every
// action is kept). It fills the forward cache.
func (c *controller) run(actions []int, fixed int, rng *rand.Rand) {
	defer func() { c.cached, c.fresh = append(c.cached[:0], actions...), true }()
	h, e := c.h, c.e
	hPrev, cPrev := c.h0, c.c0
	for t := range c.cards {
		x := c.xs[t]
		if t == 0 {
			copy(x[:e], c.p.start)
		} else {
			a := actions[t-1]
			copy(x[:e], c.p.emb[t-1][a*e:(a+1)*e])
		}
		copy(x[e:], hPrev)
		z := c.gates[t]
		n := e + h
		for r := range 4 * h {
			row := c.p.w[r*n : (r+1)*n]
			s := c.p.b[r]
			for k, xv := range x {
				s += row[k] * xv
			}
			z[r] = s
		}
		hs, cs := c.hs[t], c.cs[t]
		for j := range h {
			i, f, g, o := sigmoid(z[j]), sigmoid(z[h+j]), math.Tanh(z[2*h+j]), sigmoid(z[3*h+j])
			z[j], z[h+j], z[2*h+j], z[3*h+j] = i, f, g, o // keep activations
			cs[j] = f*cPrev[j] + i*g
			hs[j] = o * math.Tanh(cs[j])
		}
		p := c.probs[t]
		v, u := c.p.v[t], c.p.u[t]
		mx := math.Inf(-1)
		for k := range p {
			s := u[k]
			row := v[k*h : (k+1)*h]
			for j, hv := range hs {
				s += row[j] * hv
			}
			p[k] = s
			mx = math.Max(mx, s)
		}
		sum := 0.0
		for k := range p {
			p[k] = math.Exp(p[k] - mx)
			sum += p[k]
		}
		for k := range p {
			p[k] /= sum
		}
		if rng != nil && t >= fixed {
			actions[t] = sampleIndex(rng, p)
		}
		hPrev, cPrev = hs, cs
	}
}

func sampleIndex(rng *rand.Rand, p []float64) int {
	x := rng.Float64()
	for k, v := range p {
		x -= v
		if x < 0 {
			return k
		}
	}
	return len(p) - 1
}

// ensure fills the forward cache for actions unless it already holds them.
func (c *controller) ensure(actions []int) {
	if !c.fresh || !slices.Equal(c.cached, actions) {
		c.run(actions, len(actions), nil)
	}
}

// loss is L for the cached forward pass of actions (for tests).
func (c *controller) loss(actions []int, adv, beta, l2 float64) float64 {
	l := 0.0
	for t, p := range c.probs {
		l -= adv * math.Log(p[actions[t]])
		for _, v := range p {
			if v > 0 {
				l += beta * v * math.Log(v)
			}
		}
	}
	for _, v := range c.theta {
		l += l2 * v * v
	}
	return l
}

// backward sets grad to ∂L/∂θ for the cached forward pass of actions:
// backpropagation through time, from the last step to the first, each step
// through its softmax head, its LSTM cell, the cell's gate weights and the
// step's input (the start vector or an embedding).
func (c *controller) backward(actions []int, adv, beta, l2 float64) {
	for i, v := range c.theta {
		c.grad[i] = 2 * l2 * v
	}
	dh := make([]float64, c.h) // ∂L/∂hₜ, carried back from step t+1
	dc := make([]float64, c.h) // ∂L/∂cₜ, carried back from step t+1
	dl := make([]float64, 0, 16)
	for t := len(c.cards) - 1; t >= 0; t-- {
		dl = c.logitGrad(dl[:0], t, actions[t], adv, beta)
		c.headBackward(t, dl, dh)
		c.cellBackward(t, dh, dc)
		c.gateBackward(t)
		c.inputBackward(t, actions)
		copy(dh, c.dxh[c.e:])
	}
}

// logitGrad appends to dl ∂L/∂logits of step t, whose action was a:
// −A·(onehot(a) − p) + β·p·(log p + H), H the entropy of p.
func (c *controller) logitGrad(dl []float64, t, a int, adv, beta float64) []float64 {
	p := c.probs[t]
	ent := 0.0
	for _, v := range p {
		if v > 0 {
			ent -= v * math.Log(v)
		}
	}
	for k, v := range p {
		d := adv * v
		if k == a {
			d -= adv
		}
		if v > 0 {
			d += beta * v * (math.Log(v) + ent)
		}
		dl = append(dl, d)
	}
	return dl
}

// headBackward takes the logit gradient dl of step t through its softmax
// head (logits = v·hₜ + u): it accumulates the head's gradient and adds
// ∂L/∂hₜ to dh.
func (c *controller) headBackward(t int, dl, dh []float64) {
	h := c.h
	hs := c.hs[t]
	gv, gu, v := c.g.v[t], c.g.u[t], c.p.v[t]
	for k, d := range dl {
		gu[k] += d
		row, grow := v[k*h:(k+1)*h], gv[k*h:(k+1)*h]
		for j := range h {
			grow[j] += d * hs[j]
			dh[j] += d * row[j]
		}
	}
}

// cellBackward takes ∂L/∂hₜ (dh) and ∂L/∂cₜ from step t+1 (dc) through the
// LSTM cell of step t, cₜ = f·cₜ₋₁ + i·g and hₜ = o·tanh(cₜ): it sets dz to
// the gradient of the gate pre-activations (order i, f, g, o) and dc to
// ∂L/∂cₜ₋₁.
func (c *controller) cellBackward(t int, dh, dc []float64) {
	h := c.h
	z := c.gates[t] // the gate activations
	cPrev := c.c0
	if t > 0 {
		cPrev = c.cs[t-1]
	}
	for j := range h {
		i, f, g, o := z[j], z[h+j], z[2*h+j], z[3*h+j]
		tc := math.Tanh(c.cs[t][j])
		dcj := dc[j] + dh[j]*o*(1-tc*tc)
		c.dz[j] = dcj * g * i * (1 - i)
		c.dz[h+j] = dcj * cPrev[j] * f * (1 - f)
		c.dz[2*h+j] = dcj * i * (1 - g*g)
		c.dz[3*h+j] = dh[j] * tc * o * (1 - o)
		dc[j] = dcj * f
	}
}

// gateBackward takes dz through the gate weights of step t (z = w·[x; hₜ₋₁]
// + b): it accumulates their gradient and sets dxh to ∂L/∂[x; hₜ₋₁].
func (c *controller) gateBackward(t int) {
	n := c.e + c.h
	x := c.xs[t]
	clear(c.dxh)
	for r, d := range c.dz {
		if d == 0 {
			continue
		}
		c.g.b[r] += d
		row, grow := c.p.w[r*n:(r+1)*n], c.g.w[r*n:(r+1)*n]
		for k, xv := range x {
			grow[k] += d * xv
			c.dxh[k] += d * row[k]
		}
	}
}

// inputBackward adds ∂L/∂x of step t to what the step read: the start vector
// (t = 0) or the embedding of the previous action.
func (c *controller) inputBackward(t int, actions []int) {
	e := c.e
	g := c.g.start
	if t > 0 {
		a := actions[t-1]
		g = c.g.emb[t-1][a*e : (a+1)*e]
	}
	for k := range e {
		g[k] += c.dxh[k]
	}
}

// rmsprop applies one RMSProp step with the current gradient.
func (c *controller) rmsprop(lr, decay float64) {
	const eps = 1e-10 // TensorFlow 1's RMSProp epsilon
	c.fresh = false
	for i, g := range c.grad {
		c.ms[i] = decay*c.ms[i] + (1-decay)*g*g
		c.theta[i] -= lr * g / (math.Sqrt(c.ms[i]) + eps)
	}
}
