package lut

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/fpga"
)

func modelCSV(t testing.TB) []byte {
	tb, err := Build(mobile(), pynq(t), fpga.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := tb.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestCSVRoundTrip: a table written as CSV reads back as a measured table
// with the same sums.
func TestCSVRoundTrip(t *testing.T) {
	sp := mobile()
	tb, err := Build(sp, pynq(t), fpga.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := ReadCSV(bytes.NewReader(modelCSV(t)), sp, "PYNQ-Z1")
	if err != nil {
		t.Fatal(err)
	}
	g := []int{1, 2, 1, 0, 2, 0, 1, 0, 0, 1, 1, 0, 0, 2}
	a, _ := tb.Sum(g)
	b, err := m.Sum(g)
	if err != nil || a.LatencyMs != b.LatencyMs || a.EnergyMJ != b.EnergyMJ || a.BRAM18 != b.BRAM18 || a.DSP != b.DSP {
		t.Fatalf("sums %+v and %+v (%v)", a, b, err)
	}
}

func TestCSVErrors(t *testing.T) {
	good := string(modelCSV(t))
	lines := strings.Split(strings.TrimSuffix(good, "\n"), "\n")
	drop := func(i int) string { return strings.Join(slices.Concat(lines[:i], lines[i+1:]), "\n") }
	for _, c := range []struct{ in, want string }{
		{"", "1:1: empty file: want a header line position,candidate,latency_ms"},
		{"position,candidate,speed\n", `1:20: unknown column "speed"`},
		{"position,latency_ms\n", "1:1: the header has no candidate column"},
		{"position,candidate,latency_ms\nlayer9,skip,1\n", `2:1: unknown position "layer9" (space mobile has layer1, layer2`},
		{"position,candidate,latency_ms\nlayer2,mbconv(expand=2),1\n", `2:8: position layer2 has no candidate "mbconv(expand=2)" (it has mbconv(expand=1 kernel=3)`},
		{"position,candidate,latency_ms\nlayer2,skip,-1\n", `2:13: "-1" is not a number of zero or more`},
		{"position,candidate,latency_ms\nlayer2,skip,NaN\n", `2:13: "NaN" is not a number`},
		{"position,candidate,latency_ms,dsp\nlayer2,skip,1,2.5\n", `2:15: dsp "2.5": want a whole number`},
		{"position,candidate,latency_ms\nlayer2,skip,1\nlayer2,skip,2\n", "3:8: layer2 skip given twice (first on line 2)"},
		{"position,candidate,latency_ms\nlayer2,skip\n", "2:1: wrong number of fields"},
		{drop(3), "1 of 48 entries missing: layer2 mbconv(expand=1 kernel=5)"},
		{"position,candidate,latency_ms\n", "48 of 48 entries missing: layer1 conv; layer2 mbconv(expand=1 kernel=3);"},
	} {
		_, err := ReadCSV(strings.NewReader(c.in), mobile(), "x")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%.60q: error %v, want %q", c.in, err, c.want)
		}
	}
}

// FuzzReadCSV: any input gives a table or a one-line error, never a panic;
// a table read writes and reads back to the same CSV.
func FuzzReadCSV(f *testing.F) {
	seed, err := os.ReadFile("testdata/mobile-pynq.csv") // hwnas lut examples/oneshot_mnist.hwnas --csv
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte("position,candidate,latency_ms\n# comment\nlayer2,skip,1\n"))
	f.Add([]byte("position,candidate,latency_ms\n\"layer2\",\"sk\"ip\",1\n"))
	sp := mobile()
	f.Fuzz(func(t *testing.T, in []byte) {
		tb, err := ReadCSV(bytes.NewReader(in), sp, "x")
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error has several lines: %q", err)
			}
			return
		}
		var a, b bytes.Buffer
		if err := tb.WriteCSV(&a); err != nil {
			t.Fatal(err)
		}
		tb2, err := ReadCSV(bytes.NewReader(a.Bytes()), sp, "x")
		if err != nil {
			t.Fatalf("re-reading: %v", err)
		}
		tb2.WriteCSV(&b)
		if a.String() != b.String() {
			t.Fatalf("round trip changed the table:\n%s\n%s", a.String(), b.String())
		}
	})
}

func BenchmarkReadCSV(b *testing.B) {
	in, _ := os.ReadFile("testdata/mobile-pynq.csv")
	sp := mobile()
	for b.Loop() {
		if _, err := ReadCSV(bytes.NewReader(in), sp, "x"); err != nil {
			b.Fatal(err)
		}
	}
}
