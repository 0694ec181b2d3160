package fpga

import (
	"testing"

	"github.com/hwnas/hwnas/arch"
)

// TestConvCostPaddedInput checks that the HotNAS/Zhang model's input tile is
// clipped to the padded map H+2P+PadAfter: a 28×28 map under a kernel-14
// 'same' conv (6 before, 7 after) is 41 rows high padded, and a tile
// covering it loads 41×41 words per input channel.
func TestConvCostPaddedInput(t *testing.T) {
	e := env{ports: Ports{1, 1, 1}, bits: 16, blk: 18432, bpc: 1e9}
	for _, c := range []struct {
		pad, after int
		tr         int
		want       int64 // input words of one tile, one channel
	}{
		{6, 1, 28, 41 * 41},
		{6, 0, 28, 40 * 40}, // symmetric padding: a 27×27 output, 40 rows
		{6, 1, 10, 23 * 23}, // a tile smaller than the map: S·Tr+K−S rows
		{2, 0, 28, 32 * 32},
	} {
		n := &arch.Network{Input: arch.Shape{H: 28, W: 28, C: 1}}
		k := 14
		if c.pad == 2 {
			k = 5
		}
		n.Append(arch.Layer{Op: arch.Conv, Kernel: k, Stride: 1, Pad: c.pad, PadAfter: c.after, Out: 4}, arch.Input)
		if err := n.Infer(); err != nil {
			t.Fatal(err)
		}
		d := layerDims(n, 0)
		got := convCost(&d, Tiling{Tm: 4, Tn: 1, Tr: c.tr, Tc: c.tr}, &e).tI
		if got != c.want {
			t.Errorf("k %d pad %d+%d tile %d: %d input words, want %d", k, c.pad, c.after, c.tr, got, c.want)
		}
	}
}
