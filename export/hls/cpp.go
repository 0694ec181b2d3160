package hls

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/fpga"
)

// engine is one conv engine of the design: its template arguments.
type engine struct {
	id, tm, tn, tr, tc, k, s int
}

// source is the generated C++ of one design.
type source struct {
	q       *QNet
	d       fpga.Design
	engines []engine
	layerE  []int // engine of each conv/dense layer, -1 for others
	offset  []int // each layer's output in mem
	memSize int
	wOff    []int // each layer's weights in hwnas_weights
	bOff    []int
}

// device returns the device (stage) that runs layer i.
func device(d fpga.Design, i int) int {
	for s, st := range d.Stages {
		if i >= st.First && i <= st.Last {
			return s
		}
	}
	return 0
}

// tiling returns layer i's tiling, clamped to its loop bounds.
func tiling(q *QNet, d fpga.Design, i int) (tm, tn, tr, tc int) {
	t := d.Tilings[0]
	if len(d.Tilings) > 1 {
		t = d.Tilings[i]
	}
	l := &q.Net.Layers[i]
	g := max(l.Groups, 1)
	m, n := l.Out/g, q.Net.InShape(i).C/g
	r, c := l.Shape.H, l.Shape.W
	if l.Op == arch.Dense {
		n = int(q.Net.InShape(i).Size())
	}
	return max(min(t.Tm, m), 1), max(min(t.Tn, n), 1), max(min(t.Tr, r), 1), max(min(t.Tc, c), 1)
}

// plan assigns conv and dense layers to engines (one for a shared design,
// one per layer for a pipeline, one per device for a multi-FPGA design),
// sizes each engine for the largest of its layers, and places every layer's
// output and weights.
func plan(q *QNet, d fpga.Design) (*source, error) {
	if len(d.Tilings) != 1 && len(d.Tilings) != len(q.Net.Layers) {
		return nil, fmt.Errorf("hls: design has %d tilings for %d layers", len(d.Tilings), len(q.Net.Layers))
	}
	s := &source{q: q, d: d, layerE: make([]int, len(q.Net.Layers)), offset: make([]int, len(q.Net.Layers)),
		wOff: make([]int, len(q.Net.Layers)), bOff: make([]int, len(q.Net.Layers))}
	byKey := map[int]int{}
	var w, b int
	for i := range q.Net.Layers {
		l := &q.Net.Layers[i]
		s.offset[i] = s.memSize
		s.memSize += int(l.Shape.Size())
		s.layerE[i] = -1
		if l.Op != arch.Conv && l.Op != arch.Dense {
			continue
		}
		s.wOff[i], s.bOff[i] = w, b
		w, b = w+len(q.Layers[i].W), b+len(q.Layers[i].B)
		key := 0
		switch d.Mode {
		case fpga.Pipeline:
			key = i
		case fpga.Multi:
			key = device(d, i)
		}
		e, ok := byKey[key]
		if !ok {
			e = len(s.engines)
			byKey[key] = e
			s.engines = append(s.engines, engine{id: e, k: 1, s: 1})
		}
		s.layerE[i] = e
		tm, tn, tr, tc := tiling(q, d, i)
		en := &s.engines[e]
		en.tm, en.tn, en.tr, en.tc = max(en.tm, tm), max(en.tn, tn), max(en.tr, tr), max(en.tc, tc)
		en.k, en.s = max(en.k, l.Kernel), max(en.s, l.Stride)
	}
	return s, nil
}

