package onnx

import (
	"fmt"
	"io"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine/nn"
)

// Options are what a model carries besides the network and its weights.
type Options struct {
	// Mean and Std, when set, are the per-channel statistics the network's
	// inputs were normalised with; the model then takes raw images and
	// normalises them first as (x − Mean)·(1/Std).
	Mean, Std []float32
	Name      string // the graph's name
	Doc       string // the model's doc string (where it came from)
}

// Write writes net with weights w as an ONNX model to out.
func Write(out io.Writer, net *arch.Network, w *nn.Weights, o Options) error {
	b, err := Encode(net, w, o)
	if err != nil {
		return err
	}
	_, err = out.Write(b)
	return err
}

// Encode returns net with weights w as the bytes of an ONNX model.
func Encode(net *arch.Network, w *nn.Weights, o Options) ([]byte, error) {
	if err := net.Infer(); err != nil {
		return nil, fmt.Errorf("onnx: network: %w", err)
	}
	if len(w.Layers) != len(net.Layers) {
		return nil, fmt.Errorf("onnx: weights for %d layers, the network has %d", len(w.Layers), len(net.Layers))
	}
	g := &graph{net: net, w: w, out: make([]tensor, len(net.Layers))}
	in := tensor{"input", 4}
	if len(o.Mean) > 0 || len(o.Std) > 0 {
		var err error
		if in, err = g.normalize(in, o.Mean, o.Std); err != nil {
			return nil, err
		}
	}
	for i := range net.Layers {
		if err := g.layer(i, in); err != nil {
			return nil, fmt.Errorf("onnx: layer %d (%s): %w", i, net.Layers[i].Op, err)
		}
	}
	last := g.out[len(net.Layers)-1]
	op := "Identity"
	if last.rank == 4 {
		op = "Flatten"
	}
	g.emit(op, "output", []string{last.name}, "logits")
	return g.model(o), nil
}

// tensor is a value of the graph: its name and rank (4: N×C×H×W, 2: N×C).
type tensor struct {
	name string
	rank int
}

// graph is the model being written.
type graph struct {
	net   *arch.Network
	w     *nn.Weights
	out   []tensor // each layer's output
	nodes []msg
	inits []msg
}

// emit appends a node and returns the name of its output, out when given.
func (g *graph) emit(op, name string, in []string, out string, attrs ...msg) string {
	if out == "" {
		out = fmt.Sprintf("%s_%d", name, len(g.nodes))
	}
	n := msg(nil)
	for _, s := range in {
		n = n.str(nodeInput, s)
	}
	n = n.str(nodeOutput, out).str(nodeName, fmt.Sprintf("%s_%d", name, len(g.nodes))).str(nodeOp, op)
	for _, a := range attrs {
		n = n.sub(nodeAttr, a)
	}
	g.nodes = append(g.nodes, n)
	return out
}

// init adds a float initialiser and returns its name.
func (g *graph) init(name string, dims []int64, vs []float32) string {
	g.inits = append(g.inits, floatTensor(name, dims, vs))
	return name
}

// normalize emits (x − mean)·(1/std) per channel, as data.Set.Normalize.
func (g *graph) normalize(x tensor, mean, std []float32) (tensor, error) {
	c := g.net.Input.C
	if len(mean) != c || len(std) != c {
		return x, fmt.Errorf("onnx: normalisation with %d means and %d deviations for %d input channels", len(mean), len(std), c)
	}
	inv := make([]float32, c)
	for k, d := range std {
		if !(d > 0) {
			return x, fmt.Errorf("onnx: channel %d standard deviation %g, want positive", k, d)
		}
		inv[k] = 1 / d
	}
	dims := []int64{1, int64(c), 1, 1}
	s := g.emit("Sub", "normalize", []string{x.name, g.init("input_mean", dims, mean)}, "")
	return tensor{g.emit("Mul", "normalize", []string{s, g.init("input_inv_std", dims, inv)}, ""), 4}, nil
}

// input returns layer i's k-th input at rank 4 (N×C×1×1 for a dense output).
func (g *graph) input(i, k int, in tensor) tensor {
	j := g.net.Layers[i].In[k]
	t := in
	if j != arch.Input {
		t = g.out[j]
	}
	if t.rank == 2 {
		shape := int64Tensor(fmt.Sprintf("shape_%d_%d", i, k), []int64{4}, []int64{0, -1, 1, 1})
		g.inits = append(g.inits, shape)
		t = tensor{g.emit("Reshape", "to4d", []string{t.name, fmt.Sprintf("shape_%d_%d", i, k)}, ""), 4}
	}
	return t
}

// layer emits layer i, then its batch normalisation and activation.
func (g *graph) layer(i int, in tensor) error {
	l := &g.net.Layers[i]
	name := fmt.Sprintf("L%d_%s", i, l.Op)
	x := g.input(i, 0, in)
	var y tensor
	switch l.Op {
	case arch.Conv:
		y = tensor{g.conv(i, name, x), 4}
	case arch.Dense:
		y = tensor{g.dense(i, name, x), 2}
	case arch.MaxPool, arch.AvgPool:
		op := map[arch.Op]string{arch.MaxPool: "MaxPool", arch.AvgPool: "AveragePool"}[l.Op]
		y = tensor{g.emit(op, name, []string{x.name}, "", windowAttrs(l)...), 4}
	case arch.GlobalAvgPool:
		y = tensor{g.emit("GlobalAveragePool", name, []string{x.name}, ""), 4}
	case arch.Add:
		s := x.name
		for k := 1; k < len(l.In); k++ {
			s = g.emit("Add", name, []string{s, g.input(i, k, in).name}, "")
		}
		y = tensor{s, 4}
	case arch.Concat:
		names := []string{x.name}
		for k := 1; k < len(l.In); k++ {
			names = append(names, g.input(i, k, in).name)
		}
		y = tensor{g.emit("Concat", name, names, "", intAttr("axis", 1)), 4}
	default:
		return fmt.Errorf("op %s has no ONNX form here", l.Op)
	}
	if l.BN {
		var err error
		if y.name, err = g.batchNorm(i, name, y.name); err != nil {
			return err
		}
	}
	if l.Act == arch.ReLU {
		y.name = g.emit("Relu", name, []string{y.name}, "")
	}
	g.out[i] = y
	return nil
}

