package arch

import (
	"fmt"
	"sort"
	"strings"
)

// zoo holds the reference networks used for estimation and validation.
var zoo = map[string]func() *Network{
	"lenet5":       lenet5,
	"alexnet":      alexnet,
	"vgg16":        vgg16,
	"resnet18":     resnet18,
	"mobilenet_v2": mobilenetV2,
}

// ZooNames returns the names of the reference networks, sorted.
func ZooNames() []string {
	out := make([]string, 0, len(zoo))
	for k := range zoo {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Zoo returns a new, inferred copy of the reference network called name
// (case-insensitive; "-" and "_" are interchangeable).
func Zoo(name string) (*Network, error) {
	k := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(name)), "-", "_")
	if k == "mobilenetv2" {
		k = "mobilenet_v2"
	}
	f, ok := zoo[k]
	if !ok {
		return nil, fmt.Errorf("unknown model %q: want one of %s", name, strings.Join(ZooNames(), ", "))
	}
	n := f()
	if err := n.Infer(); err != nil {
		return nil, fmt.Errorf("model %s: %w", k, err)
	}
	return n, nil
}

func conv(name string, out, k, s, p int) Layer {
	return Layer{Name: name, Op: Conv, Kernel: k, Stride: s, Pad: p, Out: out, Act: ReLU}
}

// lenet5 is LeNet-5 (LeCun et al., Proc. IEEE 1998) on 32×32 inputs, with
// average pooling for subsampling and C5 as a dense layer: 61,706 params.
func lenet5() *Network {
	n := &Network{Input: Shape{32, 32, 1}, Classes: 10}
	x := n.Append(conv("c1", 6, 5, 1, 0), Input)
	x = n.Append(Layer{Name: "s2", Op: AvgPool, Kernel: 2, Stride: 2}, x)
	x = n.Append(conv("c3", 16, 5, 1, 0), x)
	x = n.Append(Layer{Name: "s4", Op: AvgPool, Kernel: 2, Stride: 2}, x)
	x = n.Append(Layer{Name: "c5", Op: Dense, Out: 120, Act: ReLU}, x)
	x = n.Append(Layer{Name: "f6", Op: Dense, Out: 84, Act: ReLU}, x)
	n.Append(Layer{Name: "output", Op: Dense, Out: 10}, x)
	return n
}

// alexnet is AlexNet as in Caffe's bvlc_alexnet (Krizhevsky et al., NIPS
// 2012; the network of Zhang FPGA'15): 227×227 input, conv2/4/5 in two
// groups, 60,965,224 params.
func alexnet() *Network {
	n := &Network{Input: Shape{227, 227, 3}, Classes: 1000}
	x := n.Append(conv("conv1", 96, 11, 4, 0), Input)
	x = n.Append(Layer{Name: "pool1", Op: MaxPool, Kernel: 3, Stride: 2}, x)
	c2 := conv("conv2", 256, 5, 1, 2)
	c2.Groups = 2
	x = n.Append(c2, x)
	x = n.Append(Layer{Name: "pool2", Op: MaxPool, Kernel: 3, Stride: 2}, x)
	x = n.Append(conv("conv3", 384, 3, 1, 1), x)
	c4 := conv("conv4", 384, 3, 1, 1)
	c4.Groups = 2
	x = n.Append(c4, x)
	c5 := conv("conv5", 256, 3, 1, 1)
	c5.Groups = 2
	x = n.Append(c5, x)
	x = n.Append(Layer{Name: "pool5", Op: MaxPool, Kernel: 3, Stride: 2}, x)
	x = n.Append(Layer{Name: "fc6", Op: Dense, Out: 4096, Act: ReLU}, x)
	x = n.Append(Layer{Name: "fc7", Op: Dense, Out: 4096, Act: ReLU}, x)
	n.Append(Layer{Name: "fc8", Op: Dense, Out: 1000}, x)
	return n
}

