package nn

import (
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine/data"
)

// mixState is a mixed layer's coefficients, which of its inputs are
// computed, and the gradient of the loss with respect to each coefficient.
type mixState struct {
	c    []float32
	on   []bool
	grad []float64
	part [][]float64 // per chunk of the batch, per input: partial sums of grad
}

// Mixed is a network with mixed layers, the relaxed supernet of
// differentiable architecture search: a mixed layer is FBNet's mixed
// operation (Wu et al., CVPR 2019, §3.3), out = Σ_k c_k·x_k over its inputs
// x_k (the outputs of the candidate operations of one position, or the
// position's input itself for a skip), with coefficients c set for every
// step (Gumbel-softmax weights, or ProxylessNAS's binary gates, Cai et al.,
// ICLR 2019, §3.1) and the gradient of the loss with respect to each
// returned: ∂L/∂c_k = Σ over the batch of ⟨∂L/∂out, x_k⟩. An input a step
// does not compute (MixStep.On) costs nothing: the nodes only it needs are
// left out of the forward and backward passes and of the optimiser step, so
// a step on one or two paths costs what one or two children do. Nor does
// such an input hold memory beyond its parameters: a node's activation and
// gradient buffers (workBuf) are given to it only while steps compute it,
// so a step on one path per position holds one child's activations, as
// ProxylessNAS's binarised paths do (Cai et al., ICLR 2019, §3.2), and one
// on every path (FBNet) the whole supernet's.
//
// The parameters live in the Supernet by LayerKey, as any child's do.
type Mixed struct {
	sn      *Supernet
	m       *model
	cfg     Config
	mixes   []*node
	owned   [][][]int           // per mixed layer, per input: the nodes only that input needs
	checked *data.Set           // the last set checked against the network
	held    int64               // bytes of work buffers the nodes hold (provide)
	peak    int64               // the most held after any step
	free    map[int][][]float32 // work buffers taken back, by length, for the next steps
	kept    int64               // bytes in free
}

// MixStep is what one step of a Mixed does.
type MixStep struct {
	Coef [][]float64 // per mixed layer (NewMixed's order), one coefficient per input
	On   [][]bool    // per mixed layer, the inputs computed; nil computes all of them
	// LR, when positive, updates the weights of every computed layer with
	// the Config's optimiser at this learning rate; T counts the optimiser's
	// updates from 1 (Adam's bias correction).
	LR float64
	T  int
	// Grad, when not nil, receives ∂CE/∂Coef (mean cross-entropy of the
	// batch), shaped as Coef; an input not computed gets 0.
	Grad [][]float64
}

// NewMixed builds net on the supernet for batches of cfg.Batch images, with
// the layers mixes (indices into net.Layers, each an Add without an
// activation) made mixed layers.
func (sn *Supernet) NewMixed(net *arch.Network, mixes []int, cfg Config) (*Mixed, error) {
	if err := cfg.fill(); err != nil {
		return nil, fmt.Errorf("training setup: %w", err)
	}
	m, err := buildModel(&model{net: net, batch: cfg.Batch, threads: cfg.Threads, share: sn, lazy: true}, float32(cfg.Dropout), cfg.Optimizer)
	if err != nil {
		return nil, err
	}
	x := &Mixed{sn: sn, m: m, cfg: cfg, free: map[int][][]float32{}}
	for _, li := range mixes {
		if li < 0 || li >= len(net.Layers) || net.Layers[li].Op != arch.Add || net.Layers[li].Act != arch.Linear {
			return nil, fmt.Errorf("mixed layer %d: want an add without an activation", li)
		}
		i := slices.IndexFunc(m.nodes, func(n *node) bool { return n.layer == li && n.kind == kAdd })
		n := m.nodes[i]
		n.kind = kMix
		k := len(n.in)
		n.mix = &mixState{c: make([]float32, k), on: make([]bool, k), grad: make([]float64, k), part: make([][]float64, chunks(m.batch))}
		for t := range n.mix.part {
			n.mix.part[t] = make([]float64, k)
		}
		x.mixes = append(x.mixes, n)
		x.owned = append(x.owned, m.ownedBy(n))
	}
	return x, nil
}

// ownedBy lists, for every input of n, the nodes that input needs and the
// others do not: its candidate operation's layers.
func (m *model) ownedBy(n *node) [][]int {
	var sets []map[int]bool
	for _, j := range n.in {
		sets = append(sets, m.closure(j))
	}
	out := make([][]int, len(n.in))
	for k, s := range sets {
		for i := range s {
			if !slices.ContainsFunc(sets, func(o map[int]bool) bool { return !o[i] }) {
				continue // every input needs it
			}
			out[k] = append(out[k], i)
		}
		slices.Sort(out[k])
	}
	return out
}

