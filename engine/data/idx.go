package data

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"

	"github.com/hwnas/hwnas/arch"
)

// maxIDXBytes bounds the data an IDX header may announce (4 GiB), so that a
// corrupt header cannot make the reader allocate without limit.
const maxIDXBytes = 1 << 32

// ParseIDX reads one IDX file of unsigned bytes (gzipped or not) and returns
// its dimensions and data. The format is the one of the MNIST distribution:
// two zero bytes, the type code 0x08, the number of dimensions, each dimension
// as a big-endian uint32, then the values. (Source: yann.lecun.com/exdb/mnist, "THE IDX FILE FORMAT".)
func ParseIDX(r io.Reader) (dims []int, values []byte, err error) {
	br := bufio.NewReader(r)
	if m, _ := br.Peek(2); len(m) == 2 && m[0] == 0x1f && m[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("gzip header: %w", err)
		}
		defer zr.Close()
		br = bufio.NewReader(zr)
	}
	var head [4]byte
	if _, err := io.ReadFull(br, head[:]); err != nil {
		return nil, nil, fmt.Errorf("IDX magic number: %w", noEOF(err))
	}
	if head[0] != 0 || head[1] != 0 {
		return nil, nil, fmt.Errorf("IDX magic number % x: first two bytes must be zero (not an IDX file)", head)
	}
	if head[2] != 0x08 {
		return nil, nil, fmt.Errorf("IDX type code 0x%02x: only unsigned bytes (0x08) are supported", head[2])
	}
	nd := int(head[3])
	if nd < 1 || nd > 4 {
		return nil, nil, fmt.Errorf("IDX has %d dimensions, want 1 to 4", nd)
	}
	total := int64(1)
	dims = make([]int, nd)
	for i := range dims {
		var d [4]byte
		if _, err := io.ReadFull(br, d[:]); err != nil {
			return nil, nil, fmt.Errorf("IDX dimension %d: %w", i, noEOF(err))
		}
		dims[i] = int(binary.BigEndian.Uint32(d[:]))
		total *= int64(dims[i])
		if total > maxIDXBytes {
			return nil, nil, fmt.Errorf("IDX dimensions %v announce more than %d bytes", dims[:i+1], int64(maxIDXBytes))
		}
	}
	// Read in chunks so that a truncated file costs only what it holds.
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(br, total))
	if err != nil {
		return nil, nil, fmt.Errorf("IDX data: %w", err)
	}
	if n < total {
		return nil, nil, fmt.Errorf("IDX data truncated: dimensions %v need %d bytes, file has %d", dims, total, n)
	}
	if extra, _ := br.Peek(1); len(extra) > 0 {
		return nil, nil, fmt.Errorf("IDX data: trailing bytes after the %d announced by dimensions %v", total, dims)
	}
	return dims, buf.Bytes(), nil
}

func noEOF(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return fmt.Errorf("file truncated")
	}
	return err
}

func readIDXFile(path string) ([]int, []byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err // os errors name the file
	}
	defer f.Close()
	dims, v, err := ParseIDX(f)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return dims, v, nil
}

// LoadIDX reads an image file (dimensions N×H×W, or N×H×W×C) and a label file
// (dimension N) in IDX format, gzipped or not, into a Set with pixels scaled
// to [0, 1]. Classes is one more than the largest label.
func LoadIDX(images, labels string) (*Set, error) {
	idims, ivals, err := readIDXFile(images)
	if err != nil {
		return nil, err
	}
	ldims, lvals, err := readIDXFile(labels)
	if err != nil {
		return nil, err
	}
	return fromIDX(images, idims, ivals, labels, ldims, lvals)
}

func fromIDX(iname string, idims []int, ivals []byte, lname string, ldims []int, lvals []byte) (*Set, error) {
	if len(idims) != 3 && len(idims) != 4 {
		return nil, fmt.Errorf("%s: image file has dimensions %v, want N×H×W or N×H×W×C", iname, idims)
	}
	if len(ldims) != 1 {
		return nil, fmt.Errorf("%s: label file has dimensions %v, want one (N)", lname, ldims)
	}
	if idims[0] != ldims[0] {
		return nil, fmt.Errorf("%s has %d images but %s has %d labels", iname, idims[0], lname, ldims[0])
	}
	sh := arch.Shape{H: idims[1], W: idims[2], C: 1}
	if len(idims) == 4 {
		sh.C = idims[3]
	}
	if sh.H == 0 || sh.W == 0 || sh.C == 0 {
		return nil, fmt.Errorf("%s: image shape %s has a zero dimension", iname, sh)
	}
	classes := 0
	for _, y := range lvals {
		classes = max(classes, int(y)+1)
	}
	s := &Set{Name: iname, Shape: sh, Classes: max(classes, 1), X: toFloat(ivals), Y: lvals}
	return s, nil
}

// toFloat scales bytes to [0, 1].
func toFloat(b []byte) []float32 {
	x := make([]float32, len(b))
	for i, v := range b {
		x[i] = float32(v) / 255
	}
	return x
}
