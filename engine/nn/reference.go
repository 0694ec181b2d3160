package nn

import "github.com/hwnas/hwnas/arch"

// Reference returns the network the engine's speed is measured on (issue 5):
// conv(32, 3×3, same)-ReLU-maxpool2-conv(64, 3×3, same)-ReLU-maxpool2-dense(10)
// on 28×28×1 inputs, with its shapes inferred.
func Reference() *arch.Network {
	n := &arch.Network{Input: arch.Shape{H: 28, W: 28, C: 1}, Classes: 10}
	x := n.Append(arch.Layer{Name: "conv1", Op: arch.Conv, Kernel: 3, Stride: 1, Pad: 1, Out: 32, Act: arch.ReLU}, arch.Input)
	x = n.Append(arch.Layer{Name: "pool1", Op: arch.MaxPool, Kernel: 2, Stride: 2}, x)
	x = n.Append(arch.Layer{Name: "conv2", Op: arch.Conv, Kernel: 3, Stride: 1, Pad: 1, Out: 64, Act: arch.ReLU}, x)
	x = n.Append(arch.Layer{Name: "pool2", Op: arch.MaxPool, Kernel: 2, Stride: 2}, x)
	n.Append(arch.Layer{Name: "fc", Op: arch.Dense, Out: 10}, x)
	_ = n.Infer() // a fixed, valid network (TestReference checks it)
	return n
}
