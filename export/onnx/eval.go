package onnx

import (
	"fmt"
	"math"
	"slices"
)

// value is a float tensor during Run.
type value struct {
	dims []int
	data []float32
}

func size(dims []int) int {
	s := 1
	for _, d := range dims {
		s *= d
	}
	return s
}

// maxWork bounds the multiply-adds (or window reads) of one node, so that
// a hostile model cannot make Run take hours; the fuzz test lowers it.
var maxWork int64 = 1 << 40

func checkWork(dims ...int) error {
	w := int64(1)
	for _, d := range dims {
		w *= int64(d)
		if w > maxWork {
			return fmt.Errorf("%v multiply-adds are more than the reference evaluator does (%d)", dims, maxWork)
		}
	}
	return nil
}

// maxKernel bounds the kernels Run accepts; pads must be smaller than the kernel.
const maxKernel = 64

// maxRun bounds the elements of any value Run makes.
const maxRun = 1 << 26

// checkDims refuses a shape with a negative dimension or over maxRun
// elements (or maxWork).
func checkDims(dims []int) error {
	s := 1
	for _, d := range dims {
		if d < 0 || d > maxRun || s*d > maxRun {
			return fmt.Errorf("shape %v is out of range", dims)
		}
		s *= d
	}
	return checkWork(dims...)
}

// Run evaluates the model's one input x of shape dims and returns its first
// output and that output's shape. It is a plain reference evaluator for the
// ops Encode writes (ONNX operator semantics at opset 13), accumulating in
// float64; any other op or attribute value is an error.
func (m *Model) Run(x []float32, dims []int) ([]float32, []int, error) {
	if len(m.Inputs) != 1 || len(m.Outputs) == 0 {
		return nil, nil, fmt.Errorf("onnx: run: %d inputs and %d outputs, want one of each", len(m.Inputs), len(m.Outputs))
	}
	if size(dims) != len(x) {
		return nil, nil, fmt.Errorf("onnx: run: %d values for shape %v", len(x), dims)
	}
	vals := map[string]value{m.Inputs[0]: {dims, x}}
	ints := map[string][]int64{}
	for name, t := range m.Inits {
		if t.Ints != nil {
			ints[name] = t.Ints
			continue
		}
		d := make([]int, len(t.Dims))
		for i, v := range t.Dims {
			d[i] = int(v)
		}
		vals[name] = value{d, t.Float}
	}
	for _, n := range m.Nodes {
		in := make([]value, len(n.Inputs))
		for i, s := range n.Inputs {
			v, ok := vals[s]
			if _, isInt := ints[s]; !ok && !isInt {
				return nil, nil, fmt.Errorf("onnx: node %s (%s): input %q is not defined before it", n.Name, n.Op, s)
			}
			in[i] = v
		}
		if len(n.Outputs) != 1 {
			return nil, nil, fmt.Errorf("onnx: node %s (%s): %d outputs, want 1", n.Name, n.Op, len(n.Outputs))
		}
		out, err := n.eval(in, ints)
		if err != nil {
			return nil, nil, fmt.Errorf("onnx: node %s (%s): %w", n.Name, n.Op, err)
		}
		vals[n.Outputs[0]] = out
	}
	out, ok := vals[m.Outputs[0]]
	if !ok {
		return nil, nil, fmt.Errorf("onnx: output %q is never computed", m.Outputs[0])
	}
	return out.data, out.dims, nil
}

// eval applies one node.
func (n *Node) eval(in []value, ints map[string][]int64) (value, error) {
	need := map[string]int{"Conv": 2, "Gemm": 2, "BatchNormalization": 5, "Add": 2, "Sub": 2, "Mul": 2, "Reshape": 2}[n.Op]
	if len(in) < max(need, 1) {
		return value{}, fmt.Errorf("%d inputs, want at least %d", len(in), max(need, 1))
	}
	for i, v := range in {
		if v.data == nil && !(n.Op == "Reshape" && i == 1) {
			return value{}, fmt.Errorf("input %d is not a float tensor", i)
		}
	}
	switch n.Op {
	case "Identity":
		return in[0], nil
	case "Relu":
		out := value{in[0].dims, make([]float32, len(in[0].data))}
		for i, v := range in[0].data {
			out.data[i] = max(v, 0)
		}
		return out, nil
	case "Add", "Sub", "Mul":
		return broadcast(n.Op, in[0], in[1])
	case "Conv":
		return n.conv(in)
	case "BatchNormalization":
		return batchNorm(in, n.Floats["epsilon"])
	case "MaxPool", "AveragePool":
		return n.pool(in[0])
	case "GlobalAveragePool":
		return globalAvg(in[0])
	case "Flatten":
		return n.flatten(in[0])
	case "Gemm":
		return n.gemm(in)
	case "Concat":
		return n.concat(in)
	case "Reshape":
		return reshape(in[0], ints[n.Inputs[1]])
	}
	return value{}, fmt.Errorf("op %s is not supported by the reference evaluator", n.Op)
}

