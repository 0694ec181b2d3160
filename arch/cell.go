package arch

import (
	"fmt"
	"slices"
)

// CellSpace is a cell search space in the style of NAS-Bench-201 (Dong & Yang,
// ICLR 2020): one cell, a DAG of Nodes nodes where node 0 is the cell input,
// every later node sums one op per edge from every earlier node, and the last
// node is the cell output. The genome holds one op choice per edge, in the
// order 1←0, 2←0, 2←1, 3←0, 3←1, 3←2, … (NAS-Bench-201's order). The macro
// skeleton stacks the same cell: a 3×3 conv stem, then stages of cells with a
// residual reduction block (stride 2, to the next stage's channels) between
// stages, then BN and ReLU, global average pooling and a dense classifier.
// Edges that cannot reach the cell output are left out of the network.
type CellSpace struct {
	SpaceName    string
	Input        Shape
	Nodes        int        // nodes per cell including the input node (NAS-Bench-201: 4)
	Ops          []string   // op choices of every edge (see CellOps)
	EdgeOps      [][]string // per-edge override of Ops, indexed like the genome; nil entries use Ops
	StemChannels int
	Stages       []CellStage
	Classes      int
}

// CellStage is a run of Cells cells at Channels channels; every stage after
// the first starts with a reduction block.
type CellStage struct {
	Cells    int
	Channels int
}

// CellOps lists the edge ops a cell space may use.
var CellOps = []string{"none", "skip", "conv1x1", "conv3x3", "conv5x5", "dwconv3x3", "avgpool3x3", "maxpool3x3"}

// Name returns the space's name.
func (s *CellSpace) Name() string { return s.SpaceName }

// Edges returns the number of edges of a cell: one from every node to every later node.
func (s *CellSpace) Edges() int { return s.Nodes * (s.Nodes - 1) / 2 }

// edge returns the endpoints of edge e in genome order.
func (s *CellSpace) edge(e int) (from, to int) {
	for to = 1; to < s.Nodes; to++ {
		if e < to {
			return e, to
		}
		e -= to
	}
	return -1, -1
}

func (s *CellSpace) opsOf(e int) []string {
	if e < len(s.EdgeOps) && len(s.EdgeOps[e]) > 0 {
		return s.EdgeOps[e]
	}
	return s.Ops
}

// Validate checks nodes, ops, stem, stages and classes.
func (s *CellSpace) Validate() error {
	if s.Input.H <= 0 || s.Input.W <= 0 || s.Input.C <= 0 {
		return fmt.Errorf("space %s: input %s: every dimension must be positive", s.SpaceName, s.Input)
	}
	if s.Nodes < 2 || s.Nodes > 12 {
		return fmt.Errorf("space %s: a cell needs 2..12 nodes, has %d", s.SpaceName, s.Nodes)
	}
	if len(s.EdgeOps) > s.Edges() {
		return fmt.Errorf("space %s: %d edge overrides for %d edges", s.SpaceName, len(s.EdgeOps), s.Edges())
	}
	for e := 0; e < s.Edges(); e++ {
		ops := s.opsOf(e)
		if len(ops) == 0 {
			return fmt.Errorf("space %s: edge %d has no ops", s.SpaceName, e)
		}
		for _, o := range ops {
			if !slices.Contains(CellOps, o) {
				return fmt.Errorf("space %s: unknown cell op %q (want one of %v)", s.SpaceName, o, CellOps)
			}
		}
	}
	if s.StemChannels < 1 {
		return fmt.Errorf("space %s: the stem needs at least 1 channel", s.SpaceName)
	}
	if len(s.Stages) == 0 {
		return fmt.Errorf("space %s: no stages", s.SpaceName)
	}
	for i, st := range s.Stages {
		if st.Cells < 0 || st.Channels < 1 {
			return fmt.Errorf("space %s: stage %d: %d cells of %d channels", s.SpaceName, i+1, st.Cells, st.Channels)
		}
	}
	if s.Classes < 1 {
		return fmt.Errorf("space %s: needs at least 1 class", s.SpaceName)
	}
	return nil
}

// Decisions lists one op choice per edge, named "edge2<-1" (into node 2 from node 1).
func (s *CellSpace) Decisions() []Decision {
	ds := make([]Decision, s.Edges())
	for e := range ds {
		from, to := s.edge(e)
		ds[e] = Decision{Name: fmt.Sprintf("edge%d<-%d", to, from), Choices: append([]string(nil), s.opsOf(e)...)}
	}
	return ds
}

