package engine

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/fpga/lut"
)

// mixedNet is the relaxed supernet of a differentiable search over a chain
// space with a latency table: every position with several candidates holds
// all of them side by side, reading the position's input, and a mixed layer
// (nn.Mixed) that sums their outputs; a skip or an unused optional slot is
// the input itself. Positions with one candidate and the head are as in any
// child. This is FBNet's supernet with a fixed macro-architecture (Wu et
// al., CVPR 2019, §3.3), which ProxylessNAS's over-parameterised network
// also is (Cai et al., ICLR 2019, §3.1).
type mixedNet struct {
	net   *arch.Network
	mixes []int // layer index of each searched position's mixed layer
	pos   []mixPos
	fixed float64 // ms: the table's entries every child has (one-candidate positions, the fixed entry)
}

// mixPos is one searched position: its candidates, their genes,
// latencies and prior probabilities.
type mixPos struct {
	name  string
	cands []string
	genes []map[int]int
	lat   []float64 // ms
	prior []float64 // the probability that a uniformly drawn genome takes the candidate
}

// newMixedNet builds the relaxed supernet of space from the table t built
// for it. Candidate k's layers at position P are renamed "P#k…" so that
// each candidate has its own parameters; childKey maps them back.
func newMixedNet(space arch.Space, t *lut.Table) (*mixedNet, error) {
	if len(t.Positions) == 0 {
		return nil, fmt.Errorf("latency table has no positions")
	}
	mn := &mixedNet{net: &arch.Network{}}
	prev := arch.Input
	var base *arch.Network
	for _, p := range t.Positions {
		if p.Name == lut.Fixed {
			mn.fixed += p.Candidates[0].LatencyMs
			continue
		}
		if strings.Contains(p.Name, ".") {
			return nil, fmt.Errorf("position %s is in a shared block: differentiable search does not mix shared blocks yet (write repeat without shared)", p.Name)
		}
		outs, err := mn.position(space, &p, prev, &base)
		if err != nil {
			return nil, err
		}
		prev = outs[0]
		if len(outs) > 1 {
			prev = mn.net.Append(arch.Layer{Name: p.Name + ".mix", Op: arch.Add}, outs...)
			mn.mixes = append(mn.mixes, prev)
		}
	}
	if err := mn.head(base, prev); err != nil {
		return nil, err
	}
	if err := mn.net.Infer(); err != nil {
		return nil, fmt.Errorf("the mixed network: %w", err)
	}
	return mn, nil
}

// position appends every candidate of p, reading prev, and returns the
// index of each one's output (prev for a candidate without layers). It
// records p as searched when it has several candidates, else adds its
// latency to the fixed part. base is set to the first decoded child.
func (mn *mixedNet) position(space arch.Space, p *lut.Position, prev int, base **arch.Network) ([]int, error) {
	var outs []int
	mp, card := mixPos{name: p.Name}, arch.Cardinalities(space)
	for k := range p.Candidates {
		c := &p.Candidates[k]
		g := make([]int, len(space.Decisions()))
		for i, v := range c.Genes() {
			g[i] = v
		}
		child, err := space.Decode(g)
		if err != nil {
			return nil, fmt.Errorf("position %s, candidate %s: %w", p.Name, c.Candidate, err)
		}
		if *base == nil {
			*base = child
		}
		prefix := ""
		if len(p.Candidates) > 1 {
			prefix = p.Name + "#" + strconv.Itoa(k)
		}
		out, err := mn.copyLayers(child, p.Name, prefix, prev)
		if err != nil {
			return nil, fmt.Errorf("position %s, candidate %s: %w", p.Name, c.Candidate, err)
		}
		outs = append(outs, out)
		mp.cands, mp.genes, mp.lat = append(mp.cands, c.Candidate), append(mp.genes, c.Genes()), append(mp.lat, c.LatencyMs)
		mp.prior = append(mp.prior, genePrior(card, c.Genes()))
	}
	if len(outs) > 1 {
		mn.pos = append(mn.pos, mp)
	} else {
		mn.fixed += mp.lat[0]
	}
	return outs, nil
}

// genePrior is the probability that a genome drawn uniformly, every gene
// independently, holds genes, card giving each gene's number of choices.
// A position's candidates select disjoint sets of genomes that cover them
// all (lut's candidates), so their priors add up to 1.
func genePrior(card []int, genes map[int]int) float64 {
	p := 1.0
	for g := range genes {
		p /= float64(card[g])
	}
	return p
}

// copyLayers appends the layers of child at position pos, their names
// starting with prefix instead of pos when prefix is set, reading prev where
// they read from before the position; it returns the last one's index, or
// prev when the position has none.
func (mn *mixedNet) copyLayers(child *arch.Network, pos, prefix string, prev int) (int, error) {
	idx := map[int]int{}
	out, outside := prev, -2
	for i, l := range child.Layers {
		if lut.PositionOf(l.Name) != pos {
			continue
		}
		l.In = append([]int(nil), l.In...)
		for k, j := range l.In {
			if n, ok := idx[j]; ok {
				l.In[k] = n
				continue
			}
			if outside != -2 && outside != j {
				return 0, fmt.Errorf("layer %s reads from two layers before its position", l.Name)
			}
			outside, l.In[k] = j, prev
		}
		if prefix != "" {
			l.Name = prefix + strings.TrimPrefix(l.Name, pos)
		}
		out = mn.net.Append(l, l.In...)
		idx[i] = out
	}
	return out, nil
}

// head appends the fixed layers of base (the head), reading prev.
func (mn *mixedNet) head(base *arch.Network, prev int) error {
	if base == nil {
		return fmt.Errorf("latency table has no candidates")
	}
	mn.net.Input, mn.net.Classes = base.Input, base.Classes
	_, err := mn.copyLayers(base, lut.Fixed, "", prev)
	return err
}

// genome is the genome of the child with candidate choice[i] at searched
// position i (every other gene 0: one-candidate positions have no choice).
func (mn *mixedNet) genome(nGenes int, choice []int) []int {
	g := make([]int, nGenes)
	for i, k := range choice {
		for j, v := range mn.pos[i].genes[k] {
			g[j] = v
		}
	}
	return g
}

// childKey maps a parameter key of the mixed network to the key the child
// with candidate choice[i] at searched position i has, false for the
// parameters of candidates it does not have.
func (mn *mixedNet) childKey(choice []int) func(string) (string, bool) {
	prefix := map[string]string{}
	for i, k := range choice {
		prefix[mn.pos[i].name+"#"+strconv.Itoa(k)] = mn.pos[i].name
	}
	return func(key string) (string, bool) {
		name, rest, _ := strings.Cut(key, " ")
		head, tail, _ := strings.Cut(name, ".")
		if !strings.Contains(head, "#") {
			return key, true
		}
		to, ok := prefix[head]
		if !ok {
			return "", false
		}
		if tail != "" {
			to += "." + tail
		}
		return to + " " + rest, true
	}
}