// vgg16 is VGG-16 (Simonyan & Zisserman, ICLR 2015, configuration D):
// 138,357,544 params.
func vgg16() *Network {
	n := &Network{Input: Shape{224, 224, 3}, Classes: 1000}
	x := Input
	for b, blk := range [][2]int{{64, 2}, {128, 2}, {256, 3}, {512, 3}, {512, 3}} {
		for i := 0; i < blk[1]; i++ {
			x = n.Append(conv(fmt.Sprintf("conv%d_%d", b+1, i+1), blk[0], 3, 1, 1), x)
		}
		x = n.Append(Layer{Name: fmt.Sprintf("pool%d", b+1), Op: MaxPool, Kernel: 2, Stride: 2}, x)
	}
	x = n.Append(Layer{Name: "fc6", Op: Dense, Out: 4096, Act: ReLU}, x)
	x = n.Append(Layer{Name: "fc7", Op: Dense, Out: 4096, Act: ReLU}, x)
	n.Append(Layer{Name: "fc8", Op: Dense, Out: 1000}, x)
	return n
}

// resnet18 is ResNet-18 (He et al., CVPR 2016) as in torchvision: basic
// blocks, 1×1 stride-2 projection shortcuts, batch norm after every conv.
func resnet18() *Network {
	n := &Network{Input: Shape{224, 224, 3}, Classes: 1000}
	bn := func(l Layer) Layer { l.BN = true; return l }
	x := n.Append(bn(conv("conv1", 64, 7, 2, 3)), Input)
	x = n.Append(Layer{Name: "maxpool", Op: MaxPool, Kernel: 3, Stride: 2, Pad: 1}, x)
	in := 64
	for s, c := range []int{64, 128, 256, 512} {
		for b := 0; b < 2; b++ {
			stride := 1
			if s > 0 && b == 0 {
				stride = 2
			}
			name := fmt.Sprintf("layer%d.%d", s+1, b)
			y := n.Append(bn(conv(name+".conv1", c, 3, stride, 1)), x)
			c2 := bn(conv(name+".conv2", c, 3, 1, 1))
			c2.Act = Linear
			y = n.Append(c2, y)
			short := x
			if stride != 1 || in != c {
				ds := bn(conv(name+".downsample", c, 1, stride, 0))
				ds.Act = Linear
				short = n.Append(ds, x)
			}
			x = n.Append(Layer{Name: name + ".add", Op: Add, Act: ReLU}, y, short)
			in = c
		}
	}
	x = n.Append(Layer{Name: "avgpool", Op: GlobalAvgPool}, x)
	n.Append(Layer{Name: "fc", Op: Dense, Out: 1000}, x)
	return n
}

// mobilenetV2 is MobileNetV2 1.0 at 224×224 (Sandler et al., CVPR 2018,
// Table 2): inverted residual blocks (t, c, n, s), linear bottlenecks,
// ReLU6 (recorded as ReLU; it folds into the engine the same way).
func mobilenetV2() *Network {
	n := &Network{Input: Shape{224, 224, 3}, Classes: 1000}
	bn := func(l Layer) Layer { l.BN = true; return l }
	x := n.Append(bn(conv("conv_stem", 32, 3, 2, 1)), Input)
	in := 32
	blocks := [][4]int{{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}}
	id := 0
	for _, bl := range blocks {
		t, c, reps, s := bl[0], bl[1], bl[2], bl[3]
		for r := 0; r < reps; r++ {
			stride := 1
			if r == 0 {
				stride = s
			}
			name := fmt.Sprintf("block%d", id)
			id++
			y := x
			hidden := in * t
			if t != 1 {
				y = n.Append(bn(conv(name+".expand", hidden, 1, 1, 0)), y)
			}
			dw := bn(conv(name+".dw", hidden, 3, stride, 1))
			dw.Groups = hidden
			y = n.Append(dw, y)
			pr := bn(conv(name+".project", c, 1, 1, 0))
			pr.Act = Linear
			y = n.Append(pr, y)
			if stride == 1 && in == c {
				y = n.Append(Layer{Name: name + ".add", Op: Add}, y, x)
			}
			x, in = y, c
		}
	}
	x = n.Append(bn(conv("conv_head", 1280, 1, 1, 0)), x)
	x = n.Append(Layer{Name: "avgpool", Op: GlobalAvgPool}, x)
	n.Append(Layer{Name: "classifier", Op: Dense, Out: 1000}, x)
	return n
}