// broadcast applies an element-wise op with numpy broadcasting.
func broadcast(op string, a, b value) (value, error) {
	r := max(len(a.dims), len(b.dims))
	pad := func(d []int) []int { return append(slices.Repeat([]int{1}, r-len(d)), d...) }
	ad, bd := pad(a.dims), pad(b.dims)
	dims := make([]int, r)
	for i := range r {
		switch {
		case ad[i] == bd[i] || bd[i] == 1:
			dims[i] = ad[i]
		case ad[i] == 1:
			dims[i] = bd[i]
		default:
			return value{}, fmt.Errorf("shapes %v and %v do not broadcast", a.dims, b.dims)
		}
	}
	if err := checkDims(dims); err != nil {
		return value{}, err
	}
	out := value{dims, make([]float32, size(dims))}
	idx := make([]int, r)
	for i := range out.data {
		ia, ib := 0, 0
		for k := range r {
			ia = ia*ad[k] + min(idx[k], ad[k]-1)
			ib = ib*bd[k] + min(idx[k], bd[k]-1)
		}
		x, y := a.data[ia], b.data[ib]
		switch op {
		case "Add":
			out.data[i] = x + y
		case "Sub":
			out.data[i] = x - y
		default:
			out.data[i] = x * y
		}
		for k := r - 1; k >= 0; k-- {
			if idx[k]++; idx[k] < dims[k] {
				break
			}
			idx[k] = 0
		}
	}
	return out, nil
}

// window reads the kernel, strides and pads of a conv or pool over an
// N×C×H×W input and returns the output height and width.
func (n *Node) window(x value, kernel []int) (k, s, p [4]int, oh, ow int, err error) {
	if len(x.dims) != 4 {
		return k, s, p, 0, 0, fmt.Errorf("input has shape %v, want N×C×H×W", x.dims)
	}
	if d := n.Ints["dilations"]; d != nil && (len(d) != 2 || d[0] != 1 || d[1] != 1) {
		return k, s, p, 0, 0, fmt.Errorf("dilations %v: only 1 is supported", d)
	}
	if c := n.Ints["ceil_mode"]; len(c) > 0 && c[0] != 0 {
		return k, s, p, 0, 0, fmt.Errorf("ceil_mode 1 is not supported")
	}
	k = [4]int{kernel[0], kernel[1]}
	s = [4]int{1, 1}
	for i, v := range n.Ints["strides"] {
		if i < 2 {
			s[i] = int(v)
		}
	}
	for i, v := range n.Ints["pads"] {
		if i < 4 {
			p[i] = int(v)
		}
	}
	// Bounded so that a hostile model cannot make Run loop for ever.
	if k[0] < 1 || k[1] < 1 || k[0] > maxKernel || k[1] > maxKernel || s[0] < 1 || s[1] < 1 ||
		slices.Min(p[:]) < 0 || slices.Max(p[:]) >= max(k[0], k[1]) {
		return k, s, p, 0, 0, fmt.Errorf("kernel %v, strides %v, pads %v out of range", k[:2], s[:2], p)
	}
	oh = (x.dims[2]+p[0]+p[2]-k[0])/s[0] + 1
	ow = (x.dims[3]+p[1]+p[3]-k[1])/s[1] + 1
	if oh < 1 || ow < 1 {
		return k, s, p, 0, 0, fmt.Errorf("kernel %v does not fit input %v", k[:2], x.dims)
	}
	if err := checkDims([]int{x.dims[0], x.dims[1], oh, ow}); err != nil {
		return k, s, p, 0, 0, err
	}
	return k, s, p, oh, ow, nil
}

