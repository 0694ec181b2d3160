package arch

import "fmt"

// LayerError reports a layer whose shape cannot be computed.
type LayerError struct {
	Index int    // position of the layer in Network.Layers
	Layer string // the layer's name, or its op when unnamed
	Msg   string
}

func (e *LayerError) Error() string {
	return fmt.Sprintf("layer %d (%s): %s", e.Index, e.Layer, e.Msg)
}

// Append adds a layer reading from in (Input for the network input) and returns
// its index. Shapes are computed later by Infer.
func (n *Network) Append(l Layer, in ...int) int {
	if len(in) > 0 {
		l.In = in
	}
	n.Layers = append(n.Layers, l)
	return len(n.Layers) - 1
}

// Infer computes every layer's output shape in order and checks the network:
// connections point backwards, hyper-parameters are positive, kernels fit
// their inputs, groups divide channels, added shapes agree, and the last layer
// produces Classes outputs when Classes is set.
func (n *Network) Infer() error {
	if n.Input.H <= 0 || n.Input.W <= 0 || n.Input.C <= 0 {
		return fmt.Errorf("network input %s: every dimension must be positive", n.Input)
	}
	if len(n.Layers) == 0 {
		return fmt.Errorf("network has no layers")
	}
	for i := range n.Layers {
		s, msg := n.inferLayer(i)
		if msg != "" {
			name := n.Layers[i].Name
			if name == "" {
				name = n.Layers[i].Op.String()
			}
			return &LayerError{Index: i, Layer: name, Msg: msg}
		}
		n.Layers[i].Shape = s
	}
	if n.Classes > 0 {
		if out := n.Output(); out.H != 1 || out.W != 1 || out.C != n.Classes {
			return &LayerError{Index: len(n.Layers) - 1, Layer: n.Layers[len(n.Layers)-1].Op.String(),
				Msg: fmt.Sprintf("network output is %s, want 1x1x%d for %d classes", out, n.Classes, n.Classes)}
		}
	}
	return nil
}

// window computes the output extent of a sliding window over in elements
// padded with p before and p+pa after, or 0 when it does not fit.
func window(in, k, s, p, pa int) int {
	if in+2*p+pa < k {
		return 0
	}
	return (in+2*p+pa-k)/s + 1
}

// padAfterText describes extra padding after for an error message.
func padAfterText(pa int) string {
	if pa == 0 {
		return ""
	}
	return fmt.Sprintf(" (+%d after)", pa)
}

// inferLayer returns the output shape of layer i, whose inputs have their
// shapes, or a message saying why it has none.
func (n *Network) inferLayer(i int) (Shape, string) {
	l := &n.Layers[i]
	if msg := n.checkInputs(i); msg != "" {
		return Shape{}, msg
	}
	in := n.InShape(i)
	switch l.Op {
	case Conv, MaxPool, AvgPool:
		return windowShape(l, in)
	case GlobalAvgPool:
		return Shape{1, 1, in.C}, ""
	case Dense:
		if l.Out < 1 {
			return Shape{}, fmt.Sprintf("dense needs at least 1 unit, has %d", l.Out)
		}
		return Shape{1, 1, l.Out}, ""
	case Add:
		for k, s := range n.InShapes(i) {
			if s != in {
				return Shape{}, fmt.Sprintf("cannot add %s (input %d) to %s (input 0)", s, k, in)
			}
		}
		return in, ""
	case Concat:
		out := Shape{in.H, in.W, 0}
		for k, s := range n.InShapes(i) {
			if s.H != in.H || s.W != in.W {
				return Shape{}, fmt.Sprintf("cannot concatenate %s (input %d) with %s (input 0): maps differ", s, k, in)
			}
			out.C += s.C
		}
		return out, ""
	}
	return Shape{}, fmt.Sprintf("unknown op %s", l.Op)
}

// checkInputs checks layer i's connections: it reads earlier layers, two or
// more for an add or concat and exactly one otherwise.
func (n *Network) checkInputs(i int) string {
	l := &n.Layers[i]
	if len(l.In) == 0 {
		return "reads no input"
	}
	for _, j := range l.In {
		if j < Input || j >= i {
			return fmt.Sprintf("input %d is not an earlier layer", j)
		}
	}
	switch l.Op {
	case Add, Concat:
		if len(l.In) < 2 {
			return fmt.Sprintf("%s needs at least two inputs, has %d", l.Op, len(l.In))
		}
	default:
		if len(l.In) != 1 {
			return fmt.Sprintf("%s takes one input, has %d", l.Op, len(l.In))
		}
	}
	return ""
}

// windowShape is the output shape of a conv or pool l sliding over in.
func windowShape(l *Layer, in Shape) (Shape, string) {
	if l.Kernel < 1 || l.Stride < 1 || l.Pad < 0 {
		return Shape{}, fmt.Sprintf("kernel %d, stride %d, padding %d: kernel and stride must be at least 1, padding at least 0", l.Kernel, l.Stride, l.Pad)
	}
	if l.PadAfter < 0 {
		return Shape{}, fmt.Sprintf("extra padding after %d: must be at least 0", l.PadAfter)
	}
	h, w := window(in.H, l.Kernel, l.Stride, l.Pad, l.PadAfter), window(in.W, l.Kernel, l.Stride, l.Pad, l.PadAfter)
	if h == 0 || w == 0 {
		return Shape{}, fmt.Sprintf("kernel %d does not fit input %s with padding %d%s", l.Kernel, in, l.Pad, padAfterText(l.PadAfter))
	}
	if l.Op != Conv {
		return Shape{h, w, in.C}, ""
	}
	if l.Out < 1 {
		return Shape{}, fmt.Sprintf("conv needs at least 1 output channel, has %d", l.Out)
	}
	if g := max(l.Groups, 1); in.C%g != 0 || l.Out%g != 0 {
		return Shape{}, fmt.Sprintf("groups %d must divide input channels %d and output channels %d", g, in.C, l.Out)
	}
	return Shape{h, w, l.Out}, ""
}
