package arch

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// Op is the kind of a layer.
type Op uint8

// The layer kinds of the IR.
const (
	Conv          Op = iota + 1 // 2-D convolution; Groups == input channels makes it depthwise
	MaxPool                     // max pooling over Kernel×Kernel windows
	AvgPool                     // average pooling over Kernel×Kernel windows
	GlobalAvgPool               // average over the whole map: H×W×C → 1×1×C
	Dense                       // fully connected; a spatial input is flattened first
	Add                         // element-wise sum of two or more equal shapes (residual)
	Concat                      // channel concatenation of inputs with equal H and W
)

var opNames = [...]string{Conv: "conv", MaxPool: "maxpool", AvgPool: "avgpool",
	GlobalAvgPool: "gap", Dense: "dense", Add: "add", Concat: "concat"}

func (o Op) String() string {
	if int(o) < len(opNames) && opNames[o] != "" {
		return opNames[o]
	}
	return "op(" + strconv.Itoa(int(o)) + ")"
}

// ParseOp returns the Op named s, as printed by Op.String.
func ParseOp(s string) (Op, bool) {
	for i, n := range opNames {
		if n != "" && n == s {
			return Op(i), true
		}
	}
	return 0, false
}

// Activation is the element-wise function applied to a layer's output.
type Activation uint8

// The activations a layer can carry.
const (
	Linear Activation = iota // no activation
	ReLU
)

func (a Activation) String() string {
	if a == ReLU {
		return "relu"
	}
	return "linear"
}

// Input is the index a layer uses in In to read the network's input.
const Input = -1

// Shape is the size of an activation map: height, width and channels.
type Shape struct{ H, W, C int }

// Size is the number of elements of the map.
func (s Shape) Size() int64 { return int64(s.H) * int64(s.W) * int64(s.C) }

func (s Shape) String() string { return fmt.Sprintf("%dx%dx%d", s.H, s.W, s.C) }

// Layer is one node of a network.
//
// Kernel, Stride and Pad apply to Conv and the pools; Groups to Conv (0 is
// read as 1); Out is the output channels of a Conv and the units of a Dense.
// Pad zeros go on every side; PadAfter adds that many more at the bottom and
// right only, which 'same' padding of an even kernel needs (Keras/TensorFlow
// put the odd extra row and column after: kernel 14 pads 6 before, 7 after).
// Shape is the inferred output shape, filled by Network.Infer.
type Layer struct {
	Name     string // free text for people; ignored by Key
	Op       Op
	In       []int // indices of earlier layers, or Input
	Kernel   int
	Stride   int
	Pad      int
	PadAfter int // extra padding at the bottom and right beyond Pad
	Groups   int
	Out      int
	Act      Activation
	BN       bool // batch normalisation after the op (before the activation)
	Shape    Shape
}

// Depthwise reports whether the layer is a depthwise convolution.
func (l *Layer) Depthwise() bool { return l.Op == Conv && l.Groups > 1 && l.Groups == l.Out }

// Network is a DAG of layers in topological order. The last layer is the output.
type Network struct {
	Input   Shape
	Layers  []Layer
	Classes int // number of output classes; the last layer must produce them
}

// InShapes returns the shapes that layer i reads, in the order of its In list.
func (n *Network) InShapes(i int) []Shape {
	l := &n.Layers[i]
	out := make([]Shape, len(l.In))
	for k, j := range l.In {
		if j == Input {
			out[k] = n.Input
		} else {
			out[k] = n.Layers[j].Shape
		}
	}
	return out
}

// InShape returns the shape of layer i's first input.
func (n *Network) InShape(i int) Shape {
	j := n.Layers[i].In[0]
	if j == Input {
		return n.Input
	}
	return n.Layers[j].Shape
}

