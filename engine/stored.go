package engine

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/hwnas/hwnas/dsl"
	"github.com/hwnas/hwnas/engine/store"
)

// FromStored rebuilds the experiment of the stored run rec from the spec
// text the store kept (the declarations the experiment uses, which check on
// their own), as if the spec were written in directory dir: relative paths
// such as data set directories are read from there.
func FromStored(rec store.Experiment, dir string) (Experiment, error) {
	spec, err := dsl.LoadSource(filepath.Join(dir, rec.Name+".hwnas"), rec.Spec, nil)
	if err != nil {
		first, _, _ := strings.Cut(err.Error(), "\n")
		return Experiment{}, fmt.Errorf("the stored spec does not check on its own: %v (an older hwnas stored only the experiment's own text; or a data set directory is elsewhere)", first)
	}
	e, err := FromSpec(spec, rec.Name)
	if err != nil {
		return Experiment{}, fmt.Errorf("the stored spec: %v", err)
	}
	if e.Space == nil {
		return e, fmt.Errorf("the stored spec has no search space")
	}
	return e, nil
}
