package onnx

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/arch/nb201"
	"github.com/hwnas/hwnas/engine/nn"
	"github.com/hwnas/hwnas/internal/hwnastest"
)

// nets are networks that use every op and option the IR has: grouped and
// depthwise convs, asymmetric padding, batch norm on conv and dense, every
// pool, residual add of three inputs, concat, a dense feeding a dense, and a
// conv head whose output is N×classes×1×1.
func nets() map[string]*arch.Network {
	out := map[string]*arch.Network{"reference": nn.Reference()}

	n := &arch.Network{Input: arch.Shape{H: 28, W: 28, C: 1}, Classes: 10}
	a := n.Append(arch.Layer{Op: arch.Conv, Kernel: 3, Stride: 2, Pad: 1, Out: 8, BN: true, Act: arch.ReLU}, arch.Input)
	b := n.Append(arch.Layer{Op: arch.Conv, Kernel: 3, Stride: 1, Pad: 1, Out: 8, Groups: 8, BN: true, Act: arch.ReLU}, a)
	c := n.Append(arch.Layer{Op: arch.Conv, Kernel: 4, Stride: 1, Pad: 1, PadAfter: 1, Out: 8, Groups: 2}, b)
	s := n.Append(arch.Layer{Op: arch.Add, Act: arch.ReLU}, a, b, c)
	p := n.Append(arch.Layer{Op: arch.AvgPool, Kernel: 3, Stride: 1, Pad: 1}, s)
	x := n.Append(arch.Layer{Op: arch.Concat}, s, p)
	x = n.Append(arch.Layer{Op: arch.MaxPool, Kernel: 3, Stride: 2, Pad: 1}, x)
	x = n.Append(arch.Layer{Op: arch.Dense, Out: 24, BN: true, Act: arch.ReLU}, x)
	n.Append(arch.Layer{Op: arch.Dense, Out: 10}, x)
	out["every-op"] = n

	h := &arch.Network{Input: arch.Shape{H: 28, W: 28, C: 1}, Classes: 10}
	y := h.Append(arch.Layer{Op: arch.Conv, Kernel: 5, Stride: 1, Pad: 2, Out: 6, Act: arch.ReLU}, arch.Input)
	y = h.Append(arch.Layer{Op: arch.Conv, Kernel: 1, Stride: 1, Out: 10, BN: true}, y)
	h.Append(arch.Layer{Op: arch.GlobalAvgPool}, y)
	out["conv-head"] = h

	// An mbconv block as the chain space decodes it (arch/mbconv.go):
	// 1×1 expansion, 5×5 depthwise, linear 1×1 projection, shortcut.
	m := &arch.Network{Input: arch.Shape{H: 28, W: 28, C: 1}, Classes: 10}
	in := m.Append(arch.Layer{Name: "stem", Op: arch.Conv, Kernel: 3, Stride: 2, Pad: 1, Out: 8, BN: true, Act: arch.ReLU}, arch.Input)
	z := m.Append(arch.Layer{Name: "b.expand", Op: arch.Conv, Kernel: 1, Stride: 1, Out: 24, BN: true, Act: arch.ReLU}, in)
	z = m.Append(arch.Layer{Name: "b.dw", Op: arch.Conv, Kernel: 5, Stride: 1, Pad: 2, Groups: 24, Out: 24, BN: true, Act: arch.ReLU}, z)
	z = m.Append(arch.Layer{Name: "b.project", Op: arch.Conv, Kernel: 1, Stride: 1, Out: 8, BN: true}, z)
	z = m.Append(arch.Layer{Name: "b.add", Op: arch.Add}, in, z)
	z = m.Append(arch.Layer{Op: arch.GlobalAvgPool}, z)
	m.Append(arch.Layer{Op: arch.Dense, Out: 10}, z)
	out["mbconv"] = m
	return out
}

// images returns n MNIST test images, raw and normalised with mean and std.
func images(t *testing.T, n int, mean, std []float32) (raw, norm []float32) {
	t.Helper()
	sub := hwnastest.MNISTTest(t, n, 9)
	ns, err := sub.Normalize(mean, std)
	if err != nil {
		t.Fatal(err)
	}
	return sub.X, ns.X
}

