package nb201

import (
	"fmt"

	"github.com/hwnas/hwnas/arch"
)

// The macro skeleton for CIFAR-10 (NAS-Bench-201, Dong & Yang ICLR 2020,
// `TinyNetwork`): stem, three stages of five cells at 16, 32 and 64 channels
// joined by two residual reduction blocks, then BN-ReLU, global average pool
// and a 10-way classifier.
const (
	StemChannels  = 16
	CellsPerStage = 5
	Classes       = 10
)

// Input is the CIFAR-10 image shape.
var Input = arch.Shape{H: 32, W: 32, C: 3}

// Network builds the CIFAR-10 network of a cell string.
//
// Mapping onto the IR, where BN and the activation are attributes applied
// after a layer's op (op → BN → act):
//   - nor_conv_k (ReLU-Conv-BN) becomes Conv k×k, stride 1, BN, ReLU: the ReLU
//     moves from the input side of the conv to its output side (a
//     post-activation variant). Shapes, MACs and activation sizes are
//     identical; the IR counts a conv bias NAS-Bench-201 does not have
//     (+C params per conv).
//   - skip_connect is no layer: the node reads its source directly.
//   - avg_pool_3x3 is AvgPool 3×3, stride 1, padding 1.
//   - a node with two or more live incoming edges is an Add layer; with one,
//     it is that edge's output.
//   - the reduction block (ResNet basic block) is Conv3×3/2 BN ReLU →
//     Conv3×3 BN ReLU, plus a shortcut AvgPool 2×2/2 → Conv1×1 (no BN), summed.
//   - the final BN-ReLU is an AvgPool 1×1/1 (the identity) carrying BN and
//     ReLU, named "lastact", followed by GlobalAvgPool and Dense 10.
//
// Edges that cannot affect the cell output are left out: an edge from a node
// no path of non-none edges reaches from the input (it carries zeros), and an
// edge into a node from which the output cannot be reached (its value is
// thrown away). HW-NAS-Bench's latency counts every non-none op, so those
// columns can exceed what this network computes.
//
// A dead cell, whose output no path of non-none edges reaches from its input
// (see Reachable), outputs zeros in NAS-Bench-201, so the network's
// prediction ignores the image (the table shows chance accuracy, ≈10%). No IR
// layer produces a constant, so such a cell is built as the identity: the
// network is the bare skeleton. Evaluators that train networks should treat
// !Reachable cells as chance rather than train the skeleton.
func Network(cell string) (*arch.Network, error) {
	g, err := ParseCell(cell)
	if err != nil {
		return nil, err
	}
	return build(g)
}

// NetworkOf builds the network of a genome; see Network.
func NetworkOf(g []int) (*arch.Network, error) {
	if err := CheckGenome(g); err != nil {
		return nil, err
	}
	return build(g)
}

func build(g []int) (*arch.Network, error) {
	n := &arch.Network{Input: Input, Classes: Classes}
	x := n.Append(arch.Layer{Name: "stem", Op: arch.Conv, Kernel: 3, Stride: 1, Pad: 1, Out: StemChannels, BN: true}, arch.Input)
	c := StemChannels
	for stage := range 3 {
		if stage > 0 {
			x = reduction(n, x, stage, 2*c)
			c *= 2
		}
		for k := range CellsPerStage {
			x = appendCell(n, x, g, c, fmt.Sprintf("s%d.c%d", stage, k))
		}
	}
	x = n.Append(arch.Layer{Name: "lastact", Op: arch.AvgPool, Kernel: 1, Stride: 1, BN: true, Act: arch.ReLU}, x)
	x = n.Append(arch.Layer{Name: "gap", Op: arch.GlobalAvgPool}, x)
	n.Append(arch.Layer{Name: "classifier", Op: arch.Dense, Out: Classes}, x)
	if err := n.Infer(); err != nil {
		return nil, fmt.Errorf("nb201 network: %w", err)
	}
	return n, nil
}

