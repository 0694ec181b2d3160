package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/hwnas/hwnas/arch"
)

type kind uint8

const (
	kConv kind = iota
	kDense
	kMaxPool
	kAvgPool
	kGAP
	kAdd
	kConcat
	kBN
	kDropout
	kMix // a weighted sum of its inputs (mixed.go)
)

var kindNames = [...]string{"conv", "dense", "maxpool", "avgpool", "gap", "add", "concat", "batchnorm", "dropout", "mix"}

func (k kind) String() string { return kindNames[k] }

// param is a trainable tensor with its gradient and optimiser state.
type param struct {
	v, g   []float32
	m1, m2 []float32 // momentum / Adam moments
	decay  bool      // weight decay applies (weights, not biases or BN)
}

// node is one operation of the model; an arch layer becomes its op, then
// batch norm, then its activation.
type node struct {
	kind    kind
	layer   int        // index of the arch layer it comes from
	in      []int      // node indices; -1 is the network input
	shape   arch.Shape // output per image
	inShape arch.Shape // first input per image
	out     []float32  // batch × shape.Size()
	grad    []float32

	k, stride, pad, groups int
	// padAfter is the extra padding at the bottom and right (arch.Layer.PadAfter).
	// The loops clip windows to the map and the output shape comes from
	// arch.Network.Infer, so it only has to rule out the no-padding fast paths.
	padAfter       int
	kkc            int    // conv: rows of the weight matrix per group, K·K·Cin/groups
	w, b           *param // conv/dense weights and bias; BN scale and shift
	chunkW, chunkB [][]float32
	wPack, wtPack  packedB   // conv (groups 1) and dense: W and Wᵀ packed for gemm
	wTap, gTap     []float32 // depthwise conv: weights and their gradient tap-major (depthwise.go)

	runMean, runVar []float32   // BN running statistics
	mean, invStd    []float32   // BN batch statistics of the last forward
	scale, shift    []float32   // BN per-channel affine map of the last forward
	ab              []float32   // BN backward: Σg/N, then Σg·x̂/N, per channel
	partial         [][]float64 // BN per-chunk sums

	colCache []float32 // conv: the forward pass's patches of every image, when small enough to keep

	relu bool // a ReLU is fused into the node's output
	// fresh: the node has one consumer, which writes its gradient rather than
	// adding to it, so the gradient is not zeroed before the backward pass.
	fresh bool
	// consumerMasks: that one consumer is a max pool, which applies this
	// node's ReLU mask as it routes gradients, so the node need not.
	consumerMasks bool
	maskIn        bool    // max pool: apply the input's ReLU mask
	arg           []int32 // maxpool: index in its input image of each output's maximum

	rate float32   // dropout
	mask []float32 // dropout

	mix *mixState // kMix: coefficients and their gradient (mixed.go)
	// off: the node is left out of forward and backward passes (a mixed
	// layer's input that this step does not compute, mixed.go).
	off bool
	// work: a lazy model's batch-sized buffers of the node, given to it
	// only while a step computes it (mixed.go).
	work []workBuf
}

// workBuf is one of a node's buffers that grow with the batch and that its
// passes write before they read — its output, its gradient, its patches,
// its per-chunk weight gradients — and the number of values it holds.
type workBuf struct {
	dst *[]float32
	n   int
}

// colCacheBytes bounds the patches a conv layer keeps from its forward pass
// for its backward pass; larger layers recompute them, image by image, in
// a worker's buffer that stays in its core's L2 cache. Keeping the reference
// CNN's second layer (14 MiB a batch) cost more in memory traffic than
// recomputing it: 1410-1646 against 1671-1953 images per CPU-second on 2
// threads, alternating, at load 11-15 (issue 15).
const colCacheBytes = 2 << 20

// model is a network ready to train on batches of up to batch images.
type model struct {
	net     *arch.Network
	batch   int
	threads int
	nodes   []*node
	params  []*param
	input   []float32 // batch × input size
	inSize  int
	mean    []float32 // per-channel input normalisation (Config.Normalize), or nil
	invStd  []float32
	out     int // index of the output node
	probs   []float32
	losses  []float64 // per image of the last batch
	labels  []uint8

	// per-worker scratch
	cols  [][]float32 // im2col
	gemmS [][]float32
	bpack [][]float32

	bytes int64 // bytes allocated (or, in a dry run, that would be)
	dry   bool
	// actBytes is the part of bytes in the nodes' work buffers (workBuf);
	// a lazy model leaves them unallocated (mixed.go allocates them).
	actBytes int64
	lazy     bool

	// actQ, while measuring a quantized accuracy, quantizes the network
	// input (index 0) and the output of node i (index i+1) where not nil.
	actQ []*ActQuant
	// share, when set, holds every parameter (supernet.go); layer,
	// layerKey and layerParams name the next one newParam takes from it.
	share       *Supernet
	layer       int
	layerKey    string
	layerParams int
	owned       [][]float32 // the buffers it took from share's arena
}

