package fpga_test

import (
	"errors"
	"fmt"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/fpga"
)

// Optimize searches the design of a network on a board: here one shared
// engine for AlexNet on a ZCU102 in 16-bit fixed point.
func ExampleOptimize() {
	n, err := arch.Zoo("alexnet")
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := fpga.Lookup("zcu102")
	if err != nil {
		fmt.Println(err)
		return
	}
	d, r, err := fpga.Optimize(n, p, fpga.Options{Goal: fpga.MinLatency, Mode: fpga.Shared, Precision: fpga.Int16})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s, %s: %.2f ms, %.1f fps, %s bound\n", r.Platform, d.Mode, r.LatencyMs, r.ThroughputFPS, r.Bound)
	fmt.Printf("DSP %d (%.0f%%), BRAM18 %d, LUT %d, %.1f W\n", r.DSP, r.DSPPct, r.BRAM18, r.LUT, r.PowerW)
	fmt.Printf("first layer: <%s>, last: <%s>\n", d.Tilings[0], d.Tilings[len(d.Tilings)-1])
	// Output:
	// ZCU102, shared: 16.34 ms, 61.2 fps, weight-load bound
	// DSP 2304 (91%), BRAM18 1089, LUT 155580, 16.2 W
	// first layer: <128,18,5,5>, last: <128,18,1,1>
}

// Estimate costs one given design: a small network built by hand on a
// PYNQ-Z1 with one <Tm,Tn,Tr,Tc> tiling for every layer. A design that
// does not fit gives a *FitError naming the resource.
func ExampleEstimate() {
	n := &arch.Network{Input: arch.Shape{H: 28, W: 28, C: 1}, Classes: 10}
	x := n.Append(arch.Layer{Name: "conv1", Op: arch.Conv, Kernel: 5, Stride: 1, Pad: 2, Out: 16, Act: arch.ReLU}, arch.Input)
	x = n.Append(arch.Layer{Name: "pool1", Op: arch.MaxPool, Kernel: 2, Stride: 2}, x)
	x = n.Append(arch.Layer{Name: "conv2", Op: arch.Conv, Kernel: 3, Stride: 1, Pad: 1, Out: 32, Act: arch.ReLU}, x)
	x = n.Append(arch.Layer{Name: "gap", Op: arch.GlobalAvgPool}, x)
	n.Append(arch.Layer{Name: "fc", Op: arch.Dense, Out: 10}, x)
	if err := n.Infer(); err != nil {
		fmt.Println(err)
		return
	}
	p, _ := fpga.Lookup("PYNQ-Z1")
	d := fpga.Design{Mode: fpga.Shared, Precision: fpga.Int16, Tilings: []fpga.Tiling{{Tm: 16, Tn: 8, Tr: 14, Tc: 14}}}
	r, err := fpga.Estimate(n, p, d)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.3f ms, DSP %d, BRAM18 %d\n", r.LatencyMs, r.DSP, r.BRAM18)
	for _, l := range r.Layers {
		fmt.Printf("%-5s %7d cycles  %s\n", l.Name, l.Cycles, l.Bound)
	}

	d.Tilings[0] = fpga.Tiling{Tm: 32, Tn: 16, Tr: 28, Tc: 28} // 512 MAC lanes
	_, err = fpga.Estimate(n, p, d)
	var fe *fpga.FitError
	fmt.Println(errors.As(err, &fe), err)
	// Output:
	// 0.325 ms, DSP 128, BRAM18 69
	// conv1   20373 cycles  compute
	// pool1    2509 cycles  ifm-load
	// conv2    8325 cycles  compute
	// gap      1255 cycles  ifm-load
	// fc         84 cycles  weight-load
	// true design does not fit PYNQ-Z1: needs 512 DSP, 220 available (shared, int16, tiling <32,16,28,28>)
}
