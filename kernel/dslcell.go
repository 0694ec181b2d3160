package kernel

import (
	"context"
	"fmt"
)

// dslCells holds the DSL state of a notebook: the declarations of earlier
// cells, the experiments run and the store they write to.
type dslCells struct {
	storeDir string
}

func newDSLCells(storeDir string) *dslCells { return &dslCells{storeDir: storeDir} }

// errNoDSL is returned until the DSL and the experiment engine are wired in.
var errNoDSL = &CellError{Name: "NotAvailable", Value: "DSL cells are not available in this build: the hwnas language (package dsl) is not wired into the kernel yet; use %%go cells and magics"}

func (d *dslCells) execute(ctx context.Context, code string, out *Output) (*ExecResult, error) {
	return nil, errNoDSL
}

func (d *dslCells) reset() {}

func (d *dslCells) cache(ctx context.Context, args string, out *Output) (*ExecResult, error) {
	return nil, errNoDSL
}

func (d *dslCells) estimate(ctx context.Context, args string, out *Output) (*ExecResult, error) {
	if args == "" {
		return nil, &CellError{Name: "MagicError", Value: fmt.Sprintf("%%estimate needs a declared experiment or space: %s", magicTable["estimate"].usage)}
	}
	return nil, errNoDSL
}

// complete and doc are the DSL's completion and documentation hooks.
func (d *dslCells) complete(code string, cursor int) (matches []string, start, end int) {
	return nil, cursor, cursor
}

func (d *dslCells) doc(word string) (string, bool) { return "", false }
