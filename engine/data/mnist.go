package data

import (
	"bytes"
	"embed"
	"fmt"
	"sync"
)

// The original MNIST files, gzipped; see mnist/README.md for provenance.
//
//go:embed mnist/*.gz
var mnistFS embed.FS

var mnist struct {
	once        sync.Once
	train, test *Set
	err         error
}

// MNIST returns the MNIST training (60,000 images) and test (10,000) sets
// built into the binary, 28×28×1 with pixels in [0, 1]. They are decoded on
// the first call and shared afterwards: do not modify them.
func MNIST() (train, test *Set, err error) {
	mnist.once.Do(func() {
		mnist.train, mnist.err = embeddedIDX("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
		if mnist.err != nil {
			return
		}
		mnist.test, mnist.err = embeddedIDX("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
	})
	return mnist.train, mnist.test, mnist.err
}

func embeddedIDX(images, labels string) (*Set, error) {
	read := func(name string) ([]int, []byte, error) {
		b, err := mnistFS.ReadFile("mnist/" + name)
		if err != nil {
			return nil, nil, fmt.Errorf("built-in MNIST: %w", err)
		}
		d, v, err := ParseIDX(bytes.NewReader(b))
		if err != nil {
			return nil, nil, fmt.Errorf("built-in MNIST %s: %w", name, err)
		}
		return d, v, nil
	}
	id, iv, err := read(images)
	if err != nil {
		return nil, err
	}
	ld, lv, err := read(labels)
	if err != nil {
		return nil, err
	}
	s, err := fromIDX(images, id, iv, labels, ld, lv)
	if err != nil {
		return nil, fmt.Errorf("built-in MNIST: %w", err)
	}
	s.Name = "mnist"
	s.Classes = 10
	return s, nil
}