func (m *model) alloc(n int) []float32 {
	m.count(4, n)
	if m.dry {
		return nil
	}
	if m.share != nil { // a supernet's child: recycled buffers (arena.go)
		b := m.share.bufs.get(n, true)
		m.owned = append(m.owned, b)
		return b
	}
	return make([]float32, n)
}

// scratch is alloc for a buffer every pass writes before it reads it
// (activations and their gradients, patches, per-chunk gradients, worker
// scratch): one recycled from a supernet's arena is not cleared.
func (m *model) scratch(n int) []float32 {
	if m.share == nil || m.dry {
		return m.alloc(n)
	}
	m.count(4, n)
	b := m.share.bufs.get(n, false)
	m.owned = append(m.owned, b)
	return b
}

// workBuf sets *dst to a scratch buffer of n values for node nd, or, in a
// lazy model, records it as one of nd's work buffers and leaves it nil.
func (m *model) workBuf(nd *node, dst *[]float32, n int) {
	before := m.bytes
	if m.lazy && !m.dry {
		m.count(4, n)
		nd.work = append(nd.work, workBuf{dst, n})
	} else {
		*dst = m.scratch(n)
	}
	m.addAct(m.bytes - before)
}

// addAct adds d bytes to m.actBytes, saturating as count does.
func (m *model) addAct(d int64) { m.actBytes = min(m.actBytes, math.MaxInt64-d) + d }

// prod is a·b for sizes, or -1 when it overflows (count saturates on it).
func prod(a, b int) int {
	if a < 0 || b < 0 || (a > 0 && b > math.MaxInt/a) {
		return -1
	}
	return a * b
}

// count adds n values of size bytes each to m.bytes, saturating rather
// than overflowing: a dry run of an absurd network must say it is too large.
func (m *model) count(size, n int) {
	add := int64(math.MaxInt64)
	if n >= 0 && int64(n) <= math.MaxInt64/int64(size) {
		add = int64(size) * int64(n)
	}
	m.bytes = min(m.bytes, math.MaxInt64-add) + add
}

func (m *model) newParam(n int, decay bool, state int) *param {
	if m.share != nil && !m.dry {
		return m.sharedParam(n, decay, state)
	}
	p := &param{v: m.alloc(n), g: m.alloc(n), decay: decay}
	if state >= 1 {
		p.m1 = m.alloc(n)
	}
	if state >= 2 {
		p.m2 = m.alloc(n)
	}
	m.params = append(m.params, p)
	return p
}

// optState is the number of per-parameter state tensors an optimiser keeps.
func optState(opt string) int {
	switch opt {
	case "adam", "adamw":
		return 2
	}
	return 1
}

// build turns net into a model for batches of batch images. With dry set it
// allocates nothing and only counts the bytes it would need.
func build(net *arch.Network, batch, threads int, dropout float32, opt string, dry bool) (*model, error) {
	return buildShared(net, batch, threads, dropout, opt, dry, nil)
}

// buildShared is build with the parameters of every layer taken from sn
// (created there on first use) when sn is not nil (supernet.go).
func buildShared(net *arch.Network, batch, threads int, dropout float32, opt string, dry bool, sn *Supernet) (*model, error) {
	return buildModel(&model{net: net, batch: batch, threads: threads, dry: dry, share: sn}, dropout, opt)
}

// buildModel builds m.net into m, which holds the settings of the build.
func buildModel(m *model, dropout float32, opt string) (*model, error) {
	net, batch := m.net, m.batch
	if err := net.Infer(); err != nil {
		return nil, fmt.Errorf("network: %w", err)
	}
	if net.Classes < 2 {
		return nil, fmt.Errorf("network has %d classes, want at least 2", net.Classes)
	}
	m.inSize = int(net.Input.Size())
	m.input = m.alloc(prod(batch, m.inSize))
	b := &builder{m: m, state: optState(opt), nChunks: chunks(batch), dropout: dropout,
		layerOut: make([]int, len(net.Layers))}
	for li := range net.Layers {
		if err := b.layer(li); err != nil {
			return nil, err
		}
	}
	m.out = len(m.nodes) - 1
	m.markConsumers()
	m.allocScratch(b.colsMax, b.bpackMax)
	return m, nil
}

// builder is the state of build between two layers of the network.
type builder struct {
	m        *model
	state    int // optimiser state tensors per parameter (optState)
	nChunks  int
	dropout  float32
	layerOut []int // node index of each layer's output
	// colsMax and bpackMax are the largest im2col and packed-patch buffers
	// a layer needs per worker.
	colsMax, bpackMax int
}

