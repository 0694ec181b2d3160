package nn

import (
	"fmt"

	"github.com/hwnas/hwnas/arch"
)

// Weights are the parameters of a network, one entry per arch layer, in the
// engine's layouts, for export and for Forward.
type Weights struct {
	Layers []LayerWeights
}

// LayerWeights are the parameters of one arch layer; every slice is nil for
// a layer without them (pools, add, concat).
type LayerWeights struct {
	// W is a conv's weights as [group][ky][kx][cin/groups][cout/groups], or a
	// dense layer's as [input][output] with inputs in H, W, C order.
	W []float32
	B []float32 // bias, one per output channel or unit
	// Gamma, Beta, Mean and Var are the batch normalisation after the op
	// (scale, shift, running mean and running variance; eps is BNEps).
	Gamma, Beta, Mean, Var []float32
}

// BNEps is the epsilon of batch normalisation: y = γ·(x−mean)/√(var+eps) + β.
const BNEps = bnEps

// weights copies the model's parameters out, per arch layer.
func (m *model) weights() *Weights {
	w := &Weights{Layers: make([]LayerWeights, len(m.net.Layers))}
	for _, n := range m.nodes {
		lw := &w.Layers[n.layer]
		switch n.kind {
		case kConv, kDense:
			lw.W, lw.B = clone(n.w.v), clone(n.b.v)
		case kBN:
			lw.Gamma, lw.Beta = clone(n.w.v), clone(n.b.v)
			lw.Mean, lw.Var = clone(n.runMean), clone(n.runVar)
		}
	}
	return w
}

func clone(s []float32) []float32 { return append([]float32(nil), s...) }

// setWeights copies w into the model, checking every size.
func (m *model) setWeights(w *Weights) error {
	if len(w.Layers) != len(m.net.Layers) {
		return fmt.Errorf("weights for %d layers, the network has %d", len(w.Layers), len(m.net.Layers))
	}
	for _, n := range m.nodes {
		lw := &w.Layers[n.layer]
		var dst, src [][]float32
		switch n.kind {
		case kConv, kDense:
			dst, src = [][]float32{n.w.v, n.b.v}, [][]float32{lw.W, lw.B}
		case kBN:
			dst, src = [][]float32{n.w.v, n.b.v, n.runMean, n.runVar}, [][]float32{lw.Gamma, lw.Beta, lw.Mean, lw.Var}
		}
		for k := range dst {
			if len(src[k]) != len(dst[k]) {
				return fmt.Errorf("layer %d (%s): %d values where the network needs %d", n.layer, n.kind, len(src[k]), len(dst[k]))
			}
			copy(dst[k], src[k])
		}
	}
	return nil
}

// Init returns the weights Train starts from with this seed.
func Init(net *arch.Network, seed uint64) (*Weights, error) {
	m, err := build(net, 1, 1, 0, "sgd", false)
	if err != nil {
		return nil, err
	}
	m.init(seed)
	return m.weights(), nil
}

// Forward runs net with weights w in evaluation mode (batch normalisation
// with its running statistics, no dropout) on n images x (NHWC, already
// normalised as the training set was) and returns n×Classes outputs before
// the softmax. It is the engine's own forward pass, the one Train's accuracy
// comes from.
func Forward(net *arch.Network, w *Weights, x []float32, n int) ([]float32, error) {
	const batch = 64
	m, err := build(net, min(n, batch), 1, 0, "sgd", false)
	if err != nil {
		return nil, err
	}
	if len(x) != n*m.inSize {
		return nil, fmt.Errorf("%d input values for %d images of %s", len(x), n, net.Input)
	}
	if err := m.setWeights(w); err != nil {
		return nil, err
	}
	k := net.Classes
	out := make([]float32, 0, n*k)
	for b0 := 0; b0 < n; b0 += m.batch {
		nb := min(m.batch, n-b0)
		copy(m.input, x[b0*m.inSize:(b0+nb)*m.inSize])
		m.forward(nb, false, 0, 0)
		out = append(out, m.nodes[m.out].out[:nb*k]...)
	}
	return out, nil
}
