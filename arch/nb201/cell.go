package nb201

import (
	"fmt"
	"strconv"
	"strings"
)

// The five edge ops, in NAS-Bench-201's order; a gene is an index into Ops.
const (
	OpNone       = iota // no edge: the edge contributes zero
	OpSkip              // identity
	OpConv1x1           // ReLU-Conv1x1-BN
	OpConv3x3           // ReLU-Conv3x3-BN
	OpAvgPool3x3        // 3x3 average pool, stride 1, padding 1
)

// Ops are the op names as they appear in cell strings, indexed by gene value.
var Ops = []string{"none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"}

// NumEdges is the number of edges of a cell and the length of a genome.
const NumEdges = 6

// NumCells is the number of distinct cells, 5^6.
const NumCells = 15625

// Edge is one edge of the cell DAG: from node From to node To.
type Edge struct{ From, To int }

// Edges lists the edges in genome order (and cell-string order).
var Edges = [NumEdges]Edge{{0, 1}, {0, 2}, {1, 2}, {0, 3}, {1, 3}, {2, 3}}

// CheckGenome reports whether g is a valid genome: six genes, each in [0, 5).
func CheckGenome(g []int) error {
	if len(g) != NumEdges {
		return fmt.Errorf("nb201 genome has %d genes, want %d (one op per edge)", len(g), NumEdges)
	}
	for i, v := range g {
		if v < 0 || v >= len(Ops) {
			e := Edges[i]
			return fmt.Errorf("nb201 genome gene %d (edge %d<-%d) is %d, want 0..%d", i, e.To, e.From, v, len(Ops)-1)
		}
	}
	return nil
}

// Code returns the genome read as a base-5 number, first gene most
// significant: a dense index in [0, NumCells) (not the benchmark's idx).
func Code(g []int) (int, error) {
	if err := CheckGenome(g); err != nil {
		return 0, err
	}
	c := 0
	for _, v := range g {
		c = c*len(Ops) + v
	}
	return c, nil
}

// Genome returns the genome whose Code is c.
func Genome(c int) ([]int, error) {
	if c < 0 || c >= NumCells {
		return nil, fmt.Errorf("nb201 code %d out of range [0, %d)", c, NumCells)
	}
	g := make([]int, NumEdges)
	for i := NumEdges - 1; i >= 0; i-- {
		g[i] = c % len(Ops)
		c /= len(Ops)
	}
	return g, nil
}

// CellString returns the canonical NAS-Bench-201 string of a genome, e.g.
// "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|".
func CellString(g []int) (string, error) {
	if err := CheckGenome(g); err != nil {
		return "", err
	}
	var b strings.Builder
	for i, e := range Edges {
		if i > 0 && e.From == 0 {
			b.WriteString("+")
		}
		fmt.Fprintf(&b, "|%s~%d", Ops[g[i]], e.From)
		if e.From == e.To-1 {
			b.WriteString("|")
		}
	}
	return b.String(), nil
}

// ParseCell parses a cell string into its genome. It accepts exactly the
// canonical form CellString writes: three '+'-separated groups for nodes 1,
// 2 and 3, node j listing its edges from nodes 0..j-1 in order as |op~i|.
func ParseCell(s string) ([]int, error) {
	groups := strings.Split(s, "+")
	if len(groups) != 3 {
		return nil, fmt.Errorf("nb201 cell %q: has %d '+'-separated node groups, want 3", s, len(groups))
	}
	g := make([]int, 0, NumEdges)
	for k, grp := range groups {
		node := k + 1
		if len(grp) < 2 || grp[0] != '|' || grp[len(grp)-1] != '|' {
			return nil, fmt.Errorf("nb201 cell %q: node %d group %q must start and end with '|'", s, node, grp)
		}
		parts := strings.Split(grp[1:len(grp)-1], "|")
		if len(parts) != node {
			return nil, fmt.Errorf("nb201 cell %q: node %d group %q has %d edges, want %d", s, node, grp, len(parts), node)
		}
		for from, p := range parts {
			name, src, ok := strings.Cut(p, "~")
			if !ok {
				return nil, fmt.Errorf("nb201 cell %q: node %d edge %q lacks '~source'", s, node, p)
			}
			op := opIndex(name)
			if op < 0 {
				return nil, fmt.Errorf("nb201 cell %q: node %d edge %q: unknown op %q (want one of %s)", s, node, p, name, strings.Join(Ops, ", "))
			}
			if n, err := strconv.Atoi(src); err != nil || n != from || src != strconv.Itoa(from) {
				return nil, fmt.Errorf("nb201 cell %q: node %d edge %q: source %q, want %d (edges list sources 0..%d in order)", s, node, p, src, from, node-1)
			}
			g = append(g, op)
		}
	}
	return g, nil
}

func opIndex(name string) int {
	for i, o := range Ops {
		if o == name {
			return i
		}
	}
	return -1
}
