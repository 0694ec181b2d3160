package arch_test

import (
	"fmt"

	"github.com/hwnas/hwnas/arch"
)

// A chain space in the style of FNAS: four convolutions choosing their
// kernel and filters, then a fixed head. Every free choice is a decision,
// and a genome (one choice index per decision) decodes to a network.
func ExampleChainSpace_Decode() {
	conv := arch.LayerAlt{Kind: "conv", Params: []arch.Param{
		{Name: "kernel", Values: []int{5, 7, 14}},
		{Name: "filters", Values: []int{9, 18, 36}},
	}}
	s := &arch.ChainSpace{SpaceName: "fnas", Input: arch.Shape{H: 28, W: 28, C: 1},
		Blocks: []arch.ChainBlock{{MinRepeat: 4, MaxRepeat: 4, Layers: []arch.ChainLayer{{Alts: []arch.LayerAlt{conv}}}}},
		Head:   []arch.HeadLayer{{Kind: "gap"}, {Kind: "dense", Units: 10}}}
	if err := s.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	ds := s.Decisions()
	fmt.Println(len(ds), "decisions, first", ds[0].Name, ds[0].Choices, "size", arch.Size(s))
	n, err := s.Decode([]int{0, 0, 0, 1, 0, 2, 0, 2}) // [5,9] [5,18] [5,36] [5,36]
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(n.Summary())
	for _, l := range n.Layers {
		fmt.Printf("%-12s %-6s %s\n", l.Name, l.Op, l.Shape)
	}
	// Output:
	// 8 decisions, first layer1.kernel [5 7 14] size 6561
	// 6 layers, 41.45M MACs, 53.3k params
	// layer1       conv   28x28x9
	// layer2       conv   28x28x18
	// layer3       conv   28x28x36
	// layer4       conv   28x28x36
	// head.gap     gap    1x1x36
	// head.dense   dense  1x1x10
}
