package data

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/hwnas/hwnas/arch"
)

// Set is a labelled image dataset held in memory.
type Set struct {
	Name    string     // where the set came from, for messages
	Shape   arch.Shape // one image: height, width, channels
	Classes int        // labels are in [0, Classes)
	X       []float32  // Len()*Shape.Size() values, image after image, each in HWC order
	Y       []uint8    // one label per image
}

// Len returns the number of images.
func (s *Set) Len() int { return len(s.Y) }

// Image returns the pixels of image i (a slice of X, not a copy).
func (s *Set) Image(i int) []float32 {
	n := int(s.Shape.Size())
	return s.X[i*n : (i+1)*n]
}

// Check reports whether the set is consistent: sizes agree and every label is
// below Classes.
func (s *Set) Check() error {
	if s.Shape.H <= 0 || s.Shape.W <= 0 || s.Shape.C <= 0 {
		return fmt.Errorf("set %q: image shape %s must be positive", s.Name, s.Shape)
	}
	if s.Classes < 1 || s.Classes > 256 {
		return fmt.Errorf("set %q: %d classes, want 1 to 256", s.Name, s.Classes)
	}
	if want := int64(len(s.Y)) * s.Shape.Size(); int64(len(s.X)) != want {
		return fmt.Errorf("set %q: %d pixel values for %d images of %s, want %d", s.Name, len(s.X), len(s.Y), s.Shape, want)
	}
	for i, y := range s.Y {
		if int(y) >= s.Classes {
			return fmt.Errorf("set %q: image %d has label %d, want below %d classes", s.Name, i, y, s.Classes)
		}
	}
	return nil
}

// Gather copies the images and labels listed in idx into x and y, which must
// hold len(idx) images and labels. It is how a trainer assembles a batch.
func (s *Set) Gather(idx []int, x []float32, y []uint8) {
	n := int(s.Shape.Size())
	for k, i := range idx {
		copy(x[k*n:(k+1)*n], s.X[i*n:(i+1)*n])
		y[k] = s.Y[i]
	}
}

// Select returns a new set holding the images listed in idx, in that order.
func (s *Set) Select(idx []int) (*Set, error) {
	for _, i := range idx {
		if i < 0 || i >= s.Len() {
			return nil, fmt.Errorf("set %q: image index %d out of range [0, %d)", s.Name, i, s.Len())
		}
	}
	out := &Set{Name: s.Name, Shape: s.Shape, Classes: s.Classes,
		X: make([]float32, int64(len(idx))*s.Shape.Size()), Y: make([]uint8, len(idx))}
	s.Gather(idx, out.X, out.Y)
	return out, nil
}

// Permutation returns a seeded random permutation of [0, n).
func Permutation(n int, seed uint64) []int {
	r := rand.New(rand.NewPCG(seed, 0x6877_6e61_732d_6461)) // "hwnas-da"
	return r.Perm(n)
}

// Shuffle returns a copy of the set in a seeded random order.
func (s *Set) Shuffle(seed uint64) *Set {
	out, _ := s.Select(Permutation(s.Len(), seed)) // indices are in range by construction
	return out
}

// Subset returns the first n images of a seeded shuffle of the set: a random
// subset that is the same for the same seed. n larger than the set is an error.
func (s *Set) Subset(n int, seed uint64) (*Set, error) {
	if n < 0 || n > s.Len() {
		return nil, fmt.Errorf("set %q: subset of %d images, the set has %d", s.Name, n, s.Len())
	}
	return s.Select(Permutation(s.Len(), seed)[:n])
}

// Split shuffles the set with seed and cuts it into two: the first holds all
// but n images, the second (the validation set) holds n images.
func (s *Set) Split(n int, seed uint64) (train, val *Set, err error) {
	if n < 0 || n > s.Len() {
		return nil, nil, fmt.Errorf("set %q: split off %d images, the set has %d", s.Name, n, s.Len())
	}
	p := Permutation(s.Len(), seed)
	train, _ = s.Select(p[:s.Len()-n])
	val, _ = s.Select(p[s.Len()-n:])
	return train, val, nil
}

// SplitFraction is Split with the validation size given as a fraction in [0, 1]
// of the set, rounded to the nearest image.
func (s *Set) SplitFraction(frac float64, seed uint64) (train, val *Set, err error) {
	if !(frac >= 0 && frac <= 1) {
		return nil, nil, fmt.Errorf("set %q: validation fraction %g, want 0 to 1", s.Name, frac)
	}
	return s.Split(int(math.Round(frac*float64(s.Len()))), seed)
}

// Stats returns the mean and standard deviation of every channel over the set.
func (s *Set) Stats() (mean, std []float32) {
	c := s.Shape.C
	sum := make([]float64, c)
	sq := make([]float64, c)
	for i, v := range s.X {
		sum[i%c] += float64(v)
		sq[i%c] += float64(v) * float64(v)
	}
	n := float64(len(s.X) / c)
	mean, std = make([]float32, c), make([]float32, c)
	if n == 0 {
		for k := range std {
			std[k] = 1
		}
		return mean, std
	}
	for k := range c {
		m := sum[k] / n
		mean[k] = float32(m)
		std[k] = float32(math.Sqrt(max(sq[k]/n-m*m, 0)))
	}
	return mean, std
}

// Normalize returns a copy of the set with every channel k mapped to
// (x - mean[k]) / std[k]. Use the training set's Stats for every split.
func (s *Set) Normalize(mean, std []float32) (*Set, error) {
	c := s.Shape.C
	if len(mean) != c || len(std) != c {
		return nil, fmt.Errorf("set %q: normalisation with %d means and %d deviations for %d channels", s.Name, len(mean), len(std), c)
	}
	inv := make([]float32, c)
	for k, d := range std {
		if !(d > 0) || math.IsInf(float64(d), 0) {
			return nil, fmt.Errorf("set %q: channel %d standard deviation %g, want positive and finite", s.Name, k, d)
		}
		inv[k] = 1 / d
	}
	out := &Set{Name: s.Name, Shape: s.Shape, Classes: s.Classes, X: make([]float32, len(s.X)), Y: s.Y}
	for i, v := range s.X {
		out.X[i] = (v - mean[i%c]) * inv[i%c]
	}
	return out, nil
}
