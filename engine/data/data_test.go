package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/arch"
)

// idxBytes encodes an unsigned-byte IDX file.
func idxBytes(dims []int, vals []byte) []byte {
	b := []byte{0, 0, 8, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, uint32(d))
	}
	return append(b, vals...)
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func write(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMNIST(t *testing.T) {
	train, test, err := MNIST()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		s     *Set
		n     int
		first uint8
		zeros int // images labelled 0
	}{{train, 60000, 5, 5923}, {test, 10000, 7, 980}} {
		if err := c.s.Check(); err != nil {
			t.Fatal(err)
		}
		if c.s.Len() != c.n || c.s.Shape.String() != "28x28x1" || c.s.Classes != 10 {
			t.Errorf("got %d images of %s, %d classes; want %d of 28x28x1, 10", c.s.Len(), c.s.Shape, c.s.Classes, c.n)
		}
		if c.s.Y[0] != c.first {
			t.Errorf("first label %d, want %d", c.s.Y[0], c.first)
		}
		if z := strings.Count(string(c.s.Y), "\x00"); z != c.zeros {
			t.Errorf("%d zeros, want %d", z, c.zeros)
		}
		if lo, hi := slices.Min(c.s.X), slices.Max(c.s.X); lo != 0 || hi != 1 {
			t.Errorf("pixels in [%g, %g], want [0, 1]", lo, hi)
		}
	}
	again, _, _ := MNIST()
	if again != train {
		t.Error("MNIST decoded twice")
	}
}

func TestLoadIDX(t *testing.T) {
	dir := t.TempDir()
	img := idxBytes([]int{3, 2, 2}, []byte{0, 255, 51, 102, 1, 2, 3, 4, 5, 6, 7, 8})
	lab := idxBytes([]int{3}, []byte{1, 0, 4})
	for _, zip := range []bool{false, true} {
		i, l := img, lab
		if zip {
			i, l = gz(i), gz(l)
		}
		s, err := LoadIDX(write(t, dir, "i", i), write(t, dir, "l", l))
		if err != nil {
			t.Fatal(err)
		}
		if s.Len() != 3 || s.Shape.String() != "2x2x1" || s.Classes != 5 || s.X[1] != 1 || s.X[2] != 0.2 {
			t.Errorf("gzip %v: got %d images of %s, %d classes, X[:3] %v", zip, s.Len(), s.Shape, s.Classes, s.X[:3])
		}
	}
}