// TestMatchesEngine: every network, exported and run by the reference
// evaluator on 100 raw MNIST images, gives the training engine's outputs on
// the same images normalised, within 1e-4.
func TestMatchesEngine(t *testing.T) {
	mean, std := []float32{0.1307}, []float32{0.3081}
	raw, norm := images(t, 100, mean, std)
	for name, net := range nets() {
		t.Run(name, func(t *testing.T) {
			w := hwnastest.Weights(t, net)
			want, err := nn.Forward(net, w, norm, 100)
			if err != nil {
				t.Fatal(err)
			}
			b, err := Encode(net, w, Options{Mean: mean, Std: std, Name: name})
			if err != nil {
				t.Fatal(err)
			}
			m, err := Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			got, dims, err := m.Run(raw, []int{100, 1, 28, 28})
			if err != nil {
				t.Fatal(err)
			}
			if len(dims) != 2 || dims[0] != 100 || dims[1] != 10 {
				t.Fatalf("output shape %v, want [100 10]", dims)
			}
			for i := range want {
				if d := math.Abs(float64(got[i] - want[i])); !(d <= 1e-4) {
					t.Fatalf("image %d class %d: ONNX %g, engine %g (|Δ| %g > 1e-4)", i/10, i%10, got[i], want[i], d)
				}
			}
		})
	}
}

// TestChannelsLayout: with three input channels the NHWC→NCHW reordering of
// conv and dense weights and of the normalisation is checked on random images.
func TestChannelsLayout(t *testing.T) {
	net := &arch.Network{Input: arch.Shape{H: 6, W: 5, C: 3}, Classes: 4}
	x := net.Append(arch.Layer{Op: arch.Conv, Kernel: 3, Stride: 1, Pad: 1, Out: 6, Groups: 3, Act: arch.ReLU}, arch.Input)
	net.Append(arch.Layer{Op: arch.Dense, Out: 4}, x)
	w := hwnastest.Weights(t, net)
	r := rand.New(rand.NewPCG(3, 4))
	nhwc := make([]float32, 2*6*5*3)
	for i := range nhwc {
		nhwc[i] = float32(r.Float64())
	}
	mean, std := []float32{0.1, 0.2, 0.3}, []float32{0.5, 1, 2}
	norm := make([]float32, len(nhwc))
	nchw := make([]float32, len(nhwc))
	for i, v := range nhwc {
		ch := i % 3
		norm[i] = (v - mean[ch]) * (1 / std[ch])
		img, pos := i/90, (i%90)/3
		nchw[img*90+ch*30+pos] = v
	}
	want, err := nn.Forward(net, w, norm, 2)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Encode(net, w, Options{Mean: mean, Std: std})
	if err != nil {
		t.Fatal(err)
	}
	m, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := m.Run(nchw, []int{2, 3, 6, 5})
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if d := math.Abs(float64(got[i] - want[i])); !(d <= 1e-4) {
			t.Fatalf("output %d: ONNX %g, engine %g", i, got[i], want[i])
		}
	}
}