// config is hwnas_config.h: the fixed-point types and the engines' tilings.
func (s *source) config() string {
	var b strings.Builder
	bits := s.q.Bits
	fmt.Fprintf(&b, "// hwnas_config.h: written by `hwnas export --hls`. Precision %s: %d-bit fixed point.\n", s.d.Precision, bits)
	b.WriteString("#ifndef HWNAS_CONFIG_H\n#define HWNAS_CONFIG_H\n#include <cstdint>\n\n")
	fmt.Fprintf(&b, "typedef int%d_t data_t; // activations: v * 2^-F, F per tensor (hwnas_net.cpp)\n", bits)
	fmt.Fprintf(&b, "typedef int%d_t wgt_t;  // weights: v * 2^-Fw, Fw per layer\n", bits)
	b.WriteString("typedef int64_t acc_t;   // exact sums of products\n")
	fmt.Fprintf(&b, "#define DATA_MAX %d\n#define DATA_MIN (-%d - 1)\n\n", 1<<(bits-1)-1, 1<<(bits-1)-1)
	for _, e := range s.engines {
		fmt.Fprintf(&b, "// engine %d: <Tm,Tn,Tr,Tc> = <%d,%d,%d,%d>, kernels up to %d, strides up to %d\n", e.id, e.tm, e.tn, e.tr, e.tc, e.k, e.s)
		for _, kv := range [][2]any{{"TM", e.tm}, {"TN", e.tn}, {"TR", e.tr}, {"TC", e.tc}, {"KMAX", e.k}, {"SMAX", e.s}} {
			fmt.Fprintf(&b, "#define E%d_%s %d\n", e.id, kv[0], kv[1])
		}
	}
	b.WriteString("#endif\n")
	return b.String()
}

// header is hwnas_net.h: sizes and the functions the testbench calls.
func (s *source) header() string {
	last := len(s.q.Net.Layers) - 1
	var b strings.Builder
	b.WriteString("// hwnas_net.h: written by `hwnas export --hls`.\n#ifndef HWNAS_NET_H\n#define HWNAS_NET_H\n#include \"hwnas_config.h\"\n\n")
	fmt.Fprintf(&b, "#define HWNAS_IN_SIZE %d\n#define HWNAS_CLASSES %d\n#define HWNAS_MEM_SIZE %d\n#define HWNAS_OUT_OFFSET %d\n#define HWNAS_DEVICES %d\n\n",
		s.q.Net.Input.Size(), s.q.Net.Classes, s.memSize, s.offset[last], s.devices())
	for dev := range s.devices() {
		fmt.Fprintf(&b, "void hwnas_dev%d(const data_t *image, const wgt_t *weights, const acc_t *biases, data_t *mem);\n", dev)
	}
	b.WriteString("// hwnas_run runs the devices in order (the host's schedule; no link code).\n")
	b.WriteString("void hwnas_run(const data_t *image, const wgt_t *weights, const acc_t *biases, data_t *mem);\n#endif\n")
	return b.String()
}

func (s *source) devices() int { return max(len(s.d.Stages), 1) }

// net is hwnas_net.cpp: one top function per device running its layers.
func (s *source) net() string {
	var b strings.Builder
	b.WriteString("// hwnas_net.cpp: the layer schedule, written by `hwnas export --hls`.\n")
	b.WriteString("#include \"hwnas_engine.h\"\n#include \"hwnas_net.h\"\n\n")
	for dev := range s.devices() {
		first, last := 0, len(s.q.Net.Layers)-1
		if len(s.d.Stages) > 0 {
			first, last = s.d.Stages[dev].First, s.d.Stages[dev].Last
		}
		fmt.Fprintf(&b, "// Device %d: layers %d to %d.\n", dev, first, last)
		fmt.Fprintf(&b, "void hwnas_dev%d(const data_t *image, const wgt_t *weights, const acc_t *biases, data_t *mem) {\n", dev)
		for _, p := range []string{"image", "weights", "biases", "mem"} {
			fmt.Fprintf(&b, "#pragma HLS INTERFACE m_axi port=%s offset=slave bundle=gmem_%s depth=%d\n", p, p, s.depth(p))
		}
		b.WriteString("#pragma HLS INTERFACE s_axilite port=return\n")
		if n := s.maxVec(first, last); n > 0 {
			fmt.Fprintf(&b, "  static acc_t acc[%d]; // add and concat accumulators\n", n)
		}
		for i := first; i <= last; i++ {
			s.layer(&b, i)
		}
		b.WriteString("}\n\n")
	}
	b.WriteString("void hwnas_run(const data_t *image, const wgt_t *weights, const acc_t *biases, data_t *mem) {\n")
	for dev := range s.devices() {
		fmt.Fprintf(&b, "  hwnas_dev%d(image, weights, biases, mem);\n", dev)
	}
	b.WriteString("}\n")
	return b.String()
}

