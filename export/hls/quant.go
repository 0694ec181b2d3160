package hls

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine/nn"
)

// QNet is a network quantised to signed fixed point of Bits bits: every
// tensor is an integer v standing for v·2^−F with its own F (fraction
// bits). Its Forward is the specification the generated C++ must match bit
// for bit.
//
// The arithmetic, in both: a conv or dense layer (batch normalisation folded
// into its weights and bias) accumulates bias·2^(Fin+Fw) + Σ x·w exactly in
// 64 bits, then rounds to its output's F by an arithmetic right shift that
// adds half first (round half up), saturates to Bits bits and applies ReLU.
// Add and concat bring every input to the largest input F by left shifts,
// add, and round and saturate the same way. Max pooling keeps F; average
// and global average pooling divide the window's exact sum by its count,
// rounding half away from zero. Activations are stored channel-major (CHW);
// a dense layer reads its input flattened in that order.
type QNet struct {
	Net    *arch.Network
	Bits   int
	FIn    int // fraction bits of the input
	Mean   []float32
	Std    []float32
	Layers []QLayer
}

// QLayer is one quantised layer.
type QLayer struct {
	W    []int64 // conv: [M][N/groups][K][K]; dense: [out][in, CHW order]
	B    []int64 // bias at fraction bits FIn+FW of the layer's input
	FW   int     // fraction bits of the weights
	FAcc int     // fraction bits of the exact accumulator
	F    int     // fraction bits of the output
}

// Quantize folds batch normalisation, quantises the weights, and chooses
// every tensor's fraction bits from the largest magnitude it takes on calib
// (n raw NHWC images, normalised with mean and std as the trainer saw them;
// nil mean and std for none).
func Quantize(net *arch.Network, w *nn.Weights, mean, std []float32, calib []float32, n, bits int) (*QNet, error) {
	if bits != 8 && bits != 16 {
		return nil, fmt.Errorf("hls: %d-bit fixed point: want 8 or 16", bits)
	}
	if err := net.Infer(); err != nil {
		return nil, fmt.Errorf("hls: network: %w", err)
	}
	if len(w.Layers) != len(net.Layers) {
		return nil, fmt.Errorf("hls: weights for %d layers, the network has %d", len(w.Layers), len(net.Layers))
	}
	q := &QNet{Net: net, Bits: bits, Mean: mean, Std: std, Layers: make([]QLayer, len(net.Layers))}
	size := int(net.Input.Size())
	if n < 1 || len(calib) != n*size {
		return nil, fmt.Errorf("hls: %d calibration values for %d images of %s", len(calib), n, net.Input)
	}
	imgs, err := q.normalize(calib)
	if err != nil {
		return nil, err
	}
	q.FIn = q.fracFor(maxAbs(imgs))
	runs := make([]*run, n)
	for i := range runs {
		runs[i] = &run{in: q.quantInput(imgs[i*size : (i+1)*size]), out: make([][]int64, len(net.Layers))}
	}
	for li := range net.Layers {
		if err := q.calibrate(li, &w.Layers[li], runs); err != nil {
			return nil, fmt.Errorf("hls: layer %d (%s): %w", li, net.Layers[li].Op, err)
		}
	}
	return q, nil
}

// calibrate quantises layer li's weights, runs it on every calibration
// image and chooses its output fraction bits from the exact results.
func (q *QNet) calibrate(li int, lw *nn.LayerWeights, runs []*run) error {
	l := &q.Net.Layers[li]
	if l.BN && l.Op != arch.Conv && l.Op != arch.Dense {
		return fmt.Errorf("batch normalisation after a %s cannot be folded into weights", l.Op)
	}
	ql := &q.Layers[li]
	if l.Op == arch.Conv || l.Op == arch.Dense {
		wf, bf, err := q.fold(li, lw)
		if err != nil {
			return err
		}
		ql.FW = q.fracFor(maxAbs(wf))
		ql.W = make([]int64, len(wf))
		for i, v := range wf {
			ql.W[i] = q.sat(roundF(v, ql.FW))
		}
		ql.B = make([]int64, len(bf))
		for i, v := range bf {
			ql.B[i] = roundF(v, q.inF(li, 0)+ql.FW)
		}
	}
	accs := make([][]int64, len(runs))
	var peak int64
	fAcc := make([]int, len(runs))
	each(len(runs), func(i int) { accs[i], fAcc[i] = q.acc(li, runs[i]) })
	ql.FAcc = fAcc[0]
	for i := range runs {
		for _, v := range accs[i] {
			if l.Act == arch.ReLU {
				v = max(v, 0)
			}
			peak = max(peak, v, -v)
		}
	}
	ql.F = min(q.fracFor(math.Ldexp(float64(peak), -ql.FAcc)), ql.FAcc)
	if l.Op == arch.MaxPool || l.Op == arch.AvgPool || l.Op == arch.GlobalAvgPool {
		ql.F = ql.FAcc // pools keep their input's scale
	}
	for i, r := range runs {
		r.out[li] = q.finish(li, accs[i])
	}
	return nil
}