// TestChecker: Debian's python3-onnx checker (with full_check: strict shape
// inference) accepts every exported model. Without python3-onnx it skips,
// and fails under CI=true.
func TestChecker(t *testing.T) {
	py := hwnastest.NeedPython(t, "onnx")
	dir := t.TempDir()
	var paths []string
	for name, net := range nets() {
		p := filepath.Join(dir, name+".onnx")
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := Write(f, net, hwnastest.Weights(t, net), Options{Mean: []float32{0.1307}, Std: []float32{0.3081}, Name: name}); err != nil {
			t.Fatal(err)
		}
		f.Close()
		paths = append(paths, p)
	}
	script := `import sys, onnx
for p in sys.argv[1:]:
    m = onnx.load(p)
    onnx.checker.check_model(m, full_check=True)
    out = onnx.shape_inference.infer_shapes(m, strict_mode=True).graph.output[0]
    dims = [d.dim_value or d.dim_param for d in out.type.tensor_type.shape.dim]
    print(p, m.opset_import[0].version, dims)
`
	out, err := exec.Command(py, append([]string{"-c", script}, paths...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("onnx checker: %v\n%s", err, out)
	}
	if got := strings.Count(string(out), " 13 ['N', 10]"); got != len(paths) {
		t.Errorf("checker output:\n%s\nwant %d models at opset 13 with output [N, 10]", out, len(paths))
	}
}

// TestZooAndCells: a NAS-Bench-201 cell network (3-channel input, residual
// adds of several inputs, average pools, 1×1 and 3×3 convs with BN) and
// LeNet-5 export, pass the checker, and match the engine on random images.
func TestZooAndCells(t *testing.T) {
	cell, err := nb201.Network("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|skip_connect~2|")
	if err != nil {
		t.Fatal(err)
	}
	lenet, err := arch.Zoo("lenet5")
	if err != nil {
		t.Fatal(err)
	}
	py := hwnastest.NeedPython(t, "onnx")
	for name, net := range map[string]*arch.Network{"nb201": cell, "lenet5": lenet} {
		t.Run(name, func(t *testing.T) {
			w := hwnastest.Weights(t, net)
			in := net.Input
			r := rand.New(rand.NewPCG(7, 8))
			nhwc := make([]float32, 2*in.Size())
			nchw := make([]float32, len(nhwc))
			for i := range nhwc {
				nhwc[i] = float32(r.NormFloat64())
				img, pos, ch := i/int(in.Size()), (i%int(in.Size()))/in.C, i%in.C
				nchw[img*int(in.Size())+ch*in.H*in.W+pos] = nhwc[i]
			}
			want, err := nn.Forward(net, w, nhwc, 2)
			if err != nil {
				t.Fatal(err)
			}
			b, err := Encode(net, w, Options{Name: name})
			if err != nil {
				t.Fatal(err)
			}
			m, err := Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := m.Run(nchw, []int{2, in.C, in.H, in.W})
			if err != nil {
				t.Fatal(err)
			}
			for i := range want {
				if d := math.Abs(float64(got[i] - want[i])); !(d <= 1e-4*max(1, math.Abs(float64(want[i])))) {
					t.Fatalf("output %d: ONNX %g, engine %g", i, got[i], want[i])
				}
			}
			p := filepath.Join(t.TempDir(), name+".onnx")
			os.WriteFile(p, b, 0o644)
			if out, err := exec.Command(py, "-c", "import sys, onnx; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)", p).CombinedOutput(); err != nil {
				t.Fatalf("onnx checker: %v\n%s", err, out)
			}
		})
	}
}

// TestTorch: PyTorch, running the model as the onnx package parses it
// (testdata/torch_eval.py), gives the training engine's outputs on 100
// MNIST images within 1e-4: a check of the export independent of Run.
// Without python3-onnx and python3-torch it skips, and fails under CI=true.
func TestTorch(t *testing.T) {
	py := hwnastest.NeedPython(t, "onnx", "torch")
	mean, std := []float32{0.1307}, []float32{0.3081}
	raw, norm := images(t, 100, mean, std)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.f32")
	if err := os.WriteFile(in, f32bytes(raw), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, net := range nets() {
		t.Run(name, func(t *testing.T) {
			w := hwnastest.Weights(t, net)
			want, err := nn.Forward(net, w, norm, 100)
			if err != nil {
				t.Fatal(err)
			}
			model, out := filepath.Join(dir, name+".onnx"), filepath.Join(dir, name+".out")
			f, err := os.Create(model)
			if err != nil {
				t.Fatal(err)
			}
			if err := Write(f, net, w, Options{Mean: mean, Std: std}); err != nil {
				t.Fatal(err)
			}
			f.Close()
			if o, err := exec.Command(py, "testdata/torch_eval.py", model, in, "100", "1", "28", "28", out).CombinedOutput(); err != nil {
				t.Fatalf("torch_eval.py: %v\n%s", err, o)
			}
			b, err := os.ReadFile(out)
			if err != nil || len(b) != 4*len(want) {
				t.Fatalf("torch output: %v, %d bytes for %d values", err, len(b), len(want))
			}
			for i := range want {
				got := math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
				if d := math.Abs(float64(got - want[i])); !(d <= 1e-4) {
					t.Fatalf("image %d class %d: torch %g, engine %g", i/10, i%10, got, want[i])
				}
			}
		})
	}
}

func f32bytes(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}