// windowAttrs are the kernel, strides and pads of a conv or pool l: Pad
// before, Pad+PadAfter after (ONNX pads are begin-H, begin-W, end-H, end-W).
func windowAttrs(l *arch.Layer) []msg {
	k, s, p, e := int64(l.Kernel), int64(max(l.Stride, 1)), int64(l.Pad), int64(l.Pad+l.PadAfter)
	return []msg{intsAttr("kernel_shape", k, k), intsAttr("strides", s, s), intsAttr("pads", p, p, e, e)}
}

// conv emits layer i, a convolution, with its weights reordered from the
// engine's [g][ky][kx][cin/g][cout/g] to ONNX's [cout][cin/g][ky][kx].
func (g *graph) conv(i int, name string, x tensor) string {
	l := &g.net.Layers[i]
	lw := &g.w.Layers[i]
	grp := max(l.Groups, 1)
	cin := g.net.InShape(i).C / grp
	cout := l.Out / grp
	k := l.Kernel
	w := make([]float32, len(lw.W))
	for gi := range grp {
		for ky := range k {
			for kx := range k {
				for ci := range cin {
					for co := range cout {
						src := (((gi*k+ky)*k+kx)*cin+ci)*cout + co
						dst := (((gi*cout+co)*cin+ci)*k+ky)*k + kx
						w[dst] = lw.W[src]
					}
				}
			}
		}
	}
	wn := g.init(name+"_W", []int64{int64(l.Out), int64(cin), int64(k), int64(k)}, w)
	bn := g.init(name+"_B", []int64{int64(l.Out)}, lw.B)
	attrs := append(windowAttrs(l), intAttr("group", int64(grp)))
	return g.emit("Conv", name, []string{x.name, wn, bn}, "", attrs...)
}

// dense emits layer i as Flatten and Gemm, with the weight rows reordered
// from the engine's H, W, C flattening to ONNX's C, H, W.
func (g *graph) dense(i int, name string, x tensor) string {
	l := &g.net.Layers[i]
	lw := &g.w.Layers[i]
	s := g.net.InShape(i)
	w := make([]float32, len(lw.W))
	for h := range s.H {
		for c := range s.W {
			for ch := range s.C {
				src := ((h*s.W + c) * s.C) + ch
				dst := (ch*s.H+h)*s.W + c
				copy(w[dst*l.Out:(dst+1)*l.Out], lw.W[src*l.Out:(src+1)*l.Out])
			}
		}
	}
	f := g.emit("Flatten", name, []string{x.name}, "", intAttr("axis", 1))
	wn := g.init(name+"_W", []int64{s.Size(), int64(l.Out)}, w)
	bn := g.init(name+"_B", []int64{int64(l.Out)}, lw.B)
	return g.emit("Gemm", name, []string{f, wn, bn}, "")
}

// batchNorm emits layer i's batch normalisation with its running statistics.
func (g *graph) batchNorm(i int, name, x string) (string, error) {
	lw := &g.w.Layers[i]
	c := int64(g.net.Layers[i].Shape.C)
	for _, v := range [][]float32{lw.Gamma, lw.Beta, lw.Mean, lw.Var} {
		if int64(len(v)) != c {
			return "", fmt.Errorf("batch normalisation has %d values per tensor, want %d", len(v), c)
		}
	}
	in := []string{x, g.init(name+"_bn_scale", []int64{c}, lw.Gamma), g.init(name+"_bn_bias", []int64{c}, lw.Beta),
		g.init(name+"_bn_mean", []int64{c}, lw.Mean), g.init(name+"_bn_var", []int64{c}, lw.Var)}
	return g.emit("BatchNormalization", name+"_bn", in, "", floatAttr("epsilon", nn.BNEps)), nil
}

// model wraps the graph into a ModelProto.
func (g *graph) model(o Options) []byte {
	name := o.Name
	if name == "" {
		name = "hwnas"
	}
	gr := msg(nil)
	for _, n := range g.nodes {
		gr = gr.sub(graphNode, n)
	}
	gr = gr.str(graphName, name)
	for _, t := range g.inits {
		gr = gr.sub(graphInit, t)
	}
	in := g.net.Input
	gr = gr.sub(graphInput, valueInfo("input", -1, int64(in.C), int64(in.H), int64(in.W)))
	gr = gr.sub(graphOutput, valueInfo("logits", -1, int64(g.net.Classes)))
	m := msg(nil).varint(modelIRVersion, irVersion).str(modelProducer, "hwnas").str(modelProducerVer, "1")
	if o.Doc != "" {
		m = m.str(modelDoc, o.Doc)
	}
	m = m.sub(modelGraph, gr)
	return m.sub(modelOpset, msg(nil).str(opsetDomain, "").varint(opsetVersion, opsetVersionNum))
}