// closure is node j with every node it reads from, directly or not.
func (m *model) closure(j int) map[int]bool {
	seen := map[int]bool{}
	stack := []int{j}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if i < 0 || seen[i] {
			continue
		}
		seen[i] = true
		stack = append(stack, m.nodes[i].in...)
	}
	return seen
}

// set applies a step's coefficients and computed inputs.
func (x *Mixed) set(s *MixStep) error {
	if len(s.Coef) != len(x.mixes) || (s.On != nil && len(s.On) != len(x.mixes)) {
		return fmt.Errorf("mixed step: %d coefficient sets for %d mixed layers", len(s.Coef), len(x.mixes))
	}
	for i, n := range x.mixes {
		if len(s.Coef[i]) != len(n.in) || (s.On != nil && len(s.On[i]) != len(n.in)) {
			return fmt.Errorf("mixed layer %d: %d coefficients for %d inputs", i, len(s.Coef[i]), len(n.in))
		}
		for k := range n.in {
			n.mix.c[k] = float32(s.Coef[i][k])
			n.mix.on[k] = s.On == nil || s.On[i][k]
			for _, j := range x.owned[i][k] {
				x.m.nodes[j].off = true
			}
		}
	}
	for i, n := range x.mixes {
		for k, on := range n.mix.on {
			for _, j := range x.owned[i][k] {
				x.m.nodes[j].off = x.m.nodes[j].off && !on
			}
		}
	}
	return nil
}

// Step trains on the images idx of set (training mode: batch statistics)
// as s says and returns the batch's mean cross-entropy.
func (x *Mixed) Step(set *data.Set, idx []int, s MixStep) (loss float64, err error) {
	defer recovered(&err)
	m := x.m
	if len(idx) == 0 || len(idx) > m.batch {
		return 0, fmt.Errorf("mixed step: %d images for a batch of %d", len(idx), m.batch)
	}
	if set != x.checked {
		if err := checkSets(m.net, set, nil, nil); err != nil {
			return 0, err
		}
		x.checked = set
	}
	if err := x.set(&s); err != nil {
		return 0, err
	}
	x.provide()
	nb := len(idx)
	set.Gather(idx, m.input, m.labels)
	m.forward(nb, true, x.cfg.Seed, uint64(s.T))
	m.zeroGrads(nb)
	loss = m.softmaxLoss(nb, m.labels, true)
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return 0, fmt.Errorf("%w: loss is %g at step %d", ErrDiverged, loss, s.T)
	}
	m.backward(nb)
	if s.LR > 0 {
		all := m.params
		m.params = x.activeParams()
		m.step(&x.cfg, s.LR, max(s.T, 1))
		m.params = all
	}
	for i, n := range x.mixes {
		if s.Grad != nil {
			s.Grad[i] = append(s.Grad[i][:0], n.mix.grad...)
		}
	}
	return loss, nil
}

// provide gives every node the step computes its work buffers and takes
// them from every node it leaves out. A buffer taken is kept for a node
// that later wants one of its length, but only while what the network
// holds and keeps stays within the most a step has held: the rest is let
// go, so that the network never holds more than the step that needed the
// most, and steps that switch between candidates of equal shapes allocate
// nothing.
func (x *Mixed) provide() {
	for _, n := range x.m.nodes {
		if n.off && holds(n) {
			for _, w := range n.work {
				x.free[w.n] = append(x.free[w.n], *w.dst)
				x.kept += 4 * int64(w.n)
				*w.dst = nil
			}
		}
	}
	x.held = 0
	for _, n := range x.m.nodes {
		if n.off {
			continue
		}
		for _, w := range n.work {
			x.held += 4 * int64(w.n)
			if *w.dst != nil {
				continue
			}
			if l := x.free[w.n]; len(l) > 0 {
				*w.dst, l[len(l)-1], x.free[w.n] = l[len(l)-1], nil, l[:len(l)-1]
				x.kept -= 4 * int64(w.n)
			} else {
				*w.dst = make([]float32, w.n)
			}
		}
	}
	x.peak = max(x.peak, x.held)
	for _, size := range slices.Sorted(maps.Keys(x.free)) { // the smallest go first
		for l := x.free[size]; len(l) > 0 && x.held+x.kept > x.peak; l = l[:len(l)-1] {
			l[len(l)-1], x.free[size] = nil, l[:len(l)-1] // let go
			x.kept -= 4 * int64(size)
		}
	}
}

