package kernel

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/export"
	"github.com/hwnas/hwnas/kernel/core"
)

// exportSyntax is the one usage line of %export, shown by %help and in its
// errors.
const exportSyntax = "%export EXPERIMENT TRIAL [onnx FILE] [hls DIR]"

// export writes a stored trial of an experiment declared in this session as
// an ONNX model and/or an HLS accelerator (see hwnas export).
func (d *dslCells) export(ctx context.Context, args string, out *core.Output) (*core.ExecResult, error) {
	f := strings.Fields(args)
	bad := func(format string, a ...any) error { return usageError(exportSyntax, format, a...) }
	if len(f) < 4 || len(f)%2 != 0 {
		return nil, bad("%%export %q: want an experiment, a trial id and onnx FILE or hls DIR", args)
	}
	id, err := strconv.Atoi(f[1])
	if err != nil || id < 0 {
		return nil, bad("%%export: trial id %q is not a number", f[1])
	}
	paths := map[string]string{}
	for i := 2; i < len(f); i += 2 {
		if f[i] != "onnx" && f[i] != "hls" {
			return nil, bad("%%export: %q: want onnx FILE or hls DIR", f[i])
		}
		paths[f[i]] = f[i+1]
	}
	text, err := d.exportFiles(ctx, f[0], id, paths["onnx"], paths["hls"])
	if err != nil {
		return nil, &core.CellError{Name: "ExportError", Value: err.Error()}
	}
	out.Stream("stdout", text)
	return nil, nil
}

// exportFiles rebuilds trial id of the latest stored run of experiment name,
// declared in this session, and writes what is asked; it returns what it
// did. It is also the hwnas package's Export for %%go cells.
func (d *dslCells) exportFiles(ctx context.Context, name string, id int, onnxPath, hlsDir string) (string, error) {
	if onnxPath == "" && hlsDir == "" {
		return "", fmt.Errorf("export %s %d: nothing to write: give an ONNX file or an HLS directory", name, id)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	e, err := engine.FromSpec(d.sess.Spec(), name)
	if err != nil {
		return "", err
	}
	st, err := d.openStore()
	if err != nil {
		return "", err
	}
	t, err := export.Load(ctx, st, e, id, runtime.GOMAXPROCS(0))
	if err != nil {
		return "", err
	}
	wrote, err := t.Files(onnxPath, hlsDir)
	return t.Describe() + wrote, err
}
