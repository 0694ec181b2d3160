package engine

import (
	"strings"
	"testing"

	"github.com/hwnas/hwnas/engine/nn"
	"github.com/hwnas/hwnas/fpga"
	"github.com/hwnas/hwnas/fpga/lut"
	"github.com/hwnas/hwnas/internal/hwnastest"
)

// FuzzDecodeSearch feeds stored differentiable searches, valid and
// mangled, to the decoder: it must return an error or a state whose
// architecture parameters fit the space and whose epochs' reports render,
// never panic.
func FuzzDecodeSearch(f *testing.F) {
	sp := hwnastest.MobileSpace()
	dev, err := fpga.Lookup("PYNQ-Z1")
	if err != nil {
		f.Fatal(err)
	}
	table, err := lut.Build(sp, dev, fpga.Options{Precision: fpga.Int16})
	if err != nil {
		f.Fatal(err)
	}
	mn, err := newMixedNet(sp, table)
	if err != nil {
		f.Fatal(err)
	}
	pt := diffPoint{kind: "fbnet", p: map[string]float64{"warmup": 1}}
	st := newDiffState(mn, pt, nn.Config{Epochs: 2, Batch: 8}, 1)
	st.arch.Theta[0][1] = 0.5
	st.hist = []ArchEpoch{st.report(0, 0)}
	valid, err := st.encode()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add(valid[:len(diffMagic)+6])
	f.Add([]byte(diffMagic + "\x02\x00\x00\x00{}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		got := newDiffState(mn, pt, nn.Config{Epochs: 2, Batch: 8}, 1)
		if err := got.decode(b); err != nil {
			return
		}
		if err := got.arch.fits(mn); err != nil {
			t.Fatalf("decoded a state that does not fit: %v", err)
		}
		for _, ae := range got.hist {
			_ = ae.Line() + strings.Join(ae.Distribution(), "\n") // renderable
		}
		got.arch.adam(got.arch.Theta, 0.1, 0.9) // usable
	})
}
