package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/hwnas/hwnas/engine/data"
	"github.com/hwnas/hwnas/engine/nn"
)

// gumbelSoftmax draws FBNet's mask of every searched position:
// m = softmax((θ + g)/τ) with g_k = −log(−log u_k), u_k uniform (Jang et
// al., ICLR 2017; FBNet §3.3).
func (st *diffState) gumbelSoftmax(rng *rand.Rand, tau float64) [][]float64 {
	out := make([][]float64, len(st.arch.Theta))
	for i, th := range st.arch.Theta {
		z := make([]float64, len(th))
		for k, v := range th {
			u := max(rng.Float64(), 1e-300)
			z[k] = v - math.Log(-math.Log(u))
		}
		out[i] = softmax(z, tau)
	}
	return out
}

// oneHot is, per position, coefficient 1 on the candidate active[i] and
// the inputs on computed.
func oneHot(sizes [][]float64, active []int, on [][]int) (coef [][]float64, mask [][]bool) {
	for i := range sizes {
		c, m := make([]float64, len(sizes[i])), make([]bool, len(sizes[i]))
		c[active[i]] = 1
		for _, k := range on[i] {
			m[k] = true
		}
		coef, mask = append(coef, c), append(mask, m)
	}
	return coef, mask
}

// weightStep trains the weights on one batch: FBNet's on the Gumbel-softmax
// mixture of every candidate, ProxylessNAS's on one path per position drawn
// from p = softmax(θ) (binarised paths, Cai et al. §3.1).
func (st *diffState) weightStep(x *nn.Mixed, set *data.Set, idx []int, rng *rand.Rand, ep int, lr float64, t int) error {
	s := nn.MixStep{LR: lr, T: t}
	if st.pt.kind == "fbnet" {
		s.Coef = st.gumbelSoftmax(rng, st.temperature(ep))
	} else {
		p := st.probs()
		active := make([]int, len(p))
		on := make([][]int, len(p))
		for i := range p {
			active[i] = draw(rng, p[i])
			on[i] = []int{active[i]}
		}
		s.Coef, s.On = oneHot(p, active, on)
	}
	ce, err := x.Step(set, idx, s)
	if err != nil {
		return err
	}
	st.last.weightCE += ce
	st.last.nW++
	return nil
}

// archStep takes one Adam step on the architecture parameters from one batch.
func (st *diffState) archStep(x *nn.Mixed, set *data.Set, idx []int, rng *rand.Rand, ep int) error {
	var grad [][]float64
	var loss, ce float64
	var err error
	if st.pt.kind == "fbnet" {
		loss, ce, grad, err = st.fbnetGrad(x, set, idx, rng, st.temperature(ep))
	} else {
		loss, ce, grad, err = st.proxylessGrad(x, set, idx, rng)
	}
	if err != nil {
		return err
	}
	b1 := 0.9 // FBNet: Adam's defaults
	if st.pt.kind == "proxyless" {
		b1 = 0 // ProxylessNAS's code: Adam with betas (0, 0.999)
	}
	st.arch.adam(grad, st.pt.p["arch_lr"], b1)
	st.last.archCE += ce
	st.last.archLoss += loss
	st.last.nA++
	return nil
}

// fbnetGrad is FBNet's loss L = CE·α·(log LAT)^β (Wu et al., eq. 6) on one
// batch and its gradient with respect to θ. LAT = Σ m·LAT_table + fixed is
// taken with the Gumbel-softmax mask m (FBNet §3.3), in microseconds, and
// the formula is read as (log LAT)^β: the exponent sets how strongly
// latency counts (d log L / d log LAT = β / log LAT). The other reading,
// log(LAT^β) = β·log LAT, makes β a second scale beside α.
func (st *diffState) fbnetGrad(x *nn.Mixed, set *data.Set, idx []int, rng *rand.Rand, tau float64) (loss, ce float64, grad [][]float64, err error) {
	m := st.gumbelSoftmax(rng, tau)
	dce := make([][]float64, len(m))
	if ce, err = x.Step(set, idx, nn.MixStep{Coef: m, Grad: dce}); err != nil {
		return 0, 0, nil, err
	}
	lat := 1000 * st.mn.expectedLatency(m) // µs
	if lat <= math.E {
		return 0, 0, nil, fmt.Errorf("fbnet: expected latency %.3g µs: log LAT must exceed 1", lat)
	}
	a, b := st.pt.p["alpha"], st.pt.p["beta"]
	lg := math.Log(lat)
	f := a * math.Pow(lg, b)
	dLat := ce * a * b * math.Pow(lg, b-1) / lat // ∂L/∂LAT per µs
	grad = make([][]float64, len(m))
	for i, mi := range m {
		dm := make([]float64, len(mi))
		var dot float64
		for k := range mi {
			dm[k] = f*dce[i][k] + dLat*1000*st.mn.pos[i].lat[k]
			dot += dm[k] * mi[k]
		}
		grad[i] = make([]float64, len(mi))
		for j := range mi { // ∂m_k/∂θ_j = m_k(δ_kj − m_j)/τ
			grad[i][j] = mi[j] * (dm[j] - dot) / tau
		}
	}
	return ce * f, ce, grad, nil
}

