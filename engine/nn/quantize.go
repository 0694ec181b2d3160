package nn

// Post-training quantization: a trained model's accuracy at the integer
// precision an accelerator runs it at. Weights are quantized symmetrically
// per output channel, activations per tensor with ranges calibrated on a few
// training batches (min-max), as in Jacob et al., "Quantization and Training
// of Neural Networks for Efficient Integer-Arithmetic-Only Inference"
// (CVPR 2018) and Krishnamoorthi, "Quantizing deep convolutional networks
// for efficient inference: A whitepaper" (2018), §3. Biases stay in float
// (an accelerator keeps them in its 32-bit accumulators), and a batch norm is
// left unquantized after its layer: folded into the layer's weights it only
// rescales each output channel, which per-channel symmetric quantization
// commutes with. The model computes in float32 on the quantized values
// ("fake quantization"), which gives the integer network's results up to
// float rounding.

import (
	"context"
	"fmt"
	"math"

	"github.com/hwnas/hwnas/engine/data"
)

// QuantBits are the integer widths post-training quantization supports.
var QuantBits = []int{16, 8, 4}

func checkBits(bits int) error {
	if bits < 2 || bits > 16 {
		return fmt.Errorf("quantization to %d bits: want 2 to 16", bits)
	}
	return nil
}

// QuantizeWeights quantizes the weights w of a convolution or dense layer to
// signed bits-bit integers, symmetrically per output channel: q[i] =
// round(w[i]/scale[c]) clamped to ±(2^(bits-1)−1), where c is w[i]'s output
// channel and scale[c] = max|w of channel c| / (2^(bits-1)−1), so w[i] ≈
// q[i]·scale[c]. w is laid out as the training engine stores it: groups
// blocks, each of rows × perGroup values with the output channel within the
// group fastest (a dense layer or an ungrouped convolution is one group of
// inputs × outputs). Output channel c of group g is g·perGroup + c. A channel
// of zeros gets scale 0 and integers 0.
func QuantizeWeights(w []float32, groups, perGroup, bits int) (q []int32, scale []float32, err error) {
	if err := checkBits(bits); err != nil {
		return nil, nil, err
	}
	if groups < 1 || perGroup < 1 || len(w)%(groups*perGroup) != 0 {
		return nil, nil, fmt.Errorf("quantizing weights: %d values do not split into %d groups of %d output channels", len(w), groups, perGroup)
	}
	block := len(w) / groups
	channel := func(i int) int { return i/block*perGroup + i%perGroup }
	scale = make([]float32, groups*perGroup)
	for i, v := range w {
		c := channel(i)
		scale[c] = max(scale[c], float32(math.Abs(float64(v))))
	}
	top := float32(int32(1)<<(bits-1) - 1)
	for c := range scale {
		scale[c] /= top
	}
	q = make([]int32, len(w))
	for i, v := range w {
		if s := scale[channel(i)]; s > 0 {
			q[i] = int32(min(max(float32(math.Round(float64(v/s))), -top), top))
		}
	}
	return q, scale, nil
}

// ActQuant quantizes one activation tensor: x ≈ Scale·q with q an integer in
// [Min, Max]. A tensor that was never negative while calibrating (after a
// ReLU) is unsigned, [0, 2^bits−1]; any other is symmetric,
// ±(2^(bits-1)−1).
type ActQuant struct {
	Scale    float32
	Min, Max int32
}

// CalibrateActivation returns the quantizer of a tensor whose values ranged
// over [lo, hi] on the calibration batches.
func CalibrateActivation(lo, hi float32, bits int) (ActQuant, error) {
	if err := checkBits(bits); err != nil {
		return ActQuant{}, err
	}
	if lo >= 0 {
		top := int32(1)<<bits - 1
		return ActQuant{Scale: hi / float32(top), Max: top}, nil
	}
	top := int32(1)<<(bits-1) - 1
	return ActQuant{Scale: max(-lo, hi) / float32(top), Min: -top, Max: top}, nil
}

// Quantize returns the integer of x.
func (a ActQuant) Quantize(x float32) int32 {
	if a.Scale <= 0 {
		return 0
	}
	return int32(min(max(float32(math.Round(float64(x/a.Scale))), float32(a.Min)), float32(a.Max)))
}

// Apply replaces every value of x by its quantized value, Scale·Quantize(x).
func (a ActQuant) Apply(x []float32) {
	for i, v := range x {
		x[i] = a.Scale * float32(a.Quantize(v))
	}
}

