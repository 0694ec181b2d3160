package data

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/hwnas/hwnas/arch"
)

// CIFAR-10 binary version: each record is one label byte then 3072 pixel bytes,
// the 1024 red values, then green, then blue, each plane row-major 32×32.
// (Source: www.cs.toronto.edu/~kriz/cifar.html, "Binary version".)
const (
	cifarSide   = 32
	cifarPixels = cifarSide * cifarSide * 3
	cifarRecord = 1 + cifarPixels
)

// CIFARShape is the shape of a CIFAR-10 image.
var CIFARShape = arch.Shape{H: cifarSide, W: cifarSide, C: 3}

// ParseCIFAR10 reads one CIFAR-10 binary batch and appends its images (HWC,
// scaled to [0, 1]) and labels to x and y.
func ParseCIFAR10(r io.Reader, x []float32, y []uint8) ([]float32, []uint8, error) {
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return x, y, err
	}
	b := buf.Bytes()
	if len(b) == 0 {
		return x, y, fmt.Errorf("empty file, want records of %d bytes", cifarRecord)
	}
	if len(b)%cifarRecord != 0 {
		return x, y, fmt.Errorf("%d bytes is not a whole number of %d-byte records (file truncated or not a CIFAR-10 binary batch)", len(b), cifarRecord)
	}
	for off := 0; off < len(b); off += cifarRecord {
		rec := b[off : off+cifarRecord]
		if rec[0] > 9 {
			return x, y, fmt.Errorf("record %d: label %d, want 0 to 9", off/cifarRecord, rec[0])
		}
		y = append(y, rec[0])
		px := rec[1:]
		for p := range cifarSide * cifarSide {
			for c := range 3 {
				x = append(x, float32(px[c*cifarSide*cifarSide+p])/255)
			}
		}
	}
	return x, y, nil
}

// LoadCIFAR10 reads the CIFAR-10 binary version from dir: data_batch_1.bin to
// data_batch_5.bin for training and test_batch.bin for testing. dir may also
// be the folder that holds the extracted cifar-10-batches-bin.
func LoadCIFAR10(dir string) (train, test *Set, err error) {
	if _, err := os.Stat(filepath.Join(dir, "test_batch.bin")); err != nil {
		if _, err2 := os.Stat(filepath.Join(dir, "cifar-10-batches-bin", "test_batch.bin")); err2 == nil {
			dir = filepath.Join(dir, "cifar-10-batches-bin")
		}
	}
	load := func(names ...string) (*Set, error) {
		s := &Set{Shape: CIFARShape, Classes: 10}
		for _, n := range names {
			p := filepath.Join(dir, n)
			f, err := os.Open(p)
			if err != nil {
				return nil, fmt.Errorf("CIFAR-10: %w", err)
			}
			s.X, s.Y, err = ParseCIFAR10(f, s.X, s.Y)
			f.Close()
			if err != nil {
				return nil, fmt.Errorf("CIFAR-10 %s: %w", p, err)
			}
		}
		s.Name = filepath.Join(dir, names[0])
		return s, nil
	}
	train, err = load("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin")
	if err != nil {
		return nil, nil, err
	}
	train.Name = dir + " (train)"
	test, err = load("test_batch.bin")
	if err != nil {
		return nil, nil, err
	}
	return train, test, nil
}