func reduction(n *arch.Network, x, stage, c int) int {
	p := fmt.Sprintf("r%d.", stage)
	a := n.Append(arch.Layer{Name: p + "conv_a", Op: arch.Conv, Kernel: 3, Stride: 2, Pad: 1, Out: c, BN: true, Act: arch.ReLU}, x)
	b := n.Append(arch.Layer{Name: p + "conv_b", Op: arch.Conv, Kernel: 3, Stride: 1, Pad: 1, Out: c, BN: true, Act: arch.ReLU}, a)
	s := n.Append(arch.Layer{Name: p + "short_pool", Op: arch.AvgPool, Kernel: 2, Stride: 2}, x)
	s = n.Append(arch.Layer{Name: p + "short_conv", Op: arch.Conv, Kernel: 1, Stride: 1, Out: c}, s)
	return n.Append(arch.Layer{Name: p + "add", Op: arch.Add}, s, b)
}

// live returns, per edge, whether it can affect the cell output, and whether
// the output is reachable at all.
func live(g []int) (edges [NumEdges]bool, reachable bool) {
	var fromIn, toOut [4]bool
	fromIn[0] = true
	for i, e := range Edges { // edges are sorted by To
		if g[i] != OpNone && fromIn[e.From] {
			fromIn[e.To] = true
		}
	}
	toOut[3] = true
	for i := NumEdges - 1; i >= 0; i-- { // and reverse order is sorted by From descending
		if e := Edges[i]; g[i] != OpNone && toOut[e.To] {
			toOut[e.From] = true
		}
	}
	for i, e := range Edges {
		edges[i] = g[i] != OpNone && fromIn[e.From] && toOut[e.To]
	}
	return edges, fromIn[3]
}

// FullyLive reports whether every non-none edge of a valid genome is in its
// network (none is left out as dead): the cells whose network computes every
// op HW-NAS-Bench's latencies count. It is false for an invalid genome.
func FullyLive(g []int) bool {
	if CheckGenome(g) != nil {
		return false
	}
	edges, _ := live(g)
	for i, op := range g {
		if op != OpNone && !edges[i] {
			return false
		}
	}
	return true
}

// Reachable reports whether a valid genome's cell output depends on its input,
// i.e. a path of non-none edges leads from node 0 to node 3. It is false
// for an invalid genome.
func Reachable(g []int) bool {
	if CheckGenome(g) != nil {
		return false
	}
	_, ok := live(g)
	return ok
}

func appendCell(n *arch.Network, x int, g []int, c int, name string) int {
	use, ok := live(g)
	if !ok {
		return x
	}
	node := [4]int{x}
	for j := 1; j <= 3; j++ {
		var ins []int
		for i, e := range Edges {
			if e.To != j || !use[i] {
				continue
			}
			src := node[e.From]
			ename := fmt.Sprintf("%s.e%d%d", name, e.To, e.From)
			switch g[i] {
			case OpSkip:
				ins = append(ins, src)
			case OpConv1x1, OpConv3x3:
				k := 1
				if g[i] == OpConv3x3 {
					k = 3
				}
				ins = append(ins, n.Append(arch.Layer{Name: ename, Op: arch.Conv, Kernel: k, Stride: 1, Pad: k / 2, Out: c, BN: true, Act: arch.ReLU}, src))
			case OpAvgPool3x3:
				ins = append(ins, n.Append(arch.Layer{Name: ename, Op: arch.AvgPool, Kernel: 3, Stride: 1, Pad: 1}, src))
			}
		}
		switch len(ins) {
		case 0:
			node[j] = -2 // dead or unused node; no live edge reads it
		case 1:
			node[j] = ins[0]
		default:
			node[j] = n.Append(arch.Layer{Name: fmt.Sprintf("%s.n%d", name, j), Op: arch.Add}, ins...)
		}
	}
	return node[3]
}