// QuantResult is a trained network's accuracy after post-training
// quantization to Bits bits.
type QuantResult struct {
	Bits         int
	ValAccuracy  float64 // fraction in [0, 1]; 0 without a validation set
	TestAccuracy float64 // fraction in [0, 1]; 0 without a test set
}

// calibrationBatches is how many training batches calibrate the activation
// ranges.
const calibrationBatches = 4

// quantized measures the trained model's accuracy at each width of bits on
// val and test, calibrating activations on train, and leaves the model as it
// was.
func (m *model) quantized(ctx context.Context, bits []int, train, val, test *data.Set, seed uint64) ([]QuantResult, error) {
	ranges, err := m.calibrate(ctx, train, seed)
	if err != nil {
		return nil, err
	}
	var out []QuantResult
	for _, b := range bits {
		r, err := m.quantizedAt(ctx, b, ranges, val, test)
		if err != nil {
			return nil, fmt.Errorf("int%d: %w", b, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// quantizedAt measures the accuracy with weights and activations at bits.
func (m *model) quantizedAt(ctx context.Context, bits int, ranges [][2]float32, val, test *data.Set) (QuantResult, error) {
	restore, err := m.quantizeWeights(bits)
	if err != nil {
		return QuantResult{}, err
	}
	defer restore()
	m.actQ = make([]*ActQuant, len(ranges))
	defer func() { m.actQ = nil }()
	for i, r := range ranges {
		if i == 0 || m.quantizesOutput(i-1) {
			a, err := CalibrateActivation(r[0], r[1], bits)
			if err != nil {
				return QuantResult{}, err
			}
			m.actQ[i] = &a
		}
	}
	res := QuantResult{Bits: bits}
	if res.ValAccuracy, err = m.accuracy(ctx, val); err != nil {
		return res, err
	}
	res.TestAccuracy, err = m.accuracy(ctx, test)
	return res, err
}

// quantizeWeights replaces every conv and dense weight by its quantized
// value and returns the function that puts the float weights back.
func (m *model) quantizeWeights(bits int) (restore func(), err error) {
	var saved [][]float32
	var nodes []*node
	restore = func() {
		for i, n := range nodes {
			copy(n.w.v, saved[i])
		}
	}
	for _, n := range m.nodes {
		if n.kind != kConv && n.kind != kDense {
			continue
		}
		q, scale, err := QuantizeWeights(n.w.v, n.groups, n.shape.C/n.groups, bits)
		if err != nil {
			restore()
			return nil, err
		}
		nodes, saved = append(nodes, n), append(saved, append([]float32(nil), n.w.v...))
		block, per := len(q)/n.groups, n.shape.C/n.groups
		for i, v := range q {
			n.w.v[i] = float32(v) * scale[i/block*per+i%per]
		}
	}
	return restore, nil
}

// quantizesOutput reports whether node i's output is an activation the
// accelerator stores at its precision: the output of a layer (after its
// batch norm and ReLU), except the network's logits.
func (m *model) quantizesOutput(i int) bool {
	return i != m.out && (i+1 == len(m.nodes) || m.nodes[i+1].layer != m.nodes[i].layer)
}

// calibrate runs the float model over a few training batches and returns
// the range [min, max] of the network input (index 0) and of every node's
// output (index i+1).
func (m *model) calibrate(ctx context.Context, train *data.Set, seed uint64) ([][2]float32, error) {
	ranges := make([][2]float32, len(m.nodes)+1)
	for i := range ranges {
		ranges[i] = [2]float32{float32(math.Inf(1)), float32(math.Inf(-1))}
	}
	widen := func(i int, x []float32) {
		for _, v := range x {
			ranges[i][0], ranges[i][1] = min(ranges[i][0], v), max(ranges[i][1], v)
		}
	}
	order := data.Permutation(train.Len(), seed^0x71756e74) // "qunt"
	for b := range calibrationBatches {
		lo, hi := b*m.batch, min((b+1)*m.batch, train.Len())
		if lo >= hi {
			break
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		nb := hi - lo
		train.Gather(order[lo:hi], m.input, m.labels)
		m.normalize(nb)
		widen(0, m.input[:nb*m.inSize])
		m.forward(nb, false, 0, 0)
		for i, n := range m.nodes {
			widen(i+1, n.out[:nb*int(n.shape.Size())])
		}
	}
	return ranges, nil
}
