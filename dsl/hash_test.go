package dsl_test

import (
	"testing"

	"github.com/hwnas/hwnas/dsl"
)

// A stored run is found again by its experiment's hash, so a new language
// feature must leave the hash of a spec that does not use it unchanged: new
// fields of Experiment, Evaluator or Platform are left out of the hash when
// unset (json omitempty). These hashes were those of the release before
// supernet, fidelity, quantize and calibration existed.
func TestHashUnchangedByNewFeatures(t *testing.T) {
	for _, c := range []struct{ file, experiment, hash string }{
		{"../examples/nb201_fpga.hwnas", "nb201_zcu102", "544e647eedc1cf67d8635082"},
		{"../examples/fnas_mnist.hwnas", "fnas", "220f1550cde072e8fe0276ee"},
	} {
		spec, err := dsl.Load(c.file)
		if err != nil {
			t.Fatal(err)
		}
		if got := spec.Experiments[c.experiment].Hash(); got != c.hash {
			t.Errorf("%s: experiment %s hashes to %s, was %s: stored runs of it would no longer resume", c.file, c.experiment, got, c.hash)
		}
	}
}
