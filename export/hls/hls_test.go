package hls

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine/nn"
	"github.com/hwnas/hwnas/fpga"
	"github.com/hwnas/hwnas/internal/golden"
	"github.com/hwnas/hwnas/internal/hwnastest"
)

// net uses every op the C++ has: conv with BN and ReLU, a depthwise conv, a
// grouped conv with asymmetric padding, max and average pooling with
// padding, a residual add, concat, global average pooling and dense layers.
func net() *arch.Network {
	n := &arch.Network{Input: arch.Shape{H: 28, W: 28, C: 1}, Classes: 10}
	a := n.Append(arch.Layer{Op: arch.Conv, Kernel: 5, Stride: 2, Pad: 2, Out: 8, BN: true, Act: arch.ReLU}, arch.Input)
	b := n.Append(arch.Layer{Op: arch.Conv, Kernel: 3, Stride: 1, Pad: 1, Out: 8, Groups: 8, BN: true, Act: arch.ReLU}, a)
	c := n.Append(arch.Layer{Op: arch.Conv, Kernel: 4, Stride: 1, Pad: 1, PadAfter: 1, Out: 8, Groups: 2}, b)
	s := n.Append(arch.Layer{Op: arch.Add, Act: arch.ReLU}, a, c)
	p := n.Append(arch.Layer{Op: arch.AvgPool, Kernel: 3, Stride: 1, Pad: 1}, s)
	x := n.Append(arch.Layer{Op: arch.Concat}, s, p)
	x = n.Append(arch.Layer{Op: arch.MaxPool, Kernel: 2, Stride: 2}, x)
	x = n.Append(arch.Layer{Op: arch.Conv, Kernel: 3, Stride: 1, Pad: 1, Out: 12, Act: arch.ReLU}, x)
	g := n.Append(arch.Layer{Op: arch.GlobalAvgPool}, x)
	x = n.Append(arch.Layer{Op: arch.Dense, Out: 16, BN: true, Act: arch.ReLU}, g)
	n.Append(arch.Layer{Op: arch.Dense, Out: 10}, x)
	if err := n.Infer(); err != nil {
		panic(err)
	}
	return n
}

var mean, std = []float32{0.1307}, []float32{0.3081}

func mnist(t testing.TB, n int, seed uint64) ([]float32, []uint8) {
	s := hwnastest.MNISTTest(t, n, seed)
	return s.X, s.Y
}

// TestQuantizedNearFloat: the 16-bit network's outputs, read as reals, are
// within 2% of the largest output of the float network on 50 images.
func TestQuantizedNearFloat(t *testing.T) {
	n := net()
	w := hwnastest.Weights(t, n)
	calib, _ := mnist(t, 20, 1)
	q, err := Quantize(n, w, mean, std, calib, 20, 16)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := mnist(t, 50, 2)
	norm := make([]float32, len(x))
	for i, v := range x {
		norm[i] = (v - mean[0]) * (1 / std[0])
	}
	want, err := nn.Forward(n, w, norm, 50)
	if err != nil {
		t.Fatal(err)
	}
	imgs, err := q.QuantizeInputs(x, 50)
	if err != nil {
		t.Fatal(err)
	}
	f := q.Layers[len(q.Layers)-1].F
	var worst, scale float64
	for i, im := range imgs {
		for k, v := range q.Forward(im) {
			worst = max(worst, math.Abs(math.Ldexp(float64(v), -f)-float64(want[i*10+k])))
			scale = max(scale, math.Abs(float64(want[i*10+k])))
		}
	}
	if worst > 0.02*scale {
		t.Errorf("largest error %g against outputs up to %g", worst, scale)
	}
}

// design returns a design of n in mode m with precision p on PYNQ-Z1 (two
// ZCU102s for Multi).
func design(t *testing.T, n *arch.Network, m fpga.Mode, p fpga.Precision) (fpga.Design, fpga.Pool) {
	t.Helper()
	if m == fpga.Multi {
		pool, err := fpga.NewPool(1.25, "ZCU102", "ZCU102")
		if err != nil {
			t.Fatal(err)
		}
		d, _, err := fpga.OptimizePool(n, pool, fpga.Options{Mode: fpga.Multi, Precision: p})
		if err != nil {
			t.Fatal(err)
		}
		return d, pool
	}
	dev, err := fpga.Lookup("ZCU102")
	if err != nil {
		t.Fatal(err)
	}
	d, _, err := fpga.Optimize(n, dev, fpga.Options{Mode: m, Precision: p})
	if err != nil {
		t.Fatal(err)
	}
	return d, fpga.Pool{Devices: []fpga.Platform{dev}}
}