func (n *Node) conv(in []value) (value, error) {
	x, w := in[0], in[1]
	if len(w.dims) != 4 {
		return value{}, fmt.Errorf("weights have shape %v, want M×C/group×kH×kW", w.dims)
	}
	k, s, p, oh, ow, err := n.window(x, w.dims[2:])
	if err != nil {
		return value{}, err
	}
	g := 1
	if v := n.Ints["group"]; len(v) == 1 {
		g = int(v[0])
	}
	nb, c, h, wd := x.dims[0], x.dims[1], x.dims[2], x.dims[3]
	m, cg := w.dims[0], w.dims[1]
	if g < 1 || c%g != 0 || m%g != 0 || c/g != cg || (len(in) > 2 && len(in[2].data) != m) {
		return value{}, fmt.Errorf("group %d does not fit input %v and weights %v", g, x.dims, w.dims)
	}
	if err := checkDims([]int{nb, m, oh, ow}); err != nil {
		return value{}, err
	}
	if err := checkWork(nb, m, oh, ow, cg, k[0], k[1]); err != nil {
		return value{}, err
	}
	out := value{[]int{nb, m, oh, ow}, make([]float32, nb*m*oh*ow)}
	for b := range nb {
		for o := range m {
			gi := o / (m / g)
			for oy := range oh {
				for ox := range ow {
					var acc float64
					if len(in) > 2 {
						acc = float64(in[2].data[o])
					}
					for ci := range cg {
						for ky := range k[0] {
							iy := oy*s[0] - p[0] + ky
							for kx := range k[1] {
								ix := ox*s[1] - p[1] + kx
								if iy < 0 || iy >= h || ix < 0 || ix >= wd {
									continue
								}
								acc += float64(x.data[((b*c+gi*cg+ci)*h+iy)*wd+ix]) * float64(w.data[((o*cg+ci)*k[0]+ky)*k[1]+kx])
							}
						}
					}
					out.data[((b*m+o)*oh+oy)*ow+ox] = float32(acc)
				}
			}
		}
	}
	return out, nil
}

func batchNorm(in []value, eps float32) (value, error) {
	x := in[0]
	if len(x.dims) < 2 {
		return value{}, fmt.Errorf("input has shape %v, want N×C×…", x.dims)
	}
	c := x.dims[1]
	for i := 1; i < 5; i++ {
		if len(in[i].data) != c {
			return value{}, fmt.Errorf("input %d has %d values for %d channels", i, len(in[i].data), c)
		}
	}
	inner := size(x.dims[2:])
	out := value{x.dims, make([]float32, len(x.data))}
	for i, v := range x.data {
		ch := (i / inner) % c
		y := (float64(v)-float64(in[3].data[ch]))/math.Sqrt(float64(in[4].data[ch])+float64(eps))*float64(in[1].data[ch]) + float64(in[2].data[ch])
		out.data[i] = float32(y)
	}
	return out, nil
}

// pool is MaxPool (padding never wins) or AveragePool (count_include_pad 0:
// the mean of the window's elements inside the map).
func (n *Node) pool(x value) (value, error) {
	ks := n.Ints["kernel_shape"]
	if len(ks) != 2 {
		return value{}, fmt.Errorf("kernel_shape %v, want two values", ks)
	}
	if c := n.Ints["count_include_pad"]; len(c) > 0 && c[0] != 0 {
		return value{}, fmt.Errorf("count_include_pad 1 is not supported")
	}
	k, s, p, oh, ow, err := n.window(x, []int{int(ks[0]), int(ks[1])})
	if err != nil {
		return value{}, err
	}
	nb, c, h, w := x.dims[0], x.dims[1], x.dims[2], x.dims[3]
	if err := checkWork(nb, c, oh, ow, k[0], k[1]); err != nil {
		return value{}, err
	}
	out := value{[]int{nb, c, oh, ow}, make([]float32, nb*c*oh*ow)}
	for bc := range nb * c {
		src := x.data[bc*h*w : (bc+1)*h*w]
		for oy := range oh {
			for ox := range ow {
				y0, y1 := max(oy*s[0]-p[0], 0), min(oy*s[0]-p[0]+k[0], h)
				x0, x1 := max(ox*s[1]-p[1], 0), min(ox*s[1]-p[1]+k[1], w)
				best, sum := float32(math.Inf(-1)), 0.0
				for iy := y0; iy < y1; iy++ {
					for ix := x0; ix < x1; ix++ {
						best = max(best, src[iy*w+ix])
						sum += float64(src[iy*w+ix])
					}
				}
				r := best
				if n.Op == "AveragePool" {
					r = float32(sum / float64(max((y1-y0)*(x1-x0), 1)))
				}
				out.data[(bc*oh+oy)*ow+ox] = r
			}
		}
	}
	return out, nil
}

