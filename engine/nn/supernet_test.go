package nn

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/hwnas/hwnas/arch"
)

// stripesSpace is two mbconv slots, each choosing expansion and kernel or
// the identity, on the 8x8 stripes: 5·5 = 25 children.
func stripesSpace() *arch.ChainSpace {
	mb := arch.ChainLayer{Alts: []arch.LayerAlt{{Kind: "mbconv", Params: []arch.Param{
		{Name: "expand", Values: []int{1, 3}}, {Name: "kernel", Values: []int{3, 5}}, {Name: "filters", Values: []int{8}}}}, {Kind: "skip"}}}
	return &arch.ChainSpace{SpaceName: "stripes", Input: arch.Shape{H: 8, W: 8, C: 1},
		Blocks: []arch.ChainBlock{{MinRepeat: 1, MaxRepeat: 1, Layers: []arch.ChainLayer{
			{Alts: []arch.LayerAlt{{Kind: "conv", Params: []arch.Param{{Name: "filters", Values: []int{8}}}}}}, mb, mb}}},
		Head: []arch.HeadLayer{{Kind: "gap"}, {Kind: "dense", Units: 2}}, BatchNorm: true}
}

func decodeT(t *testing.T, s arch.Space, g []int) *arch.Network {
	t.Helper()
	n, err := s.Decode(g)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSupernetSharesAndResumes trains a supernet on the stripes, sampling
// one child uniformly per step, and checks that children inherit trained
// weights (well above chance), that the weights do not depend on the order
// children were first built in, and that a saved supernet scores the same.
func TestSupernetSharesAndResumes(t *testing.T) {
	sp := stripesSpace()
	card := arch.Cardinalities(sp)
	set := stripes(256)
	cfg := Config{Epochs: 3, Batch: 16, LR: 0.05, Seed: 3, Threads: 2}
	sn := NewSupernet(3)
	r := rand.New(rand.NewPCG(1, 1))
	sample := func(int) (*arch.Network, error) {
		g := make([]int, len(card))
		for i, c := range card {
			g[i] = r.IntN(c)
		}
		return sp.Decode(g)
	}
	var losses []float64
	for ep := range cfg.Epochs {
		loss, err := sn.TrainEpoch(context.Background(), ep, set, cfg, sample)
		if err != nil {
			t.Fatal(err)
		}
		losses = append(losses, loss)
	}
	if !(losses[2] < losses[0]) {
		t.Errorf("supernet loss %v did not fall", losses)
	}
	for _, g := range [][]int{{0, 0, 0, 0, 0, 0}, {1, 1, 1, 1, 1, 1}, {0, 1, 0, 0, 0, 1}} {
		acc, err := sn.Accuracy(context.Background(), decodeT(t, sp, g), set, set, cfg, 4)
		if err != nil {
			t.Fatal(err)
		}
		if acc < 0.8 {
			t.Errorf("child %v inherits accuracy %.3f, want ≥ 0.8 on stripes", g, acc)
		}
	}
	b, err := sn.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	back, err := UnmarshalSupernet(b)
	if err != nil {
		t.Fatal(err)
	}
	if b2, _ := back.MarshalBinary(); !bytes.Equal(b, b2) || back.Len() != sn.Len() {
		t.Fatal("a saved supernet reads back different")
	}
	net := decodeT(t, sp, []int{0, 1, 0, 1, 1, 0})
	a1, _ := sn.Accuracy(context.Background(), net, set, set, cfg, 4)
	a2, _ := back.Accuracy(context.Background(), net, set, set, cfg, 4)
	if a1 != a2 {
		t.Errorf("saved supernet scores %g, the original %g", a2, a1)
	}
}

// TestSupernetInitOrder checks that a parameter's initial values depend on
// the seed and its layer only, not on which child created it first.
func TestSupernetInitOrder(t *testing.T) {
	sp := stripesSpace()
	a, b := decodeT(t, sp, []int{0, 0, 0, 1, 1, 0}), decodeT(t, sp, []int{0, 0, 1, 1, 1, 0})
	cfg := Config{Batch: 4, Threads: 1}
	cfg.fill()
	s1, s2 := NewSupernet(7), NewSupernet(7)
	for _, n := range []*arch.Network{a, b} {
		s1.build(n, &cfg)
	}
	for _, n := range []*arch.Network{b, a} {
		s2.build(n, &cfg)
	}
	b1, _ := s1.MarshalBinary()
	b2, _ := s2.MarshalBinary()
	if !bytes.Equal(b1, b2) {
		t.Error("initial weights depend on the order children were built")
	}
	if s1.Len() == 0 {
		t.Error("no parameters created")
	}
}

func FuzzUnmarshalSupernet(f *testing.F) {
	sn := NewSupernet(1)
	cfg := Config{Batch: 2, Threads: 1}
	cfg.fill()
	if _, err := sn.build(decodeNet(stripesSpace()), &cfg); err != nil {
		f.Fatal(err)
	}
	b, _ := sn.MarshalBinary()
	f.Add(b)
	f.Add([]byte(supernetMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		sn, err := UnmarshalSupernet(b)
		if err != nil {
			return
		}
		if _, err := sn.MarshalBinary(); err != nil {
			t.Fatal(err)
		}
	})
}

func decodeNet(s arch.Space) *arch.Network {
	n, _ := s.Decode(make([]int, len(s.Decisions())))
	return n
}

// TestArenaScratchIsWrittenFirst trains and scores children of a supernet
// whose arena holds buffers of every size poisoned with NaN: the buffers
// recycled without clearing must be written before they are read, so the
// losses and accuracies equal those of a supernet that allocates afresh.
func TestArenaScratchIsWrittenFirst(t *testing.T) {
	sp := stripesSpace()
	set := stripes(64)
	cfg := Config{Epochs: 2, Batch: 16, LR: 0.05, Seed: 5, Threads: 2}
	card := arch.Cardinalities(sp)
	run := func(sn *Supernet) (out []float64) {
		r := rand.New(rand.NewPCG(2, 2))
		sample := func(int) (*arch.Network, error) {
			g := make([]int, len(card))
			for i, c := range card {
				g[i] = r.IntN(c)
			}
			return sp.Decode(g)
		}
		for ep := range cfg.Epochs {
			loss, err := sn.TrainEpoch(context.Background(), ep, set, cfg, sample)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, loss)
		}
		for _, g := range [][]int{{0, 0, 0, 0, 0, 0}, {1, 1, 1, 1, 1, 1}, {0, 1, 0, 0, 0, 1}} {
			acc, err := sn.Accuracy(context.Background(), decodeT(t, sp, g), set, set, cfg, 2)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, acc)
		}
		return out
	}
	want := run(NewSupernet(5))
	poisoned := NewSupernet(5)
	probe := NewSupernet(5)
	run(probe) // the same run leaves a buffer of every size in its arena
	for _, list := range probe.bufs.free {
		for _, b := range list {
			for i := range b {
				b[i] = float32(math.NaN())
			}
		}
		poisoned.bufs.put(list)
	}
	if len(poisoned.bufs.free) == 0 {
		t.Fatal("the arena recycled nothing")
	}
	if got := run(poisoned); !slices.Equal(got, want) {
		t.Errorf("with recycled buffers poisoned: %v, want %v", got, want)
	}
}
