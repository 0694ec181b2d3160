package fpga

import (
	"testing"

	"github.com/hwnas/hwnas/arch"
)

// netFromBytes builds a small network from fuzz input: each layer takes
// three bytes (op, a size parameter, which earlier layer it reads).
func netFromBytes(data []byte) *arch.Network {
	n := &arch.Network{Input: arch.Shape{H: 4 + int(data[0]%29), W: 4 + int(data[0]%17), C: 1 + int(data[0]%7)}}
	ops := []arch.Op{arch.Conv, arch.Conv, arch.MaxPool, arch.AvgPool, arch.GlobalAvgPool, arch.Dense, arch.Add, arch.Concat}
	for i := 1; i+2 < len(data) && len(n.Layers) < 8; i += 3 {
		op := ops[int(data[i])%len(ops)]
		k := int(data[i+1]%6) - 1 // -1..4: bad values included
		from := int(data[i+2])%(len(n.Layers)+1) - 1
		l := arch.Layer{Op: op, Kernel: k, Stride: 1 + int(data[i+1]%3) - 1, Pad: k / 2, Out: int(data[i+1]%9) - 1, Groups: int(data[i+2] % 3)}
		if op == arch.Add || op == arch.Concat {
			n.Append(l, from, len(n.Layers)-1)
		} else {
			n.Append(l, from)
		}
	}
	return n
}

// FuzzEstimate feeds arbitrary (often impossible) networks and designs to the
// model: it must answer or return an error, never panic.
func FuzzEstimate(f *testing.F) {
	f.Add([]byte{7, 0, 3, 0, 2, 2, 1, 5, 4, 2})
	f.Add([]byte{20, 1, 5, 0, 6, 0, 1, 4, 1, 1, 5, 9, 2})
	f.Add([]byte{1})
	p := mustLookup(f, "PYNQ-Z1")
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		n := netFromBytes(data)
		_ = n.Infer() // an error leaves shapes unset; the model must reject them
		tl := Tiling{1 + int(data[0]%16), 1 + int(data[len(data)-1]%16), 1 + int(data[0]%9), 1 + int(data[0]%5)}
		for _, m := range []Mode{Shared, Pipeline, Multi} {
			_, _ = Estimate(n, p, Design{Mode: m, Precision: Int16, Tilings: []Tiling{tl}})
			_, _ = Estimate(n, p, Design{Mode: m, Template: FNAS, Precision: FP32, Tilings: []Tiling{tl}})
		}
		if len(data) < 12 {
			_, _, _ = Optimize(n, p, Options{Mode: Shared})
			_, _, _ = Optimize(n, p, Options{Mode: Pipeline, Template: FNAS})
		}
	})
}