// run is one image going through the quantised network.
type run struct {
	in  []int64   // the quantised input, CHW
	out [][]int64 // every layer's output, CHW
}

// Forward runs one quantised CHW image (QuantizeInputs) and returns the
// last layer's outputs as integers at fraction bits Layers[last].F.
func (q *QNet) Forward(x []int64) []int64 {
	r := &run{in: x, out: make([][]int64, len(q.Net.Layers))}
	for li := range q.Net.Layers {
		acc, _ := q.acc(li, r)
		r.out[li] = q.finish(li, acc)
	}
	return r.out[len(r.out)-1]
}

// finish rounds an accumulator to the layer's fraction bits, saturates it
// and applies the layer's ReLU.
func (q *QNet) finish(li int, acc []int64) []int64 {
	ql := &q.Layers[li]
	relu := q.Net.Layers[li].Act == arch.ReLU
	out := make([]int64, len(acc))
	for i, v := range acc {
		v = q.sat(shiftRound(v, ql.FAcc-ql.F))
		if relu {
			v = max(v, 0)
		}
		out[i] = v
	}
	return out
}

// normalize returns the images normalised as (x − mean)·(1/std) per channel.
func (q *QNet) normalize(x []float32) ([]float32, error) {
	c := q.Net.Input.C
	if q.Mean == nil && q.Std == nil {
		return x, nil
	}
	if len(q.Mean) != c || len(q.Std) != c {
		return nil, fmt.Errorf("hls: normalisation with %d means and %d deviations for %d channels", len(q.Mean), len(q.Std), c)
	}
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = (v - q.Mean[i%c]) * (1 / q.Std[i%c])
	}
	return out, nil
}

// quantInput quantises one normalised NHWC image into CHW integers.
func (q *QNet) quantInput(x []float32) []int64 {
	s := q.Net.Input
	out := make([]int64, len(x))
	for i, v := range x {
		ch, pos := i%s.C, i/s.C
		out[ch*s.H*s.W+pos] = q.sat(roundF(float64(v), q.FIn))
	}
	return out
}

// QuantizeInputs normalises and quantises n raw NHWC images into CHW
// integers, as the host would before sending them to the accelerator.
func (q *QNet) QuantizeInputs(raw []float32, n int) ([][]int64, error) {
	size := int(q.Net.Input.Size())
	if len(raw) != n*size {
		return nil, fmt.Errorf("hls: %d values for %d images of %s", len(raw), n, q.Net.Input)
	}
	norm, err := q.normalize(raw)
	if err != nil {
		return nil, err
	}
	out := make([][]int64, n)
	for i := range out {
		out[i] = q.quantInput(norm[i*size : (i+1)*size])
	}
	return out, nil
}

// fracFor is the fraction bits that fit magnitude m in Bits signed bits:
// the most with m·2^F below 2^(Bits−1), between 0 and Bits+8 (so that
// accumulators, at the sum of two, stay far inside 64 bits).
func (q *QNet) fracFor(m float64) int {
	if !(m > 0) {
		return q.Bits - 1
	}
	f := q.Bits - 1 - int(math.Ceil(math.Log2(m)))
	if math.Ldexp(m, f) >= math.Exp2(float64(q.Bits-1)) {
		f--
	}
	return max(0, min(f, q.Bits+8))
}

func maxAbs[T float32 | float64](v []T) float64 {
	var m float64
	for _, x := range v {
		m = max(m, math.Abs(float64(x)))
	}
	return m
}

// roundF is round(v·2^f), half away from zero, within ±2^62.
func roundF(v float64, f int) int64 {
	return int64(min(max(math.Round(math.Ldexp(v, f)), -0x1p62), 0x1p62))
}

// sat saturates v to Bits signed bits.
func (q *QNet) sat(v int64) int64 {
	hi := int64(1)<<(q.Bits-1) - 1
	return min(max(v, -hi-1), hi)
}

// shiftRound is v·2^−s rounded half up (arithmetic shift after adding
// half), or v·2^(−s) exactly for s ≤ 0.
func shiftRound(v int64, s int) int64 {
	if s <= 0 {
		return v << -s
	}
	return (v + 1<<(s-1)) >> s
}

// divRound is s/c rounded half away from zero (c > 0).
func divRound(s, c int64) int64 {
	if s >= 0 {
		return (2*s + c) / (2 * c)
	}
	return -((-2*s + c) / (2 * c))
}

// each calls fn(i) for i in [0, n) on GOMAXPROCS goroutines; the results
// do not depend on the order (each i writes only its own slot).
func each(n int, fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				fn(i)
			}
		})
	}
	wg.Wait()
}