// holds reports whether node n has its work buffers.
func holds(n *node) bool { return len(n.work) > 0 && *n.work[0].dst != nil }

// Buffers returns the bytes of activation and gradient buffers (node
// outputs and their gradients, kept patches, per-chunk weight gradients)
// the nodes the last step computed hold, and the most those of any step
// held; with the buffers it keeps for later steps, the network never holds
// more than the latter. Parameters and their optimiser state are not
// counted; ActivationMemory counts the same buffers of a network.
func (x *Mixed) Buffers() (held, peak int64) { return x.held, x.peak }

// InputBytes returns, per mixed layer (NewMixed's order), per input, the
// bytes of the buffers Buffers counts that the input's own nodes (those not
// every input of the layer needs: its candidate operation's) hold while a
// step computes it.
func (x *Mixed) InputBytes() [][]int64 {
	out := make([][]int64, len(x.owned))
	for i, ins := range x.owned {
		out[i] = make([]int64, len(ins))
		for k, nodes := range ins {
			for _, j := range nodes {
				for _, w := range x.m.nodes[j].work {
					out[i][k] += 4 * int64(w.n)
				}
			}
		}
	}
	return out
}

// activeParams are the parameters of the nodes the last step computed.
func (x *Mixed) activeParams() []*param {
	seen := map[*param]bool{}
	var out []*param
	for _, n := range x.m.nodes {
		for _, p := range []*param{n.w, n.b} {
			if p != nil && !n.off && !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// mixForward is out = Σ_k c_k·x_k over the computed inputs.
func (m *model) mixForward(n *node, nb int) {
	sz := int(n.shape.Size())
	m.eachChunk(nb, func(lo, hi int) {
		y := n.out[lo*sz : hi*sz]
		clear(y)
		for k, j := range n.in {
			if c := n.mix.c[k]; n.mix.on[k] && c != 0 {
				x, _, _ := m.inOut(j)
				for i, v := range x[lo*sz : hi*sz] {
					y[i] += c * v
				}
			}
		}
	})
}

// mixBackward is dx_k = c_k·dy for every computed input, and
// ∂L/∂c_k = Σ ⟨dy, x_k⟩, summed per chunk then over chunks in order.
func (m *model) mixBackward(n *node, nb int) {
	sz := int(n.shape.Size())
	par(m.threads, chunks(nb), func(_, t int) {
		lo, hi := span(t, nb)
		g := n.grad[lo*sz : hi*sz]
		part := n.mix.part[t]
		for k, j := range n.in {
			part[k] = 0
			if !n.mix.on[k] {
				continue
			}
			x, d, _ := m.inOut(j)
			var dot float64
			for i, v := range x[lo*sz : hi*sz] {
				dot += float64(v) * float64(g[i])
			}
			part[k] = dot
			if d == nil {
				continue
			}
			d, c := d[lo*sz:hi*sz], n.mix.c[k]
			if m.fresh(j) {
				for i, v := range g {
					d[i] = c * v
				}
				continue
			}
			for i, v := range g {
				d[i] += c * v
			}
		}
	})
	for k := range n.mix.grad {
		n.mix.grad[k] = 0
		for t := range chunks(nb) {
			n.mix.grad[k] += n.mix.part[t][k]
		}
	}
}

// LearningRate is the learning rate cfg's schedule gives step t (from 0)
// of total steps.
func LearningRate(cfg Config, t, total int) float64 {
	if err := cfg.fill(); err != nil {
		return 0
	}
	return lrAt(&cfg, t, total)
}

// Rekey returns a supernet that holds the parameters of sn for which f
// returns true, under the key it returns, sharing their values with sn. A
// parameter's key is a LayerKey, then " #" and its index in the layer, so
// that f can rename a derived child's layers to the names it has as a
// network of the space. Training either supernet changes both.
func (sn *Supernet) Rekey(f func(key string) (string, bool)) *Supernet {
	sn.mu.Lock()
	defer sn.mu.Unlock()
	out := &Supernet{seed: sn.seed, params: map[string]*param{}}
	for _, k := range slices.Sorted(maps.Keys(sn.params)) {
		if nk, ok := f(k); ok {
			out.params[nk] = sn.params[k]
		}
	}
	return out
}
