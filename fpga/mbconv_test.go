package fpga

import (
	"testing"

	"github.com/hwnas/hwnas/arch"
)

// TestMBConvCosting costs MNIST networks of one mbconv block on a PYNQ-Z1
// (docs/fpga-model.md §4, "MBConv"): the depthwise layer uses Tm lanes, the
// pointwise layers the Tm×Tn array, and a wider expansion or a larger
// kernel never makes the block faster.
func TestMBConvCosting(t *testing.T) {
	p := mustLookup(t, "PYNQ-Z1")
	sp := &arch.ChainSpace{SpaceName: "mb", Input: arch.Shape{H: 28, W: 28, C: 1},
		Blocks: []arch.ChainBlock{{MinRepeat: 1, MaxRepeat: 1, Layers: []arch.ChainLayer{
			{Alts: []arch.LayerAlt{{Kind: "conv", Params: []arch.Param{{Name: "filters", Values: []int{16}}, {Name: "stride", Values: []int{2}}}}}},
			{Alts: []arch.LayerAlt{{Kind: "mbconv", Params: []arch.Param{{Name: "expand", Values: []int{1, 3, 6}},
				{Name: "kernel", Values: []int{3, 5, 7}}, {Name: "filters", Values: []int{16}}}}}}}}},
		Head: []arch.HeadLayer{{Kind: "gap"}, {Kind: "dense", Units: 10}}}
	lat := map[[2]int]float64{}
	for e := range 3 {
		for k := range 3 {
			n, err := sp.Decode([]int{e, k})
			if err != nil {
				t.Fatal(err)
			}
			_, r, err := Optimize(n, p, Options{Precision: Int16})
			if err != nil {
				t.Fatalf("expand %d kernel %d: %v", e, k, err)
			}
			for i, l := range n.Layers {
				lr := r.Layers[i]
				if l.Depthwise() && lr.MACs != n.LayerMACs(i) {
					t.Errorf("depthwise layer %s: %d MACs, the IR says %d", l.Name, lr.MACs, n.LayerMACs(i))
				}
			}
			lat[[2]int{e, k}] = r.LatencyMs
		}
	}
	for e := range 3 {
		for k := range 3 {
			if e > 0 && lat[[2]int{e, k}] < lat[[2]int{e - 1, k}] {
				t.Errorf("kernel choice %d: expand choice %d is faster (%g ms) than %d (%g ms)", k, e, lat[[2]int{e, k}], e-1, lat[[2]int{e - 1, k}])
			}
			if k > 0 && lat[[2]int{e, k}] < lat[[2]int{e, k - 1}] {
				t.Errorf("expand choice %d: kernel choice %d is faster (%g ms) than %d", e, k, lat[[2]int{e, k}], k-1)
			}
		}
	}
}