// depth is the element count of an m_axi port, for co-simulation.
func (s *source) depth(port string) int {
	switch port {
	case "image":
		return int(s.q.Net.Input.Size())
	case "weights":
		return max(s.count(func(l *QLayer) int { return len(l.W) }), 1)
	case "biases":
		return max(s.count(func(l *QLayer) int { return len(l.B) }), 1)
	}
	return s.memSize
}

func (s *source) count(f func(*QLayer) int) int {
	n := 0
	for i := range s.q.Layers {
		n += f(&s.q.Layers[i])
	}
	return n
}

// maxVec is the largest add or concat output of layers first to last, the
// size of their accumulator; 0 when there is none.
func (s *source) maxVec(first, last int) int {
	n := 0
	for _, l := range s.q.Net.Layers[first : last+1] {
		if l.Op == arch.Add || l.Op == arch.Concat {
			n = max(n, int(l.Shape.Size()))
		}
	}
	return n
}

// src is the C++ expression for input k of layer i.
func (s *source) src(i, k int) string {
	if j := s.q.Net.Layers[i].In[k]; j != arch.Input {
		return "mem + " + strconv.Itoa(s.offset[j])
	}
	return "image"
}

// layer writes the call that runs layer i.
func (s *source) layer(b *strings.Builder, i int) {
	l := &s.q.Net.Layers[i]
	ql := &s.q.Layers[i]
	in := s.q.Net.InShape(i)
	relu := 0
	if l.Act == arch.ReLU {
		relu = 1
	}
	shift := ql.FAcc - ql.F
	fmt.Fprintf(b, "  // layer %d: %s %s -> %s, output fraction bits %d\n", i, l.Op, in, l.Shape, ql.F)
	out := fmt.Sprintf("mem + %d", s.offset[i])
	switch l.Op {
	case arch.Conv, arch.Dense:
		e := s.engines[s.layerE[i]]
		_, _, tr, tc := tiling(s.q, s.d, i)
		n, h, w, k, st, pad, g := in.C, in.H, in.W, l.Kernel, l.Stride, l.Pad, max(l.Groups, 1)
		if l.Op == arch.Dense {
			n, h, w, k, st, pad, g = int(in.Size()), 1, 1, 1, 1, 0, 1
		}
		fmt.Fprintf(b, "  { static const ConvLayer L = {%d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d};\n",
			n, l.Out, h, w, l.Shape.H, l.Shape.W, k, st, pad, g, shift, relu, tr, tc)
		fmt.Fprintf(b, "    conv_engine<%d, E%[1]d_TM, E%[1]d_TN, E%[1]d_TR, E%[1]d_TC, E%[1]d_KMAX, E%[1]d_SMAX>(%s, weights + %d, biases + %d, %s, L); }\n",
			e.id, s.src(i, 0), s.wOff[i], s.bOff[i], out)
	case arch.MaxPool, arch.AvgPool, arch.GlobalAvgPool:
		k, st, pad := l.Kernel, max(l.Stride, 1), l.Pad
		if l.Op == arch.GlobalAvgPool {
			k, st, pad = max(in.H, in.W), 1, 0
		}
		fmt.Fprintf(b, "  { static const VecLayer L = {%d, %d, %d, %d, %d, %d, %d, %d, 0, %d};\n", in.C, in.H, in.W, l.Shape.H, l.Shape.W, k, st, pad, relu)
		isMax := 0
		if l.Op == arch.MaxPool {
			isMax = 1
		}
		fmt.Fprintf(b, "    pool_layer<%d>(%s, %s, L, %d); }\n", max(s.lanes(i), 1), s.src(i, 0), out, isMax)
	default: // add, concat
		off := 0
		for k := range l.In {
			n := int(s.q.Net.InShapes(i)[k].Size())
			lsh := ql.FAcc - s.q.inF(i, k)
			if l.Op == arch.Add {
				fmt.Fprintf(b, "  merge_input(%s, acc, %d, %d, %d);\n", s.src(i, k), n, lsh, min(k, 1))
				continue
			}
			fmt.Fprintf(b, "  merge_input(%s, acc + %d, %d, %d, 0);\n", s.src(i, k), off, n, lsh)
			off += n
		}
		fmt.Fprintf(b, "  finish_all(acc, %s, %d, %d, %d);\n", out, l.Shape.Size(), shift, relu)
	}
}

