package arch

import (
	"math"
	"strings"
	"testing"
)

func TestZoo(t *testing.T) {
	// convBias counts one bias per conv output channel: the IR always counts a
	// bias, while torchvision and Keras build these convs without one.
	convBias := func(n *Network) int64 {
		var s int64
		for _, l := range n.Layers {
			if l.Op == Conv {
				s += int64(l.Out)
			}
		}
		return s
	}
	bnStats := func(n *Network) int64 { // running mean and variance per BN channel
		var s int64
		for _, l := range n.Layers {
			if l.BN {
				s += 2 * int64(l.Shape.C)
			}
		}
		return s
	}
	cases := []struct {
		name   string
		params func(*Network) int64
		macs   float64 // published multiply-accumulates
		tol    float64
		out    Shape
	}{
		// LeNet-5: 61,706 params (LeCun et al. 1998, C5 as dense).
		{"lenet5", func(*Network) int64 { return 61706 }, 416520, 0, Shape{1, 1, 10}},
		// bvlc_alexnet: 60,965,224 params; 724M MACs (Caffe model zoo / cs231n figures).
		{"alexnet", func(*Network) int64 { return 60965224 }, 724e6, 0.01, Shape{1, 1, 1000}},
		// VGG-16: 138,357,544 params, 15.47G MACs (Simonyan & Zisserman; torchvision).
		{"vgg16", func(*Network) int64 { return 138357544 }, 15.47e9, 0.01, Shape{1, 1, 1000}},
		// ResNet-18: torchvision 11,689,512 params, 1.82G MACs.
		{"resnet18", func(n *Network) int64 { return 11689512 + convBias(n) + bnStats(n) }, 1.82e9, 0.01, Shape{1, 1, 1000}},
		// MobileNetV2 1.0-224: Keras 3,538,984 params (BN stats included), 300M MACs (paper, Table 4).
		{"mobilenet_v2", func(n *Network) int64 { return 3538984 + convBias(n) }, 300e6, 0.02, Shape{1, 1, 1000}},
	}
	for _, c := range cases {
		n, err := Zoo(c.name)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got, want := n.Params(), c.params(n); got != want {
			t.Errorf("%s: params = %d, want %d", c.name, got, want)
		}
		if got := float64(n.MACs()); math.Abs(got-c.macs) > c.tol*c.macs+0.5 {
			t.Errorf("%s: MACs = %.0f, want %.0f within %.0f%%", c.name, got, c.macs, 100*c.tol)
		}
		if n.Output() != c.out {
			t.Errorf("%s: output %s, want %s", c.name, n.Output(), c.out)
		}
	}
}

func TestZooNames(t *testing.T) {
	if got := strings.Join(ZooNames(), ","); got != "alexnet,lenet5,mobilenet_v2,resnet18,vgg16" {
		t.Errorf("ZooNames = %s", got)
	}
	for _, s := range []string{"AlexNet", "mobilenet-v2", "MobileNetV2"} {
		if _, err := Zoo(s); err != nil {
			t.Errorf("Zoo(%q): %v", s, err)
		}
	}
	if _, err := Zoo("resnet50"); err == nil || !strings.Contains(err.Error(), "want one of alexnet") {
		t.Errorf("Zoo(resnet50) error = %v", err)
	}
	a, _ := Zoo("alexnet")
	b, _ := Zoo("alexnet")
	a.Layers[0].Out = 1
	if b.Layers[0].Out != 96 {
		t.Error("Zoo returns shared networks")
	}
}
