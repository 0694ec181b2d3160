package nn

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/arch"
)

// netFromBytes decodes fuzz input into a small network: each layer takes 4
// bytes (op and flags, kernel/units, stride and padding, input choice).
func netFromBytes(b []byte) *arch.Network {
	n := &arch.Network{Input: arch.Shape{H: 2 + int(b[0]%7), W: 2 + int(b[1]%7), C: 1 + int(b[2]%3)}}
	b = b[3:]
	for len(b) >= 4 && len(n.Layers) < 8 {
		op := arch.Op(1 + b[0]%7)
		l := arch.Layer{Op: op, Kernel: 1 + int(b[1]%4), Stride: 1 + int(b[2]%2), Pad: int(b[2]/2) % 2,
			Out: 1 + int(b[1]%5), BN: b[0]&0x10 != 0}
		if b[0]&0x20 != 0 {
			l.Act = arch.ReLU
		}
		if b[0]&0x40 != 0 && op == arch.Conv {
			l.Groups = 2
		}
		last := len(n.Layers) - 1
		in := []int{last}
		if op == arch.Add || op == arch.Concat {
			in = append(in, int(b[3])%(len(n.Layers)+1)-1)
		} else if b[3]%3 == 0 {
			in = []int{int(b[3]/3)%(len(n.Layers)+1) - 1}
		}
		n.Append(l, in...)
		b = b[4:]
	}
	n.Append(arch.Layer{Op: arch.Dense, Out: 3}, len(n.Layers)-1)
	n.Classes = 3
	return n
}

// FuzzTrainNetwork trains one step of arbitrary small networks: any network
// that Infer accepts trains without a panic, and the loss is finite.
func FuzzTrainNetwork(f *testing.F) {
	f.Add([]byte{5, 5, 0, 0x21, 2, 0, 1, 0x02, 1, 1, 0, 0x06, 0, 0, 1})
	f.Add([]byte{3, 3, 1, 0x31, 2, 1, 0, 0x26, 0, 0, 0, 0x07, 1, 0, 0})
	f.Add([]byte{6, 4, 2, 0x41, 3, 0, 0, 0x04, 0, 0, 0, 0x15, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 3 {
			return
		}
		net := netFromBytes(b)
		if net.Infer() != nil {
			return
		}
		set := randomSet(net.Input, 3, 6)
		res, err := Train(context.Background(), net, set, set, nil, Config{Batch: 4, Threads: 2, Dropout: 0.1, MaxSteps: 2})
		if err != nil {
			if strings.Contains(err.Error(), "internal error") {
				t.Fatalf("%s: %v", net.Canonical(), err)
			}
			return
		}
		for _, l := range res.Loss {
			if math.IsNaN(float64(l)) {
				t.Fatalf("%s: loss %v", net.Canonical(), res.Loss)
			}
		}
	})
}