// lanes is the Tm of a pool layer's tiling: its vector lanes in the model.
func (s *source) lanes(i int) int {
	t := s.d.Tilings[0]
	if len(s.d.Tilings) > 1 {
		t = s.d.Tilings[i]
	}
	return t.Tm
}

// weights is hwnas_weights.h: every conv and dense layer's quantised
// weights and biases, in layer order.
func (s *source) weights() string {
	var b strings.Builder
	b.WriteString("// hwnas_weights.h: quantised weights (batch normalisation folded in), written by `hwnas export --hls`.\n")
	b.WriteString("#ifndef HWNAS_WEIGHTS_H\n#define HWNAS_WEIGHTS_H\n#include \"hwnas_config.h\"\n\n")
	fmt.Fprintf(&b, "static const wgt_t hwnas_weights[%d] = {\n", max(s.depth("weights"), 1))
	for i, ql := range s.q.Layers {
		if ql.W != nil {
			fmt.Fprintf(&b, "// layer %d at %d: fraction bits %d\n", i, s.wOff[i], ql.FW)
			writeInts(&b, ql.W, "")
		}
	}
	fmt.Fprintf(&b, "};\n\nstatic const acc_t hwnas_biases[%d] = {\n", max(s.depth("biases"), 1))
	for i, ql := range s.q.Layers {
		if ql.B != nil {
			fmt.Fprintf(&b, "// layer %d at %d: fraction bits %d\n", i, s.bOff[i], s.q.inF(i, 0)+ql.FW)
			writeInts(&b, ql.B, "LL")
		}
	}
	b.WriteString("};\n#endif\n")
	return b.String()
}

// writeInts writes vs as C initialisers, sixteen a line.
func writeInts(b *strings.Builder, vs []int64, suffix string) {
	for i, v := range vs {
		b.WriteString(strconv.FormatInt(v, 10))
		b.WriteString(suffix)
		b.WriteByte(',')
		if i%16 == 15 || i == len(vs)-1 {
			b.WriteByte('\n')
		}
	}
}

// testData is testbench_data.h: the quantised test images, their labels and
// the outputs QNet.Forward gives for them.
func testData(images, expected [][]int64, labels []uint8) string {
	var b strings.Builder
	b.WriteString("// testbench_data.h: test images and hwnas's quantised outputs, written by `hwnas export --hls`.\n")
	b.WriteString("#ifndef TESTBENCH_DATA_H\n#define TESTBENCH_DATA_H\n#include \"hwnas_config.h\"\n\n")
	fmt.Fprintf(&b, "#define TB_IMAGES %d\n\nstatic const data_t tb_images[] = {\n", len(images))
	for _, im := range images {
		writeInts(&b, im, "")
	}
	b.WriteString("};\n\nstatic const data_t tb_expected[] = {\n")
	for _, e := range expected {
		writeInts(&b, e, "")
	}
	b.WriteString("};\n\nstatic const int tb_labels[] = {")
	for i, l := range labels {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(int(l)))
	}
	b.WriteString("};\n#endif\n")
	return b.String()
}
