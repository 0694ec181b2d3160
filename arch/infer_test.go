package arch

import (
	"strings"
	"testing"
)

// coExploreNet is the network found by co-exploration (TCAD 2020, released
// CIFAR-10 logs, PredictableStride/OptHW); Keras reports 286,518 params.
func coExploreNet() *Network {
	n := &Network{Input: Shape{32, 32, 3}, Classes: 10}
	x := Input
	for _, c := range [][3]int{{3, 36, 1}, {5, 36, 1}, {1, 64, 1}, {3, 48, 2}, {7, 24, 1}, {1, 64, 1}} {
		k, f, s := c[0], c[1], c[2]
		// Keras "same" padding with stride 2 on an even map pads one side less;
		// the output size is ceil(32/2) = 16 either way.
		x = n.Append(Layer{Op: Conv, Kernel: k, Stride: s, Pad: k / 2, Out: f, Act: ReLU, BN: true}, x)
	}
	n.Append(Layer{Op: Dense, Out: 10}, x)
	return n
}

func TestParamsMatchKeras(t *testing.T) {
	n := coExploreNet()
	if err := n.Infer(); err != nil {
		t.Fatal(err)
	}
	if got := n.Params(); got != 286518 {
		t.Fatalf("params = %d, want 286518 (Keras, TCAD 2020 logs)", got)
	}
}

func TestInferErrors(t *testing.T) {
	cases := []struct {
		name string
		net  Network
		want string
	}{
		{"kernel too big", Network{Input: Shape{4, 4, 1}, Layers: []Layer{{Op: Conv, In: []int{Input}, Kernel: 7, Stride: 1, Out: 3}}},
			"layer 0 (conv): kernel 7 does not fit input 4x4x1 with padding 0"},
		{"add mismatch", Network{Input: Shape{8, 8, 3}, Layers: []Layer{
			{Op: Conv, In: []int{Input}, Kernel: 3, Stride: 1, Pad: 1, Out: 4},
			{Name: "res", Op: Add, In: []int{Input, 0}}}},
			"layer 1 (res): cannot add 8x8x4 (input 1) to 8x8x3 (input 0)"},
		{"forward edge", Network{Input: Shape{8, 8, 3}, Layers: []Layer{{Op: GlobalAvgPool, In: []int{1}}}},
			"layer 0 (gap): input 1 is not an earlier layer"},
		{"groups", Network{Input: Shape{8, 8, 3}, Layers: []Layer{{Op: Conv, In: []int{Input}, Kernel: 1, Stride: 1, Groups: 2, Out: 4}}},
			"groups 2 must divide input channels 3"},
		{"classes", Network{Input: Shape{8, 8, 3}, Classes: 10, Layers: []Layer{{Op: Dense, In: []int{Input}, Out: 5}}},
			"network output is 1x1x5, want 1x1x10"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.net.Infer()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestKeyIgnoresNames(t *testing.T) {
	a, b := coExploreNet(), coExploreNet()
	b.Layers[2].Name = "renamed"
	if a.Key() != b.Key() {
		t.Fatal("renaming a layer changed the key")
	}
	b.Layers[2].Out = 65
	if a.Key() == b.Key() {
		t.Fatal("changing a layer's width kept the key")
	}
}

func TestMACsDepthwise(t *testing.T) {
	n := &Network{Input: Shape{10, 10, 8}}
	n.Append(Layer{Op: Conv, Kernel: 3, Stride: 1, Pad: 1, Groups: 8, Out: 8}, Input)
	if err := n.Infer(); err != nil {
		t.Fatal(err)
	}
	if !n.Layers[0].Depthwise() {
		t.Fatal("groups == channels should be depthwise")
	}
	if got, want := n.MACs(), int64(10*10*8*9); got != want {
		t.Fatalf("MACs = %d, want %d", got, want)
	}
}
