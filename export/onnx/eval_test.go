package onnx

import (
	"slices"
	"testing"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/internal/hwnastest"
)

func ft(dims []int64, vs ...float32) Tensor { return Tensor{Dims: dims, Float: vs} }

// TestEvalKnownValues checks the reference evaluator against outputs worked
// out by hand from the ONNX operator definitions.
func TestEvalKnownValues(t *testing.T) {
	nine := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}
	four := []float32{1, 2, 3, 4}
	cases := []struct {
		name  string
		node  Node
		inits map[string]Tensor
		x     []float32
		dims  []int
		want  []float32
		wdims []int
	}{
		{"conv valid", Node{Op: "Conv", Inputs: []string{"x", "w"}},
			map[string]Tensor{"w": ft([]int64{1, 1, 2, 2}, 1, 1, 1, 1)}, nine, []int{1, 1, 3, 3},
			[]float32{12, 16, 24, 28}, []int{1, 1, 2, 2}},
		{"conv pad stride bias", Node{Op: "Conv", Inputs: []string{"x", "w", "b"}, Ints: map[string][]int64{"pads": {1, 1, 1, 1}, "strides": {2, 2}}},
			map[string]Tensor{"w": ft([]int64{1, 1, 2, 2}, 1, 1, 1, 1), "b": ft([]int64{1}, 100)}, nine, []int{1, 1, 3, 3},
			[]float32{101, 105, 111, 128}, []int{1, 1, 2, 2}},
		{"conv groups", Node{Op: "Conv", Inputs: []string{"x", "w"}, Ints: map[string][]int64{"group": {2}}},
			map[string]Tensor{"w": ft([]int64{2, 1, 1, 1}, 2, 10)}, four, []int{1, 2, 1, 2},
			[]float32{2, 4, 30, 40}, []int{1, 2, 1, 2}},
		{"avgpool excludes pad", Node{Op: "AveragePool", Inputs: []string{"x"}, Ints: map[string][]int64{"kernel_shape": {2, 2}, "pads": {1, 1, 0, 0}}},
			nil, four, []int{1, 1, 2, 2}, []float32{1, 1.5, 2, 2.5}, []int{1, 1, 2, 2}},
		{"maxpool", Node{Op: "MaxPool", Inputs: []string{"x"}, Ints: map[string][]int64{"kernel_shape": {2, 2}, "strides": {2, 2}, "pads": {0, 0, 1, 1}}},
			nil, nine, []int{1, 1, 3, 3}, []float32{5, 6, 8, 9}, []int{1, 1, 2, 2}},
		{"global average", Node{Op: "GlobalAveragePool", Inputs: []string{"x"}}, nil, four, []int{1, 2, 1, 2},
			[]float32{1.5, 3.5}, []int{1, 2, 1, 1}},
		{"gemm", Node{Op: "Gemm", Inputs: []string{"x", "w", "b"}},
			map[string]Tensor{"w": ft([]int64{2, 2}, 1, 2, 3, 4), "b": ft([]int64{2}, 10, 20)}, []float32{1, 2}, []int{1, 2},
			[]float32{17, 30}, []int{1, 2}},
		{"batchnorm", Node{Op: "BatchNormalization", Inputs: []string{"x", "s", "b", "m", "v"}, Floats: map[string]float32{"epsilon": 1}},
			map[string]Tensor{"s": ft([]int64{2}, 2, 1), "b": ft([]int64{2}, 0, 1), "m": ft([]int64{2}, 1, 0), "v": ft([]int64{2}, 3, 0)},
			[]float32{1, 2}, []int{1, 2}, []float32{0, 3}, []int{1, 2}},
		{"sub broadcast", Node{Op: "Sub", Inputs: []string{"x", "m"}}, map[string]Tensor{"m": ft([]int64{1, 2, 1, 1}, 1, 10)},
			four, []int{1, 2, 1, 2}, []float32{0, 1, -7, -6}, []int{1, 2, 1, 2}},
		{"relu", Node{Op: "Relu", Inputs: []string{"x"}}, nil, []float32{-1, 2}, []int{2}, []float32{0, 2}, []int{2}},
		{"concat channels", Node{Op: "Concat", Inputs: []string{"x", "x"}, Ints: map[string][]int64{"axis": {1}}}, nil,
			four, []int{2, 1, 1, 2}, []float32{1, 2, 1, 2, 3, 4, 3, 4}, []int{2, 2, 1, 2}},
		{"flatten", Node{Op: "Flatten", Inputs: []string{"x"}}, nil, four, []int{1, 2, 1, 2}, four, []int{1, 4}},
		{"reshape", Node{Op: "Reshape", Inputs: []string{"x", "s"}}, map[string]Tensor{"s": {Dims: []int64{4}, Ints: []int64{0, -1, 1, 1}}},
			four, []int{2, 2}, four, []int{2, 2, 1, 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.node.Outputs = []string{"y"}
			if c.node.Ints == nil {
				c.node.Ints = map[string][]int64{}
			}
			m := &Model{Nodes: []Node{c.node}, Inits: c.inits, Inputs: []string{"x"}, Outputs: []string{"y"}}
			got, dims, err := m.Run(c.x, c.dims)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, c.want) || !slices.Equal(dims, c.wdims) {
				t.Errorf("got %v %v, want %v %v", got, dims, c.want, c.wdims)
			}
		})
	}
}

