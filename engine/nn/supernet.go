package nn

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"sync"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine/data"
)

// Supernet holds the shared weights of a one-shot supernet (weight sharing:
// ENAS, Pham et al. ICML 2018; Single-Path One-Shot, Guo et al. ECCV 2020).
// Every layer a child network of a search space can contain owns one set of
// parameters, keyed by LayerKey: its name in the space, its configuration
// and its input shape. A child built on the supernet uses, and trains, the
// parameters of its own layers; two children with the same layer in the
// same place share it. Parameters are created on first use, initialised
// from the seed and their key, so that their values never depend on the
// order in which children were sampled.
//
// Training (TrainEpoch) must not run beside anything else on the same
// Supernet; scoring children (Accuracy) may run concurrently.
type Supernet struct {
	seed   uint64
	mu     sync.Mutex
	params map[string]*param
	bufs   arena // the buffers of the children it builds
}

// NewSupernet returns an empty supernet whose parameters draw their initial
// values from seed.
func NewSupernet(seed uint64) *Supernet {
	return &Supernet{seed: seed, params: map[string]*param{}}
}

// Len is the number of parameter tensors the supernet holds.
func (sn *Supernet) Len() int {
	sn.mu.Lock()
	defer sn.mu.Unlock()
	return len(sn.params)
}

// LayerKey identifies layer i of n in a supernet: its name (the slot of the
// space it comes from), its op and hyper-parameters, and its input shape.
func LayerKey(n *arch.Network, i int) string {
	l := &n.Layers[i]
	return fmt.Sprintf("%s %s k=%d s=%d p=%d pa=%d g=%d out=%d act=%s bn=%t in=%s",
		l.Name, l.Op, l.Kernel, l.Stride, l.Pad, l.PadAfter, max(l.Groups, 1), l.Out, l.Act, l.BN, n.InShape(i))
}

// sharedParam is newParam for a model built on a supernet: the next
// parameter of the current layer, taken from the supernet or created there.
// A layer's parameters come in the order the builder asks for them: weights
// and bias, then batch norm's scale and shift.
func (m *model) sharedParam(n int, decay bool, state int) *param {
	idx := m.layerParams
	m.layerParams++
	key := fmt.Sprintf("%s #%d", m.layerKey, idx)
	sn := m.share
	sn.mu.Lock()
	defer sn.mu.Unlock()
	p := sn.params[key]
	if p == nil {
		p = &param{v: make([]float32, n), g: make([]float32, n), decay: decay}
		sn.initParam(p, key, idx, m.net.Layers[m.layer].Out)
		sn.params[key] = p
	}
	if len(p.v) != n {
		panic(fmt.Sprintf("supernet parameter %q has %d values, the layer wants %d", key, len(p.v), n))
	}
	if state >= 1 && p.m1 == nil {
		p.m1 = make([]float32, n)
	}
	if state >= 2 && p.m2 == nil {
		p.m2 = make([]float32, n)
	}
	m.params = append(m.params, p)
	return p
}

// initParam gives a new parameter its initial values as model.init does:
// He-normal weights (He et al., ICCV 2015) drawn from the seed and the key,
// zero biases and shifts, unit batch-norm scales.
func (sn *Supernet) initParam(p *param, key string, idx, out int) {
	switch idx {
	case 0: // weights: fan-in is the values per output
		h := fnv.New64a()
		h.Write([]byte(key))
		r := rand.New(rand.NewPCG(sn.seed, h.Sum64()))
		std := math.Sqrt(2 / float64(max(len(p.v)/max(out, 1), 1)))
		for i := range p.v {
			p.v[i] = float32(r.NormFloat64() * std)
		}
	case 2: // batch-norm scale
		for i := range p.v {
			p.v[i] = 1
		}
	}
}

// build builds net on the supernet for batches of cfg.Batch images.
func (sn *Supernet) build(net *arch.Network, cfg *Config) (*model, error) {
	if err := net.Infer(); err != nil {
		return nil, fmt.Errorf("network: %w", err)
	}
	return buildShared(net, cfg.Batch, cfg.Threads, float32(cfg.Dropout), cfg.Optimizer, false, sn)
}