func TestLoadIDXErrors(t *testing.T) {
	dir := t.TempDir()
	good := write(t, dir, "good-labels", idxBytes([]int{2}, []byte{0, 1}))
	goodImg := write(t, dir, "good-images", idxBytes([]int{2, 1, 1}, []byte{0, 1}))
	for _, c := range []struct {
		name, images, labels string
		want                 string
	}{
		{"missing", filepath.Join(dir, "nope"), good, "nope: no such file"},
		{"truncated", write(t, dir, "trunc", idxBytes([]int{2, 2, 2}, []byte{1, 2, 3})), good, "trunc: IDX data truncated: dimensions [2 2 2] need 8 bytes, file has 3"},
		{"short header", write(t, dir, "short", []byte{0, 0, 8}), good, "short: IDX magic number: file truncated"},
		{"bad magic", write(t, dir, "magic", []byte("PK\x03\x04 not idx")), good, "magic: IDX magic number 50 4b 03 04: first two bytes must be zero"},
		{"float type", write(t, dir, "float", []byte{0, 0, 0x0d, 1, 0, 0, 0, 0}), good, "float: IDX type code 0x0d"},
		{"trailing", write(t, dir, "trail", idxBytes([]int{2, 1, 1}, []byte{1, 2, 3})), good, "trail: IDX data: trailing bytes"},
		{"bad gzip", write(t, dir, "badgz", []byte{0x1f, 0x8b, 0, 0}), good, "badgz: gzip header"},
		{"corrupt gzip", write(t, dir, "cgz", gz(idxBytes([]int{2, 1, 1}, []byte{1, 2}))[:20]), good, "cgz: IDX"},
		{"count mismatch", goodImg, write(t, dir, "l3", idxBytes([]int{3}, []byte{0, 1, 2})), "has 2 images but"},
		{"labels 2-D", goodImg, write(t, dir, "l2d", idxBytes([]int{2, 1}, []byte{0, 1})), "l2d: label file has dimensions [2 1]"},
		{"images 1-D", write(t, dir, "i1d", idxBytes([]int{2}, []byte{0, 1})), good, "i1d: image file has dimensions [2]"},
		{"huge dims", write(t, dir, "huge", idxBytes([]int{1 << 30, 1 << 30, 1}, nil)), good, "huge: IDX dimensions [1073741824 1073741824] announce more than"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadIDX(c.images, c.labels)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func cifarRecordBytes(label byte, fill func(c, p int) byte) []byte {
	b := []byte{label}
	for c := range 3 {
		for p := range 1024 {
			b = append(b, fill(c, p))
		}
	}
	return b
}

func TestLoadCIFAR10(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "cifar-10-batches-bin")
	os.Mkdir(sub, 0o755)
	for i, n := range []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"} {
		rec := cifarRecordBytes(byte(i), func(c, p int) byte { return byte(c*80 + p%7) })
		write(t, sub, n, append(rec, rec...))
	}
	train, test, err := LoadCIFAR10(dir)
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 10 || test.Len() != 2 || train.Y[9] != 4 || test.Y[0] != 5 {
		t.Errorf("train %d test %d labels %v %v", train.Len(), test.Len(), train.Y, test.Y)
	}
	if err := train.Check(); err != nil {
		t.Fatal(err)
	}
	// Pixel (row 0, col 1) is HWC offsets 3..5: planes R,G,B at p=1.
	if got, want := test.X[3:6], []float32{1.0 / 255, 81.0 / 255, 161.0 / 255}; !slices.Equal(got, want) {
		t.Errorf("pixel 1 = %v, want %v", got, want)
	}

	os.WriteFile(filepath.Join(sub, "data_batch_3.bin"), make([]byte, cifarRecord+5), 0o644)
	if _, _, err := LoadCIFAR10(sub); err == nil || !strings.Contains(err.Error(), "data_batch_3.bin: 3078 bytes is not a whole number of 3073-byte records") {
		t.Errorf("truncated batch: %v", err)
	}
	os.WriteFile(filepath.Join(sub, "data_batch_3.bin"), cifarRecordBytes(12, func(c, p int) byte { return 0 }), 0o644)
	if _, _, err := LoadCIFAR10(sub); err == nil || !strings.Contains(err.Error(), "record 0: label 12") {
		t.Errorf("bad label: %v", err)
	}
	os.Remove(filepath.Join(sub, "data_batch_2.bin"))
	if _, _, err := LoadCIFAR10(sub); err == nil || !strings.Contains(err.Error(), "data_batch_2.bin: no such file") {
		t.Errorf("missing batch: %v", err)
	}
}

func TestSplitSubsetShuffle(t *testing.T) {
	s := &Set{Name: "toy", Shape: Shape1, Classes: 100}
	for i := range 100 {
		s.X = append(s.X, float32(i))
		s.Y = append(s.Y, uint8(i))
	}
	tr, va, err := s.Split(20, 7)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Len() != 80 || va.Len() != 20 {
		t.Fatalf("split sizes %d %d", tr.Len(), va.Len())
	}
	all := append(slices.Clone(tr.Y), va.Y...)
	slices.Sort(all)
	for i, y := range all {
		if int(y) != i || tr.X[0] != float32(tr.Y[0]) {
			t.Fatal("split lost or duplicated images, or separated X from Y")
		}
	}
	tr2, _, _ := s.Split(20, 7)
	tr3, _, _ := s.Split(20, 8)
	if !slices.Equal(tr.Y, tr2.Y) || slices.Equal(tr.Y, tr3.Y) {
		t.Error("split is not a function of the seed")
	}
	if _, va, _ := s.SplitFraction(0.25, 1); va.Len() != 25 {
		t.Errorf("fraction split gave %d", va.Len())
	}
	if sub, _ := s.Subset(10, 3); sub.Len() != 10 || !slices.Equal(sub.Y, s.Shuffle(3).Y[:10]) {
		t.Error("subset is not the head of the same-seed shuffle")
	}
	for _, err := range []error{
		second(s.Subset(101, 1)),
		third(s.Split(-1, 1)),
		third(s.SplitFraction(math.NaN(), 1)),
	} {
		if err == nil || !strings.Contains(err.Error(), `set "toy"`) {
			t.Errorf("want an error naming the set, got %v", err)
		}
	}
}

var Shape1 = arch.Shape{H: 1, W: 1, C: 1}

func second(_ *Set, err error) error   { return err }
func third(_, _ *Set, err error) error { return err }

func TestNormalize(t *testing.T) {
	s := &Set{Name: "rgb", Shape: Shape1, Classes: 1, Y: []uint8{0, 0, 0, 0}, X: []float32{1, 2, 3, 4}}
	m, d := s.Stats()
	if m[0] != 2.5 || math.Abs(float64(d[0])-math.Sqrt(1.25)) > 1e-6 {
		t.Fatalf("stats %v %v", m, d)
	}
	n, err := s.Normalize(m, d)
	if err != nil {
		t.Fatal(err)
	}
	if m2, d2 := n.Stats(); math.Abs(float64(m2[0])) > 1e-6 || math.Abs(float64(d2[0])-1) > 1e-6 || s.X[0] != 1 {
		t.Errorf("normalised stats %v %v, original changed: %v", m2, d2, s.X[0] != 1)
	}
	if _, err := s.Normalize([]float32{0}, []float32{0}); err == nil || !strings.Contains(err.Error(), "deviation 0") {
		t.Errorf("zero std: %v", err)
	}
}

func FuzzParseIDX(f *testing.F) {
	f.Add(idxBytes([]int{2, 2, 2}, []byte{1, 2, 3, 4, 5, 6, 7, 8}))
	f.Add(gz(idxBytes([]int{3}, []byte{1, 2, 3})))
	f.Add([]byte{0, 0, 8, 1, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		dims, vals, err := ParseIDX(bytes.NewReader(b))
		if err != nil {
			return
		}
		n := 1
		for _, d := range dims {
			n *= d
		}
		if n != len(vals) {
			t.Fatalf("dims %v but %d values", dims, len(vals))
		}
		if len(dims) >= 3 {
			lab := make([]byte, dims[0])
			if s, err := fromIDX("i", dims, vals, "l", []int{dims[0]}, lab); err == nil {
				if err := s.Check(); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}

func FuzzParseCIFAR10(f *testing.F) {
	f.Add(cifarRecordBytes(3, func(c, p int) byte { return byte(p) }))
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		x, y, err := ParseCIFAR10(bytes.NewReader(b), nil, nil)
		if err != nil {
			return
		}
		s := &Set{Name: "fuzz", Shape: CIFARShape, Classes: 10, X: x, Y: y}
		if err := s.Check(); err != nil {
			t.Fatal(err)
		}
	})
}
