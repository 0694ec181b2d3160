package dsl

import (
	"errors"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/dsl/syntax"
	"github.com/hwnas/hwnas/metric"
)

var datasetKeys = []string{"source", "train", "val", "test", "epochs", "batch", "optimizer", "lr"}

// Builtins are the data sets `builtin("…")` names.
var Builtins = []string{"mnist"}

// Optimizers are the training optimisers a dataset may name.
var Optimizers = []string{"adam", "sgd", "rmsprop"}

// dataset checks `dataset NAME { source = builtin("mnist")  train = 6000 … }`.
// Defaults: 1 epoch, batch 64, adam, lr 0.001, whole splits.
func (c *checker) dataset(d *syntax.DatasetDecl, file *syntax.File) *Dataset {
	ds := &Dataset{Name: d.Name.Text, Epochs: 1, Batch: 64, Optimizer: "adam", LR: 0.001, Pos: d.Name.Pos}
	fs := c.fieldSet(d.Body, "dataset "+ds.Name, datasetKeys)
	n := len(c.errs)
	if f := fs["source"]; f != nil {
		c.source(ds, f.Value, file)
	} else {
		c.errorf(d.Name.Pos, d.Name.EndPos, "dataset %s needs a source: builtin(\"mnist\"), idx(\"dir\") or cifar10(\"dir\")", ds.Name)
	}
	for _, k := range []struct {
		key string
		to  *int
		lo  int
	}{{"train", &ds.Train, 0}, {"val", &ds.Val, 0}, {"test", &ds.Test, 0}, {"epochs", &ds.Epochs, 1}, {"batch", &ds.Batch, 1}} {
		if f := fs[k.key]; f != nil {
			*k.to, _ = c.integer(f.Value, k.key, k.lo)
		}
	}
	if f := fs["optimizer"]; f != nil {
		ds.Optimizer, _ = c.oneOf(f.Value, "optimizer", Optimizers)
	}
	if f := fs["lr"]; f != nil {
		ds.LR, _ = c.positive(f.Value, metric.Count, "lr")
	}
	if len(c.errs) > n {
		return nil
	}
	return ds
}

// source reads `builtin("mnist")`, `idx("dir")` or `cifar10("dir")`, in
// file. A directory is resolved as imports are; whether it exists is
// checked when an experiment trains on the data set (dataDir).
func (c *checker) source(ds *Dataset, v *syntax.Value, file *syntax.File) {
	kinds := []string{"builtin", "idx", "cifar10"}
	if v.Ref == nil || !v.Ref.Call {
		c.errAt(v, "source is builtin(\"mnist\"), idx(\"dir\") or cifar10(\"dir\"), not %s", describeValue(v))
		return
	}
	if !slices.Contains(kinds, v.Ref.Name) {
		c.errAt(v, "unknown source %s%s; want builtin, idx or cifar10", v.Ref.Name, didYouMean(v.Ref.Name, kinds))
		return
	}
	if len(v.Ref.Args) != 1 || v.Ref.Args[0].Str == nil {
		c.errAt(v, "%s takes one string: %s(\"…\")", v.Ref.Name, v.Ref.Name)
		return
	}
	arg := *v.Ref.Args[0].Str
	ds.Source = v.Ref.Name
	if v.Ref.Name == "builtin" {
		if !slices.Contains(Builtins, arg) {
			c.errAt(v.Ref.Args[0], "unknown built-in data set %q%s; built in: %s", arg, didYouMean(arg, Builtins), strings.Join(Builtins, ", "))
			return
		}
		ds.Builtin = arg
		return
	}
	if arg == "" {
		c.errAt(v.Ref.Args[0], "the path is empty")
		return
	}
	ds.Path, ds.written = resolvePath(file, arg), arg
	c.dataDirs[ds] = v.Ref.Args[0]
}

// dataDir checks, once per data set, that the directory of a data set an
// experiment trains on exists: otherwise check passes and every trial
// fails. A data set no experiment trains on may name a directory that is
// not there (a library may declare CIFAR-10 for those who download it).
func (c *checker) dataDir(ds *Dataset, experiment string) {
	v, ok := c.dataDirs[ds]
	if !ok {
		return // built in, or checked already
	}
	delete(c.dataDirs, ds)
	where := ""
	if ds.Path != ds.written {
		where = " (looked for " + ds.Path + ")"
	}
	fi, err := os.Stat(ds.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		c.errAt(v, "directory %q does not exist%s; experiment %s trains on dataset %s", ds.written, where, experiment, ds.Name)
	case err != nil:
		c.errAt(v, "directory %q%s: %v", ds.written, where, unwrapPathErr(err))
	case !fi.IsDir():
		c.errAt(v, "%q is not a directory%s; experiment %s trains on dataset %s", ds.written, where, experiment, ds.Name)
	}
}

// EvaluatorKinds are the kinds an evaluator declaration may name.
var EvaluatorKinds = []string{"train", "table", "command", "supernet"}