// layer adds the nodes of layer li: its op, then batch norm, with the
// layer's ReLU fused into the last of them.
func (b *builder) layer(li int) error {
	m := b.m
	l := &m.net.Layers[li]
	in := make([]int, len(l.In))
	for k, j := range l.In {
		in[k] = -1
		if j != arch.Input {
			in[k] = b.layerOut[j]
		}
	}
	inSh := m.shapeOf(in[0])
	if m.share != nil {
		m.layer, m.layerKey, m.layerParams = li, LayerKey(m.net, li), 0
	}
	n := &node{layer: li, in: in, inShape: inSh, shape: l.Shape, k: l.Kernel, stride: l.Stride, pad: l.Pad, padAfter: l.PadAfter, groups: max(l.Groups, 1)}
	switch l.Op {
	case arch.Conv:
		b.conv(n, l)
	case arch.Dense:
		b.dense(n, l)
	case arch.MaxPool:
		n.kind = kMaxPool
		m.count(4, prod(m.batch, int(l.Shape.Size())))
		if !m.dry {
			n.arg = make([]int32, m.batch*int(l.Shape.Size()))
		}
	case arch.AvgPool:
		n.kind = kAvgPool
	case arch.GlobalAvgPool:
		n.kind = kGAP
	case arch.Add:
		n.kind = kAdd
	case arch.Concat:
		n.kind = kConcat
	default:
		return fmt.Errorf("layer %d: op %s is not supported by the training engine", li, l.Op)
	}
	last := m.addNode(n)
	if l.BN {
		last = b.batchNorm(li, last, l.Shape)
	}
	if l.Act == arch.ReLU {
		m.nodes[last].relu = true
	}
	b.layerOut[li] = last
	return nil
}

// conv makes n the convolution l, with its weights, packed weights and
// patch buffers.
func (b *builder) conv(n *node, l *arch.Layer) {
	m := b.m
	n.kind = kConv
	n.kkc = l.Kernel * l.Kernel * n.inShape.C / n.groups
	nw := n.kkc * l.Out // per group rows × outputs/group × groups
	n.w = m.newParam(nw, true, b.state)
	n.b = m.newParam(l.Out, false, b.state)
	m.chunkBufs(n, b.nChunks, nw, l.Out)
	if n.isDepthwise() {
		n.wTap, n.gTap = m.alloc(nw), m.alloc(nw)
		return
	}
	hw := l.Shape.H * l.Shape.W
	if n.groups > 1 { // a GEMM per group (conv.go)
		cog := l.Out / n.groups
		n.wPack.d = m.alloc(prod(n.groups, packedBSize(n.kkc, cog)))
		n.wtPack.d = m.alloc(prod(n.groups, packedBSize(cog, n.kkc)))
		b.colsMax = max(b.colsMax, hw*n.kkc)
		if !useAsm {
			b.bpackMax = max(b.bpackMax, packedBSize(hw, cog))
		}
		return
	}
	n.wPack.d = m.alloc(packedBSize(n.kkc, l.Out))
	n.wtPack.d = m.alloc(packedBSize(l.Out, n.kkc))
	if !n.isPointwise() {
		b.colsMax = max(b.colsMax, hw*n.kkc)
		if 4*int64(m.batch)*int64(hw*n.kkc) <= colCacheBytes {
			m.workBuf(n, &n.colCache, prod(m.batch, prod(hw, n.kkc)))
		}
	}
	if !useAsm { // gemmRowB packs the patches only without the AVX2 kernel
		b.bpackMax = max(b.bpackMax, packedBSize(hw, max(n.kkc, l.Out)))
	}
}

// dense makes n the dense layer l, after a dropout node when the training
// drops its inputs.
func (b *builder) dense(n *node, l *arch.Layer) {
	m := b.m
	inSh := n.inShape
	if b.dropout > 0 {
		d := &node{kind: kDropout, layer: n.layer, in: n.in, inShape: inSh, shape: inSh, rate: b.dropout}
		d.mask = m.alloc(prod(m.batch, int(inSh.Size())))
		n.in = []int{m.addNode(d)}
	}
	n.kind = kDense
	n.kkc = int(inSh.Size())
	n.w = m.newParam(n.kkc*l.Out, true, b.state)
	n.b = m.newParam(l.Out, false, b.state)
	m.chunkBufs(n, b.nChunks, n.kkc*l.Out, l.Out)
	n.wPack.d = m.alloc(packedBSize(n.kkc, l.Out))
	n.wtPack.d = m.alloc(packedBSize(l.Out, n.kkc))
	b.bpackMax = max(b.bpackMax, packedBSize(chunk, l.Out))
}