// Decode builds the network of a genome: stem, stages of the chosen cell with
// reductions between them, global average pooling and the classifier. A cell
// whose output node receives no edge (all its paths are "none") is an error:
// the network would output zeros.
func (s *CellSpace) Decode(genome []int) (*Network, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if len(genome) != s.Edges() {
		return nil, fmt.Errorf("space %s: genome has %d genes, want %d (one op per edge)", s.SpaceName, len(genome), s.Edges())
	}
	ops := make([]string, len(genome))
	for e, g := range genome {
		choices := s.opsOf(e)
		if g < 0 || g >= len(choices) {
			return nil, fmt.Errorf("space %s: gene %d = %d, want 0..%d", s.SpaceName, e, g, len(choices)-1)
		}
		ops[e] = choices[g]
	}
	n := &Network{Input: s.Input, Classes: s.Classes}
	prev := n.Append(Layer{Name: "stem", Op: Conv, Kernel: 3, Stride: 1, Pad: 1, Out: s.StemChannels, BN: true}, Input)
	c := s.StemChannels
	for si, st := range s.Stages {
		if si > 0 {
			prev = s.reduction(n, prev, c, st.Channels, si)
		} else if st.Channels != c {
			prev = n.Append(Layer{Name: "stage1.proj", Op: Conv, Kernel: 1, Stride: 1, Out: st.Channels, Act: ReLU, BN: true}, prev)
		}
		c = st.Channels
		for k := 0; k < st.Cells; k++ {
			out, err := s.cell(n, prev, c, ops, fmt.Sprintf("stage%d.cell%d", si+1, k+1))
			if err != nil {
				return nil, err
			}
			prev = out
		}
	}
	// NAS-Bench-201's last BN and ReLU before pooling, carried by a 1x1
	// average pool (the IR keeps BN and activations as layer attributes).
	prev = n.Append(Layer{Name: "lastact", Op: AvgPool, Kernel: 1, Stride: 1, BN: true, Act: ReLU}, prev)
	prev = n.Append(Layer{Name: "gap", Op: GlobalAvgPool}, prev)
	n.Append(Layer{Name: "classifier", Op: Dense, Out: s.Classes}, prev)
	if err := n.Infer(); err != nil {
		return nil, fmt.Errorf("space %s: %w", s.SpaceName, err)
	}
	return n, nil
}

// reduction appends NAS-Bench-201's residual reduction block: conv3x3 stride
// 2, conv3x3, and a shortcut of 2x2 average pooling then a 1x1 conv.
func (s *CellSpace) reduction(n *Network, in, cin, cout, stage int) int {
	name := fmt.Sprintf("stage%d.reduce", stage+1)
	a := n.Append(Layer{Name: name + ".a", Op: Conv, Kernel: 3, Stride: 2, Pad: 1, Out: cout, Act: ReLU, BN: true}, in)
	b := n.Append(Layer{Name: name + ".b", Op: Conv, Kernel: 3, Stride: 1, Pad: 1, Out: cout, Act: ReLU, BN: true}, a)
	p := n.Append(Layer{Name: name + ".pool", Op: AvgPool, Kernel: 2, Stride: 2}, in)
	sc := n.Append(Layer{Name: name + ".shortcut", Op: Conv, Kernel: 1, Stride: 1, Out: cout}, p)
	return n.Append(Layer{Name: name + ".add", Op: Add}, b, sc)
}

// cell appends one cell reading layer in (c channels) and returns its output
// layer. node[i] is the layer holding node i, or -2 for a zero node.
func (s *CellSpace) cell(n *Network, in, c int, ops []string, name string) (int, error) {
	const zero = -2
	// toOut[i]: node i reaches the output through edges that are not none.
	// Edges into a node that does not are dead: they are left out.
	toOut := make([]bool, s.Nodes)
	toOut[s.Nodes-1] = true
	for e := len(ops) - 1; e >= 0; e-- {
		if from, to := s.edge(e); ops[e] != "none" && toOut[to] {
			toOut[from] = true
		}
	}
	node := make([]int, s.Nodes)
	node[0] = in
	e := 0
	for to := 1; to < s.Nodes; to++ {
		var terms []int
		for from := 0; from < to; from++ {
			op := ops[e]
			e++
			src := node[from]
			if src == zero || op == "none" || !toOut[to] {
				continue
			}
			ename := fmt.Sprintf("%s.edge%d<-%d", name, to, from)
			switch op {
			case "skip":
				terms = append(terms, src)
			case "conv1x1", "conv3x3", "conv5x5":
				k := map[string]int{"conv1x1": 1, "conv3x3": 3, "conv5x5": 5}[op]
				terms = append(terms, n.Append(Layer{Name: ename, Op: Conv, Kernel: k, Stride: 1, Pad: (k - 1) / 2, Out: c, Act: ReLU, BN: true}, src))
			case "dwconv3x3":
				terms = append(terms, n.Append(Layer{Name: ename, Op: Conv, Kernel: 3, Stride: 1, Pad: 1, Groups: c, Out: c, Act: ReLU, BN: true}, src))
			case "avgpool3x3":
				terms = append(terms, n.Append(Layer{Name: ename, Op: AvgPool, Kernel: 3, Stride: 1, Pad: 1}, src))
			case "maxpool3x3":
				terms = append(terms, n.Append(Layer{Name: ename, Op: MaxPool, Kernel: 3, Stride: 1, Pad: 1}, src))
			}
		}
		switch len(terms) {
		case 0:
			node[to] = zero
		case 1:
			node[to] = terms[0]
		default:
			node[to] = n.Append(Layer{Name: fmt.Sprintf("%s.node%d", name, to), Op: Add}, terms...)
		}
	}
	if node[s.Nodes-1] == zero {
		return 0, fmt.Errorf("space %s: the cell's output node %d receives no edge (every path is none)", s.SpaceName, s.Nodes-1)
	}
	return node[s.Nodes-1], nil
}