func globalAvg(x value) (value, error) {
	if len(x.dims) != 4 {
		return value{}, fmt.Errorf("input has shape %v, want N×C×H×W", x.dims)
	}
	hw := x.dims[2] * x.dims[3]
	out := value{[]int{x.dims[0], x.dims[1], 1, 1}, make([]float32, x.dims[0]*x.dims[1])}
	for i := range out.data {
		var s float64
		for _, v := range x.data[i*hw : (i+1)*hw] {
			s += float64(v)
		}
		out.data[i] = float32(s / float64(hw))
	}
	return out, nil
}

func (n *Node) flatten(x value) (value, error) {
	axis := 1
	if a := n.Ints["axis"]; len(a) == 1 {
		axis = int(a[0])
	}
	if axis < 0 || axis > len(x.dims) {
		return value{}, fmt.Errorf("axis %d out of range for shape %v", axis, x.dims)
	}
	return value{[]int{size(x.dims[:axis]), size(x.dims[axis:])}, x.data}, nil
}

// gemm is Y = A·B + C with alpha = beta = 1 and no transposition of A.
func (n *Node) gemm(in []value) (value, error) {
	for _, a := range []string{"transA", "transB"} {
		if v := n.Ints[a]; len(v) > 0 && v[0] != 0 {
			return value{}, fmt.Errorf("%s = 1 is not supported", a)
		}
	}
	for _, a := range []string{"alpha", "beta"} {
		if v, ok := n.Floats[a]; ok && v != 1 {
			return value{}, fmt.Errorf("%s = %g is not supported", a, v)
		}
	}
	a, b := in[0], in[1]
	if len(a.dims) != 2 || len(b.dims) != 2 || a.dims[1] != b.dims[0] || (len(in) > 2 && len(in[2].data) != b.dims[1]) {
		return value{}, fmt.Errorf("shapes %v and %v do not multiply", a.dims, b.dims)
	}
	rows, kk, cols := a.dims[0], a.dims[1], b.dims[1]
	if err := checkWork(rows, kk, cols); err != nil {
		return value{}, err
	}
	out := value{[]int{rows, cols}, make([]float32, rows*cols)}
	for r := range rows {
		for c := range cols {
			var acc float64
			if len(in) > 2 {
				acc = float64(in[2].data[c])
			}
			for i := range kk {
				acc += float64(a.data[r*kk+i]) * float64(b.data[i*cols+c])
			}
			out.data[r*cols+c] = float32(acc)
		}
	}
	return out, nil
}

func (n *Node) concat(in []value) (value, error) {
	axis := 1
	if a := n.Ints["axis"]; len(a) == 1 {
		axis = int(a[0])
	}
	d0 := in[0].dims
	if axis < 0 || axis >= len(d0) {
		return value{}, fmt.Errorf("axis %d out of range for shape %v", axis, d0)
	}
	dims := slices.Clone(d0)
	dims[axis] = 0
	for _, v := range in {
		if len(v.dims) != len(d0) || !slices.Equal(v.dims[:axis], d0[:axis]) || !slices.Equal(v.dims[axis+1:], d0[axis+1:]) {
			return value{}, fmt.Errorf("shapes %v and %v do not concatenate on axis %d", d0, v.dims, axis)
		}
		dims[axis] += v.dims[axis]
	}
	if err := checkDims(dims); err != nil {
		return value{}, err
	}
	out := value{dims, make([]float32, 0, size(dims))}
	outer := size(d0[:axis])
	for o := range outer {
		for _, v := range in {
			blk := size(v.dims[axis:])
			out.data = append(out.data, v.data[o*blk:(o+1)*blk]...)
		}
	}
	return out, nil
}

// reshape applies a shape with 0 (copy the dimension) and one -1 (infer).
func reshape(x value, shape []int64) (value, error) {
	dims := make([]int, len(shape))
	infer := -1
	known := 1
	for i, s := range shape {
		switch {
		case s == 0 && i < len(x.dims):
			dims[i] = x.dims[i]
		case s == -1 && infer < 0:
			infer = i
			continue
		case s > 0:
			dims[i] = int(s)
		default:
			return value{}, fmt.Errorf("shape %v is not supported", shape)
		}
		known *= dims[i]
	}
	if err := checkDims(dims); err != nil {
		return value{}, err
	}
	if infer >= 0 && known > 0 {
		dims[infer] = len(x.data) / known
	}
	if size(dims) != len(x.data) {
		return value{}, fmt.Errorf("shape %v does not hold %d values", shape, len(x.data))
	}
	return value{dims, x.data}, nil
}