// batchNorm adds a batch norm node of layer li after node last and returns
// its index.
func (b *builder) batchNorm(li, last int, sh arch.Shape) int {
	m := b.m
	c := sh.C
	bn := &node{kind: kBN, layer: li, in: []int{last}, inShape: sh, shape: sh}
	bn.w = m.newParam(c, false, b.state)
	bn.b = m.newParam(c, false, b.state)
	bn.runMean, bn.runVar = m.alloc(c), m.alloc(c)
	bn.mean, bn.invStd = m.alloc(c), m.alloc(c)
	bn.scale, bn.shift = m.alloc(c), m.alloc(c)
	bn.ab = m.alloc(2 * c)
	m.count(16*c, b.nChunks)
	if !m.dry { // a dry run of a huge batch must not allocate a slice per chunk
		bn.partial = make([][]float64, b.nChunks)
		for i := range bn.partial {
			bn.partial[i] = make([]float64, 2*c)
		}
	}
	return m.addNode(bn)
}

// shapeOf is the per-image output shape of node i, or the network input's.
func (m *model) shapeOf(i int) arch.Shape {
	if i < 0 {
		return m.net.Input
	}
	return m.nodes[i].shape
}

// addNode allocates n's output and gradient, appends it and returns its index.
func (m *model) addNode(n *node) int {
	m.workBuf(n, &n.out, prod(m.batch, int(n.shape.Size())))
	m.workBuf(n, &n.grad, prod(m.batch, int(n.shape.Size())))
	m.nodes = append(m.nodes, n)
	return len(m.nodes) - 1
}

// markConsumers sets fresh on the nodes with one consumer, and lets a max
// pool that is the only consumer of a ReLU node apply its mask.
func (m *model) markConsumers() {
	uses := make([]int, len(m.nodes))
	for _, n := range m.nodes {
		for _, j := range n.in {
			if j >= 0 {
				uses[j]++
			}
		}
	}
	for i, n := range m.nodes {
		n.fresh = uses[i] == 1
	}
	for _, n := range m.nodes {
		if j := n.in[0]; n.kind == kMaxPool && j >= 0 && uses[j] == 1 && m.nodes[j].relu {
			m.nodes[j].consumerMasks = true
			n.maskIn = true
		}
	}
}

// allocScratch allocates the loss buffers and every worker's scratch.
func (m *model) allocScratch(colsMax, bpackMax int) {
	m.probs = m.alloc(prod(m.batch, m.net.Classes))
	m.count(9, m.batch) // losses and labels
	if !m.dry {
		m.losses = make([]float64, m.batch)
		m.labels = make([]uint8, m.batch)
	}
	m.cols = make([][]float32, m.threads)
	m.gemmS = make([][]float32, m.threads)
	m.bpack = make([][]float32, m.threads)
	for w := range m.threads {
		m.cols[w] = m.scratch(colsMax)
		m.gemmS[w] = m.scratch(gemmScratch)
		m.bpack[w] = m.scratch(bpackMax)
	}
}

// chunkBufs gives nd n chunks' weight and bias gradient buffers of nw and
// nb values; a dry run only counts them.
func (m *model) chunkBufs(nd *node, n, nw, nb int) {
	if m.dry {
		before := m.bytes
		m.count(4*nw+4*nb, n)
		m.addAct(m.bytes - before)
		return
	}
	nd.chunkW, nd.chunkB = make([][]float32, n), make([][]float32, n)
	for i := range n {
		m.workBuf(nd, &nd.chunkW[i], nw)
		m.workBuf(nd, &nd.chunkB[i], nb)
	}
}

// init draws every weight from the seed: He-normal weights (He et al.,
// "Delving deep into rectifiers", ICCV 2015: std = sqrt(2 / fan-in)), zero
// biases, unit BN scales.
func (m *model) init(seed uint64) {
	r := rand.New(rand.NewPCG(seed, 0x6e6e2d696e6974)) // "nn-init"
	for _, n := range m.nodes {
		switch n.kind {
		case kConv, kDense:
			std := math.Sqrt(2 / float64(n.kkc))
			for i := range n.w.v {
				n.w.v[i] = float32(r.NormFloat64() * std)
			}
		case kBN:
			for i := range n.w.v {
				n.w.v[i] = 1
				n.runVar[i] = 1
			}
		}
	}
}

// inOut returns the output buffer of node i (or the network input) and its
// per-image size.
func (m *model) inOut(i int) ([]float32, []float32, int) {
	if i < 0 {
		return m.input, nil, m.inSize
	}
	n := m.nodes[i]
	return n.out, n.grad, int(n.shape.Size())
}