// LayerMACs returns the multiply-accumulates of layer i for one image.
// Pools and adds perform no multiplications and count 0.
func (n *Network) LayerMACs(i int) int64 {
	l := &n.Layers[i]
	switch l.Op {
	case Conv:
		in := n.InShape(i)
		g := max(l.Groups, 1)
		return l.Shape.Size() * int64(in.C/g) * int64(l.Kernel) * int64(l.Kernel)
	case Dense:
		return n.InShape(i).Size() * int64(l.Out)
	}
	return 0
}

// LayerParams returns the parameters of layer i: weights, biases and, for a
// layer with batch normalisation, four per channel (scale, shift, running mean
// and variance), the way Keras counts "total params".
func (n *Network) LayerParams(i int) int64 {
	l := &n.Layers[i]
	var p int64
	switch l.Op {
	case Conv:
		in := n.InShape(i)
		g := max(l.Groups, 1)
		p = int64(l.Kernel)*int64(l.Kernel)*int64(in.C/g)*int64(l.Out) + int64(l.Out)
	case Dense:
		p = n.InShape(i).Size()*int64(l.Out) + int64(l.Out)
	}
	if l.BN {
		p += 4 * int64(l.Shape.C)
	}
	return p
}

// MACs returns the multiply-accumulates of one forward pass of one image.
func (n *Network) MACs() int64 {
	var s int64
	for i := range n.Layers {
		s += n.LayerMACs(i)
	}
	return s
}

// Params returns the number of parameters (see LayerParams).
func (n *Network) Params() int64 {
	var s int64
	for i := range n.Layers {
		s += n.LayerParams(i)
	}
	return s
}

// Activations returns the number of activation elements the network produces
// for one image: the input plus every layer's output.
func (n *Network) Activations() int64 {
	s := n.Input.Size()
	for i := range n.Layers {
		s += n.Layers[i].Shape.Size()
	}
	return s
}

// Output returns the shape of the last layer.
func (n *Network) Output() Shape {
	if len(n.Layers) == 0 {
		return n.Input
	}
	return n.Layers[len(n.Layers)-1].Shape
}

// Key returns a canonical hash of the network: its input, classes, and every
// layer's op, connections and hyper-parameters. Names are ignored, so two
// networks that compute the same function with the same layers share a key.
func (n *Network) Key() string {
	h := sha256.New()
	h.Write([]byte(n.Canonical()))
	return hex.EncodeToString(h.Sum(nil))[:24]
}

// Canonical returns the text that Key hashes: one line per layer. PadAfter
// is written only when non-zero, so networks without it keep their keys.
func (n *Network) Canonical() string {
	var b strings.Builder
	fmt.Fprintf(&b, "input %s classes %d\n", n.Input, n.Classes)
	for i := range n.Layers {
		l := &n.Layers[i]
		fmt.Fprintf(&b, "%s in=%v k=%d s=%d p=%d", l.Op, l.In, l.Kernel, l.Stride, l.Pad)
		if l.PadAfter != 0 {
			fmt.Fprintf(&b, " pa=%d", l.PadAfter)
		}
		fmt.Fprintf(&b, " g=%d out=%d act=%s bn=%t\n", max(l.Groups, 1), l.Out, l.Act, l.BN)
	}
	return b.String()
}

// Summary returns a one-line description such as "4 layers, 1.2M MACs, 35k params".
func (n *Network) Summary() string {
	return fmt.Sprintf("%d layers, %s MACs, %s params", len(n.Layers), Human(n.MACs()), Human(n.Params()))
}

// Human formats a count with a k, M or G suffix.
func Human(v int64) string {
	f := float64(v)
	switch {
	case f >= 1e9:
		return strconv.FormatFloat(f/1e9, 'f', 2, 64) + "G"
	case f >= 1e6:
		return strconv.FormatFloat(f/1e6, 'f', 2, 64) + "M"
	case f >= 1e3:
		return strconv.FormatFloat(f/1e3, 'f', 1, 64) + "k"
	}
	return strconv.FormatInt(v, 10)
}