// csim runs make -C dir csim and returns its output and error.
func csim(t *testing.T, dir string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("g++"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and g++ is missing: %v", err)
		}
		t.Skipf("g++ not available: %v", err)
	}
	out, err := exec.Command("make", "-s", "-C", dir, "csim").CombinedOutput()
	return string(out), err
}

// TestCSim: the C++ of shared, pipeline and two-device designs, in 16 and
// 8 bits, compiled with g++, gives QNet.Forward's outputs bit for bit on
// MNIST images; and a changed expected output makes csim fail.
func TestCSim(t *testing.T) {
	n := net()
	w := hwnastest.Weights(t, n)
	calib, _ := mnist(t, 16, 1)
	test, labels := mnist(t, 6, 2)
	for _, c := range []struct {
		name string
		mode fpga.Mode
		prec fpga.Precision
	}{{"shared-int16", fpga.Shared, fpga.Int16}, {"pipeline-int8", fpga.Pipeline, fpga.Int8}, {"multi-int16", fpga.Multi, fpga.Int16}} {
		t.Run(c.name, func(t *testing.T) {
			d, pool := design(t, n, c.mode, c.prec)
			dir := t.TempDir()
			sum, err := Write(dir, Input{Name: c.name, Network: n, Weights: w, Mean: mean, Std: std, Design: d, Pool: pool,
				Calib: calib, Test: test, Labels: labels})
			if err != nil {
				t.Fatal(err)
			}
			wantEngines := map[fpga.Mode]int{fpga.Shared: 1, fpga.Pipeline: 6, fpga.Multi: len(d.Stages)}[c.mode]
			if sum.Engines != wantEngines || sum.Bits != c.prec.Bits() {
				t.Errorf("%d engines, %d bits; want %d, %d", sum.Engines, sum.Bits, wantEngines, c.prec.Bits())
			}
			out, err := csim(t, dir)
			if err != nil || !strings.Contains(out, "6 images, 0 outputs differ") {
				t.Fatalf("csim: %v\n%s", err, out)
			}
			breakExpected(t, dir)
			if out, err := csim(t, dir); err == nil || !strings.Contains(out, "1 outputs differ") {
				t.Fatalf("csim with a wrong expected output: %v\n%s", err, out)
			}
		})
	}
}

// breakExpected adds one to the first expected output of the testbench.
func breakExpected(t *testing.T, dir string) {
	p := filepath.Join(dir, "testbench_data.h")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "tb_expected[] = {\n") + len("tb_expected[] = {\n")
	j := i + strings.Index(s[i:], ",")
	v := strings.TrimSpace(s[i:j])
	s = s[:i] + v + "+1" + s[j:]
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRefuses: floating-point designs and BN after a pool are errors.
func TestRefuses(t *testing.T) {
	n := net()
	d, pool := design(t, n, fpga.Shared, fpga.Int16)
	d.Precision = fpga.FP32
	calib, labels := mnist(t, 2, 1)
	if _, err := Write(t.TempDir(), Input{Network: n, Weights: hwnastest.Weights(t, n), Design: d, Pool: pool, Calib: calib, Test: calib, Labels: labels}); err == nil || !strings.Contains(err.Error(), "fp32") {
		t.Errorf("fp32 design: %v", err)
	}
	n.Layers[4].BN = true // the average pool
	if _, err := Quantize(n, hwnastest.Weights(t, net()), nil, nil, calib, 2, 16); err == nil || !strings.Contains(err.Error(), "cannot be folded") {
		t.Errorf("BN after a pool: %v", err)
	}
}

// TestGolden: the schedule, the configuration and the README of the shared
// design are as reviewed (go test ./export/hls -update rewrites them).
func TestGolden(t *testing.T) {
	n := net()
	d, pool := design(t, n, fpga.Shared, fpga.Int16)
	calib, _ := mnist(t, 4, 1)
	test, labels := mnist(t, 2, 2)
	dir := t.TempDir()
	if _, err := Write(dir, Input{Name: "golden", Network: n, Weights: hwnastest.Weights(t, n), Mean: mean, Std: std,
		Design: d, Pool: pool, Calib: calib, Test: test, Labels: labels}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"README.md", "hwnas_net.cpp", "hwnas_config.h"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		golden.Check(t, "shared_"+f, string(b))
	}
}