// proxylessGrad is ProxylessNAS's architecture step (Cai et al. §3.2.1,
// the gradient of Proxyless-G): at every position two candidates are drawn
// from p = softmax(θ) without replacement, their probabilities renormalised
// to q, one of them made active by q; both are computed, and
// ∂L/∂θ_i = Σ_j ∂L/∂g_j · q_j(δ_ij − q_i) over the two. The latency term
// is differentiable in θ directly: E[LAT] = Σ p·LAT_table + fixed.
func (st *diffState) proxylessGrad(x *nn.Mixed, set *data.Set, idx []int, rng *rand.Rand) (loss, ce float64, grad [][]float64, err error) {
	p := st.probs()
	active := make([]int, len(p))
	pairs := make([][]int, len(p))
	for i, pi := range p {
		a := draw(rng, pi)
		rest := slices.Clone(pi)
		rest[a] = 0
		b := draw(rng, rest)
		if b == a { // every other probability underflowed to 0
			b = (a + 1) % len(pi)
		}
		pairs[i] = []int{a, b}
		active[i] = a
		if rng.Float64() >= pi[a]/(pi[a]+pi[b]) {
			active[i] = b
		}
	}
	coef, on := oneHot(p, active, pairs)
	dg := make([][]float64, len(p))
	if ce, err = x.Step(set, idx, nn.MixStep{Coef: coef, On: on, Grad: dg}); err != nil {
		return 0, 0, nil, err
	}
	loss, dCE, dLat := st.proxylessLoss(ce, st.mn.expectedLatency(p))
	grad = make([][]float64, len(p))
	for i, pi := range p {
		grad[i] = make([]float64, len(pi))
		el := 0.0
		for k, v := range pi {
			el += v * st.mn.pos[i].lat[k]
		}
		for k, v := range pi { // ∂E[LAT]/∂θ_k = p_k(LAT_k − Σ p·LAT)
			grad[i][k] = dLat * v * (st.mn.pos[i].lat[k] - el)
		}
		a, b := pairs[i][0], pairs[i][1]
		qa := pi[a] / (pi[a] + pi[b])
		q := map[int]float64{a: qa, b: 1 - qa}
		for _, i2 := range pairs[i] {
			for _, j := range pairs[i] {
				d := 0.0
				if i2 == j {
					d = 1
				}
				grad[i][i2] += dCE * dg[i][j] * q[j] * (d - q[i2])
			}
		}
	}
	return loss, ce, grad, nil
}

// proxylessLoss is the architecture loss of proxyless for cross-entropy
// ce and expected latency e (ms) against the target t (ms), with ∂L/∂CE and
// ∂L/∂E[LAT] (per ms). ProxylessNAS's two forms (the official code's
// mul#log and add#linear): mul_log α·CE·(log E / log T)^β with latencies in
// microseconds (so that both logs are positive), add_linear CE + λ·(E −
// T)/T. mnas_hard is MnasNet's hard constraint (Tan et al., CVPR 2019, §3:
// reward ACC·(LAT/T)^w with w = 0 at or below T and −1 above) as a loss,
// α·CE·max(1, E/T): no latency pressure within the target, a pull back
// to it as strong as the relative excess above it.
func (st *diffState) proxylessLoss(ce, e float64) (loss, dCE, dLat float64) {
	t, a := st.pt.targetMs, st.pt.p["alpha"]
	switch st.pt.p["loss"] {
	case 1: // add_linear
		l := st.pt.p["lambda"]
		return ce + l*(e-t)/t, 1, l / t
	case 2: // mnas_hard
		if e <= t {
			return ce * a, a, 0
		}
		return ce * a * e / t, a * e / t, ce * a / t
	}
	b := st.pt.p["beta"]
	eu, tu := math.Max(1000*e, math.E), math.Max(1000*t, math.E)
	r := math.Log(eu) / math.Log(tu)
	f := a * math.Pow(r, b)
	return ce * f, f, 1000 * ce * a * b * math.Pow(r, b-1) / (math.Log(tu) * eu)
}

// adam takes one Adam step (Kingma and Ba, ICLR 2015) on θ with gradient g.
func (a *archParams) adam(g [][]float64, lr, b1 float64) {
	const b2, eps = 0.999, 1e-8
	a.T++
	c1, c2 := 1-math.Pow(b1, float64(a.T)), 1-math.Pow(b2, float64(a.T))
	for i := range a.Theta {
		for k, gk := range g[i] {
			a.M1[i][k] = b1*a.M1[i][k] + (1-b1)*gk
			a.M2[i][k] = b2*a.M2[i][k] + (1-b2)*gk*gk
			a.Theta[i][k] -= lr * (a.M1[i][k] / c1) / (math.Sqrt(a.M2[i][k]/c2) + eps)
		}
	}
}

// report is the event of epoch ep, which took d.
func (st *diffState) report(ep int, d time.Duration) ArchEpoch {
	s := st.last
	ae := ArchEpoch{Strategy: st.pt.kind, Sweep: st.pt.label, Epoch: ep + 1, Epochs: st.cfg.Epochs, Warmup: s.nA == 0,
		WeightCE: s.weightCE / float64(max(s.nW, 1)), TargetMs: st.pt.targetMs, Seconds: d.Seconds()}
	if s.nA > 0 {
		ae.CE, ae.Loss = s.archCE/float64(s.nA), s.archLoss/float64(s.nA)
	}
	if st.pt.kind == "fbnet" {
		ae.Temperature = st.temperature(ep)
	}
	p := st.probs()
	ae.LatencyMs = st.mn.expectedLatency(p)
	for i, pos := range st.mn.pos {
		ae.Positions = append(ae.Positions, ArchPosition{Name: pos.name, Candidates: pos.cands, Probs: p[i]})
	}
	return ae
}
