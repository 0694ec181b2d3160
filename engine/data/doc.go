// Package data owns the datasets that hwnas trains on: MNIST built into the
// binary, IDX image/label pairs (Fashion-MNIST and the like) and CIFAR-10
// binary batches read from disk, and the fidelity knobs applied to them:
// normalisation, seeded shuffling, train/validation splits and subsets.
//
// A Set holds images as float32 in HWC order, one image after another, and
// one label per image. Functions and methods of this package never modify a
// Set they are given; they return new Sets. Sets returned by MNIST are shared
// between callers, so treat their X and Y as read-only.
package data