// recovered turns a panic of the engine into err, as Train does.
func recovered(err *error) {
	if r := recover(); r != nil {
		stack := debug.Stack()
		if p, ok := r.(*panicked); ok {
			r, stack = p.value, p.stack
		}
		*err = fmt.Errorf("training engine: internal error (please report it): %v\n%s", r, stack)
	}
}

// TrainEpoch runs epoch (0-based) of cfg.Epochs epochs of supernet training
// on train: one step per batch, each on the child network sample returns
// for that step (global step number), so that sampling one path uniformly
// per step is Single-Path One-Shot's rule (Guo et al., ECCV 2020, §3.2).
// The optimiser and the learning-rate schedule are cfg's, over the steps of
// all epochs, and the batches are Train's shuffle of the epoch. It returns
// the epoch's mean training loss. Cancelling ctx stops it between two steps.
func (sn *Supernet) TrainEpoch(ctx context.Context, epoch int, train *data.Set, cfg Config, sample func(step int) (*arch.Network, error)) (loss float64, err error) {
	defer recovered(&err)
	if err := cfg.fill(); err != nil {
		return 0, fmt.Errorf("training setup: %w", err)
	}
	n := train.Len()
	if n == 0 {
		return 0, fmt.Errorf("training set is empty")
	}
	perEpoch := (n + cfg.Batch - 1) / cfg.Batch
	order := data.Permutation(n, cfg.Seed^uint64(epoch+1)*0x9e3779b97f4a7c15)
	var res Result
	tr := trainer{cfg: &cfg, set: train, res: &res, total: perEpoch * cfg.Epochs, t: epoch * perEpoch}
	for b0 := 0; b0 < n; b0 += cfg.Batch {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		net, err := sample(tr.t)
		if err != nil {
			return 0, err
		}
		if err := checkSets(net, train, nil, nil); err != nil {
			return 0, err
		}
		if tr.m == nil || tr.m.net.Key() != net.Key() {
			if tr.m != nil {
				tr.m.release()
			}
			if tr.m, err = sn.build(net, &cfg); err != nil {
				return 0, err
			}
		}
		if err := tr.step(epoch, order[b0:min(b0+cfg.Batch, n)]); err != nil {
			return 0, err
		}
	}
	if tr.m != nil {
		tr.m.release()
	}
	return tr.window / float64(max(tr.windowN, 1)), nil
}

// Accuracy scores net with the weights it inherits from the supernet, as
// Single-Path One-Shot does (Guo et al., ECCV 2020, §3.3): it re-estimates
// every batch-norm layer's statistics on bnBatches batches of cfg.Batch
// training images (batch statistics in training mode, averaged over the
// batches), then returns the fraction of val classified correctly.
func (sn *Supernet) Accuracy(ctx context.Context, net *arch.Network, train, val *data.Set, cfg Config, bnBatches int) (acc float64, err error) {
	defer recovered(&err)
	if err := cfg.fill(); err != nil {
		return 0, fmt.Errorf("training setup: %w", err)
	}
	if err := checkSets(net, train, val, nil); err != nil {
		return 0, err
	}
	m, err := sn.build(net, &cfg)
	if err != nil {
		return 0, err
	}
	defer m.release()
	m.recalibrate(train, bnBatches, cfg.Seed)
	return m.accuracy(ctx, val)
}

// recalibrate sets every batch norm's running statistics to the mean of
// its batch statistics over batches batches of set, drawn by seed.
func (m *model) recalibrate(set *data.Set, batches int, seed uint64) {
	var bns []*node
	for _, n := range m.nodes {
		if n.kind == kBN {
			bns = append(bns, n)
		}
	}
	if len(bns) == 0 || batches <= 0 {
		return
	}
	sums := make([][]float64, len(bns)) // per node: Σ mean, then Σ unbiased variance
	for i, n := range bns {
		sums[i] = make([]float64, 2*n.shape.C)
	}
	order := data.Permutation(set.Len(), seed^0x626e2d7265636162) // "bn-recab"
	done := 0
	for b0 := 0; b0 < len(order) && done < batches; b0 += m.batch {
		idx := order[b0:min(b0+m.batch, len(order))]
		set.Gather(idx, m.input, m.labels)
		m.normalize(len(idx))
		for _, n := range bns { // bnBatchStats folds the batch into the running statistics
			clear(n.runMean)
			clear(n.runVar)
		}
		m.forward(len(idx), true, seed, uint64(done))
		for i, n := range bns {
			for ch := range n.shape.C {
				sums[i][ch] += float64(n.runMean[ch]) / bnMomentum
				sums[i][n.shape.C+ch] += float64(n.runVar[ch]) / bnMomentum
			}
		}
		done++
	}
	for i, n := range bns {
		for ch := range n.shape.C {
			n.runMean[ch] = float32(sums[i][ch] / float64(done))
			n.runVar[ch] = float32(sums[i][n.shape.C+ch] / float64(done))
		}
	}
}