var evaluatorKeys = map[string][]string{
	"train":    {},
	"table":    {"benchmark", "split"},
	"command":  {"run", "timeout"},
	"supernet": {"epochs", "bn_batches"},
}

// evaluator checks `evaluator NAME train|table|command { … }`.
func (c *checker) evaluator(d *syntax.EvaluatorDecl) *Evaluator {
	ev := &Evaluator{Name: d.Name.Text, Kind: d.Kind.Text, Pos: d.Name.Pos}
	keys, known := evaluatorKeys[ev.Kind]
	if !known {
		c.errorf(d.Kind.Pos, d.Kind.EndPos, "unknown evaluator kind %s%s; want %s", ev.Kind, didYouMean(ev.Kind, EvaluatorKinds), orList(EvaluatorKinds))
		return nil
	}
	what := "a " + ev.Kind + " evaluator"
	if len(keys) == 0 {
		what += " (which takes no settings)"
	}
	fs := c.fieldSet(d.Body, what, keys)
	n := len(c.errs)
	switch ev.Kind {
	case "table":
		c.tableEvaluator(ev, fs)
	case "command":
		c.commandEvaluator(ev, d.Name, fs)
	case "supernet":
		c.supernetEvaluator(ev, fs)
	}
	if len(c.errs) > n {
		return nil
	}
	return ev
}

// tableEvaluator reads `benchmark = "…"` and `split = "…"`.
func (c *checker) tableEvaluator(ev *Evaluator, fs map[string]*syntax.Field) {
	ev.Benchmark, ev.Split = "nasbench201", "cifar10"
	if f := fs["benchmark"]; f != nil {
		s, ok := c.str(f.Value, "benchmark")
		if ok && Benchmarks[s] == nil {
			c.errAt(f.Value, "unknown benchmark %q%s", s, didYouMean(s, slices.Sorted(maps.Keys(Benchmarks))))
		}
		ev.Benchmark = s
	}
	if f := fs["split"]; f != nil {
		s, ok := c.str(f.Value, "split")
		splits := []string{"cifar10", "cifar100", "ImageNet16-120"}
		if ok && !slices.Contains(splits, s) {
			c.errAt(f.Value, "unknown split %q%s; want %s", s, didYouMean(s, splits), orList(splits))
		}
		ev.Split = s
	}
}

// commandEvaluator reads `run = "PROGRAM ARGS…"` and `timeout = …`.
func (c *checker) commandEvaluator(ev *Evaluator, name *syntax.Name, fs map[string]*syntax.Field) {
	if f := fs["run"]; f != nil {
		s, ok := c.str(f.Value, "run")
		ev.Command = strings.Fields(s)
		if ok && len(ev.Command) == 0 {
			c.errAt(f.Value, "run names no program")
		}
	} else {
		c.errorf(name.Pos, name.EndPos, "a command evaluator needs the program: run = \"./train.sh\"")
	}
	if f := fs["timeout"]; f != nil {
		ev.TimeoutMs, _ = c.positive(f.Value, metric.Time, "timeout")
	}
}

// supernetEvaluator reads `epochs = N` (default 10) and `bn_batches = N`
// (default 10): the supernet's training and a child's batch-norm re-estimation.
func (c *checker) supernetEvaluator(ev *Evaluator, fs map[string]*syntax.Field) {
	ev.Epochs, ev.BNBatches = 10, 10
	for _, k := range []struct {
		key string
		to  *int
	}{{"epochs", &ev.Epochs}, {"bn_batches", &ev.BNBatches}} {
		if f := fs[k.key]; f != nil {
			n, ok := c.integer(f.Value, k.key, 1)
			if ok && n > 10000 {
				c.errAt(f.Value, "%s %d is more than the limit of 10000", k.key, n)
			}
			*k.to = n
		}
	}
}

// datasetShape is the image shape and class count of a data set whose
// format fixes them: the built-in MNIST is 28x28x1 in 10 classes and the
// CIFAR-10 binary format 32x32x3 in 10 classes
// (https://www.cs.toronto.edu/~kriz/cifar.html). idx files carry their own.
func datasetShape(d *Dataset) (arch.Shape, int, bool) {
	switch {
	case d.Source == "builtin" && d.Builtin == "mnist":
		return arch.Shape{H: 28, W: 28, C: 1}, 10, true
	case d.Source == "cifar10":
		return arch.Shape{H: 32, W: 32, C: 3}, 10, true
	}
	return arch.Shape{}, 0, false
}

// spaceIO is the input shape and output count of a space that declares
// them; classes is 0 when the head does not end in a dense layer.
func spaceIO(s arch.Space) (in arch.Shape, classes int, ok bool) {
	switch s := s.(type) {
	case *arch.ChainSpace:
		if n := len(s.Head); n > 0 && s.Head[n-1].Kind == "dense" {
			classes = s.Head[n-1].Units
		}
		return s.Input, classes, true
	case *arch.CellSpace:
		return s.Input, s.Classes, true
	}
	return arch.Shape{}, 0, false
}
