package arch

// MBConv defaults: MobileNetV2's expansion ratio t = 6 (Sandler et al.,
// "MobileNetV2: Inverted Residuals and Linear Bottlenecks", CVPR 2018,
// Table 1), a 3×3 depthwise kernel and stride 1.
const (
	mbconvExpand = 6
	mbconvKernel = 3
)

// mbconv appends the inverted residual block of MobileNetV2 (Sandler et al.,
// CVPR 2018, §3.3 and Table 1) as FBNet and ProxylessNAS search it, reading
// d.ch channels:
//
//	NAME.expand   1×1 conv to ch·expand channels, BN, ReLU (left out when expand is 1)
//	NAME.dw       k×k depthwise conv with the stride, BN, ReLU
//	NAME.project  1×1 conv to filters channels, BN, linear (the linear bottleneck)
//	NAME.add      identity shortcut, when the stride is 1 and filters = ch
//
// The activation is ReLU where the paper uses ReLU6: the IR has one
// rectifier, which the trainer, the FPGA model and the exporters share.
// Batch normalisation is part of the block whatever the space's batchnorm
// setting says.
func (d *chainDecoder) mbconv(v map[string]int, name string) {
	get := func(k string, def int) int {
		if x, ok := v[k]; ok {
			return x
		}
		return def
	}
	e, k, s, f := get("expand", mbconvExpand), get("kernel", mbconvKernel), get("stride", 1), v["filters"]
	in, c := d.prev, d.ch
	x := in
	if e > 1 {
		x = d.n.Append(Layer{Name: name + ".expand", Op: Conv, Kernel: 1, Stride: 1, Out: c * e, Act: ReLU, BN: true}, x)
	}
	mid := c * e
	x = d.n.Append(Layer{Name: name + ".dw", Op: Conv, Kernel: k, Stride: s, Pad: (k - 1) / 2, PadAfter: samePadAfter(k),
		Groups: mid, Out: mid, Act: ReLU, BN: true}, x)
	x = d.n.Append(Layer{Name: name + ".project", Op: Conv, Kernel: 1, Stride: 1, Out: f, BN: true}, x)
	if s == 1 && f == c {
		x = d.n.Append(Layer{Name: name + ".add", Op: Add}, in, x)
	}
	d.prev, d.ch = x, f
}