// supernetMagic starts a saved supernet; the digit is the format's version.
const supernetMagic = "hwnas-supernet 1\n"

// MarshalBinary writes the supernet: every parameter tensor, by key, with
// its optimiser state, so that training can resume where it stopped.
func (sn *Supernet) MarshalBinary() ([]byte, error) {
	sn.mu.Lock()
	defer sn.mu.Unlock()
	var b bytes.Buffer
	b.WriteString(supernetMagic)
	w := func(v any) { binary.Write(&b, binary.LittleEndian, v) } // a bytes.Buffer does not fail
	w(sn.seed)
	w(uint32(len(sn.params)))
	for _, k := range slices.Sorted(maps.Keys(sn.params)) {
		p := sn.params[k]
		w(uint32(len(k)))
		b.WriteString(k)
		flags := uint8(0)
		if p.decay {
			flags |= 1
		}
		if p.m1 != nil {
			flags |= 2
		}
		if p.m2 != nil {
			flags |= 4
		}
		w(flags)
		w(uint32(len(p.v)))
		for _, s := range [][]float32{p.v, p.m1, p.m2} {
			if s != nil {
				w(s)
			}
		}
	}
	return b.Bytes(), nil
}

// UnmarshalSupernet reads a supernet written by MarshalBinary.
func UnmarshalSupernet(b []byte) (*Supernet, error) {
	if !bytes.HasPrefix(b, []byte(supernetMagic)) {
		return nil, fmt.Errorf("not a saved supernet (no %q header)", supernetMagic[:len(supernetMagic)-1])
	}
	r := bufio.NewReader(bytes.NewReader(b[len(supernetMagic):]))
	rd := func(v any) error { return binary.Read(r, binary.LittleEndian, v) }
	sn := &Supernet{params: map[string]*param{}}
	var count uint32
	if err := errors.Join(rd(&sn.seed), rd(&count)); err != nil {
		return nil, fmt.Errorf("saved supernet: header: %w", err)
	}
	for i := range count {
		k, p, err := readParam(r, rd, len(b))
		if err != nil {
			return nil, fmt.Errorf("saved supernet: parameter %d of %d: %w", i+1, count, err)
		}
		sn.params[k] = p
	}
	if _, err := r.ReadByte(); err != io.EOF {
		return nil, fmt.Errorf("saved supernet: data after the last parameter")
	}
	return sn, nil
}

// readParam reads one parameter: its key, flags, length and tensors.
func readParam(r io.Reader, rd func(any) error, limit int) (string, *param, error) {
	var kl, n uint32
	var flags uint8
	if err := rd(&kl); err != nil {
		return "", nil, err
	}
	if int(kl) > limit {
		return "", nil, fmt.Errorf("key of %d bytes is longer than the file", kl)
	}
	key := make([]byte, kl)
	if _, err := io.ReadFull(r, key); err != nil {
		return "", nil, err
	}
	if err := errors.Join(rd(&flags), rd(&n)); err != nil {
		return "", nil, err
	}
	if int64(n)*4 > int64(limit) {
		return "", nil, fmt.Errorf("%q: %d values do not fit in the file", key, n)
	}
	p := &param{v: make([]float32, n), g: make([]float32, n), decay: flags&1 != 0}
	if flags&2 != 0 {
		p.m1 = make([]float32, n)
	}
	if flags&4 != 0 {
		p.m2 = make([]float32, n)
	}
	for _, s := range [][]float32{p.v, p.m1, p.m2} {
		if s != nil {
			if err := rd(s); err != nil {
				return "", nil, fmt.Errorf("%q: %w", key, err)
			}
		}
	}
	return string(key), p, nil
}