// TestEvalRefuses: ops and attributes outside what Encode writes are errors.
func TestEvalRefuses(t *testing.T) {
	for _, n := range []Node{
		{Op: "Softmax", Inputs: []string{"x"}},
		{Op: "Gemm", Inputs: []string{"x", "x"}, Ints: map[string][]int64{"transB": {1}}},
		{Op: "MaxPool", Inputs: []string{"x"}, Ints: map[string][]int64{"kernel_shape": {2, 2}, "ceil_mode": {1}}},
		{Op: "Relu", Inputs: []string{"nowhere"}},
	} {
		n.Outputs = []string{"y"}
		m := &Model{Nodes: []Node{n}, Inputs: []string{"x"}, Outputs: []string{"y"}}
		if _, _, err := m.Run([]float32{1, 2, 3, 4}, []int{1, 1, 2, 2}); err == nil {
			t.Errorf("%s %v: no error", n.Op, n.Ints)
		}
	}
}

// FuzzDecode: Decode never panics, and what it accepts can be run on a small
// input without panicking.
func FuzzDecode(f *testing.F) {
	small := &arch.Network{Input: arch.Shape{H: 8, W: 8, C: 1}, Classes: 3}
	x := small.Append(arch.Layer{Op: arch.Conv, Kernel: 3, Stride: 1, Pad: 1, PadAfter: 1, Out: 2, BN: true, Act: arch.ReLU}, arch.Input)
	y := small.Append(arch.Layer{Op: arch.AvgPool, Kernel: 2, Stride: 2}, x)
	z := small.Append(arch.Layer{Op: arch.MaxPool, Kernel: 2, Stride: 2}, x)
	y = small.Append(arch.Layer{Op: arch.Concat}, y, z)
	y = small.Append(arch.Layer{Op: arch.Dense, Out: 3}, y)
	y = small.Append(arch.Layer{Op: arch.Dense, Out: 3}, y)
	small.Append(arch.Layer{Op: arch.Add}, y, y)
	for _, net := range []*arch.Network{small, nets()["conv-head"]} {
		b, err := Encode(net, hwnastest.Weights(f, net), Options{Mean: []float32{0.5}, Std: []float32{2}})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{0x3a, 0x02, 0x0a, 0x00})
	maxWork = 1 << 20 // every run stays short
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil || len(b) > 1<<16 {
			return
		}
		total := 0 // small weights keep every run short (Run's work grows with them)
		for _, v := range m.Inits {
			total += len(v.Float)
		}
		if total > 600 || len(m.Nodes) > 40 {
			return
		}
		m.Run(make([]float32, 8*8), []int{1, 1, 8, 8})
	})
}
