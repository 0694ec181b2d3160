package dsl

import (
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/hwnas/hwnas/dsl/syntax"
	"github.com/hwnas/hwnas/metric"
)

var experimentKeys = []string{"space", "platform", "dataset", "evaluator", "executor"}

// RewardKinds are the soft rewards `reward KIND { … }` names.
var RewardKinds = []string{"fnas", "mnasnet"}

// experiment checks one experiment against the declarations.
func (c *checker) experiment(d *syntax.ExperimentDecl, f *syntax.File) *Experiment {
	e := &Experiment{Name: d.Name.Text, Pos: d.Name.Pos, Parallel: 1, Strategy: Strategy{Kind: "random", Params: map[string]float64{}}}
	if d.Pos.Offset >= 0 && d.EndPos.Offset <= len(f.Src) && d.Pos.Offset <= d.EndPos.Offset {
		e.Source = f.Src[d.Pos.Offset:d.EndPos.Offset]
	}
	ok := true
	var missing []string // required items left out, reported together
	deps := map[string]bool{}
	var fields []*syntax.Field
	var hw *syntax.Hardware
	var hwPos *syntax.ExpItem
	var strategy, reward *syntax.Block
	var budget, parallel, seed *syntax.ExpItem
	once := func(it *syntax.ExpItem, seen **syntax.ExpItem, what string) bool {
		if *seen != nil {
			c.errorf(it.Pos, it.EndPos, "%s is given twice (first at line %d)", what, (*seen).Pos.Line)
			return false
		}
		*seen = it
		return true
	}
	var strategyItem, rewardItem *syntax.ExpItem
	for _, it := range d.Items {
		switch {
		case it.Field != nil:
			fields = append(fields, it.Field)
		case it.Maximize != nil || it.Minimize != nil:
			vals, max := it.Maximize, true
			if it.Minimize != nil {
				vals, max = it.Minimize, false
			}
			for _, v := range vals {
				m, good := c.metric(v)
				if !good {
					ok = false
					continue
				}
				for _, o := range e.Objectives {
					if o.Metric == m.Name {
						c.errAt(v, "%s is already an objective", m.Name)
						good = false
					}
				}
				if good {
					e.Objectives = append(e.Objectives, Objective{Metric: m.Name, Maximize: max})
				}
				ok = ok && good
			}
		case it.Require != nil:
			k, good := c.require(it.Require)
			ok = ok && good
			if good {
				e.Constraints = append(e.Constraints, k)
			}
		case it.Strategy != nil:
			ok = once(it, &strategyItem, "strategy") && ok
			strategy = it.Strategy
		case it.Reward != nil:
			ok = once(it, &rewardItem, "reward") && ok
			reward = it.Reward
		case it.Budget != nil:
			ok = once(it, &budget, "budget") && ok
		case it.Parallel != nil:
			ok = once(it, &parallel, "parallel") && ok
		case it.Seed != nil:
			ok = once(it, &seed, "seed") && ok
		case it.Hardware != nil:
			if hwPos != nil {
				c.errorf(it.Pos, it.EndPos, "the hardware is given twice (first at line %d)", hwPos.Pos.Line)
				ok = false
				continue
			}
			hw, hwPos = it.Hardware, it
		}
	}
	fs := c.fieldSet(&syntax.Fields{Items: fields}, "experiment "+e.Name, experimentKeys)
	// space
	if f := fs["space"]; f != nil {
		if n, good := c.refName(f.Value, "space"); good {
			if dd, good := c.lookup(n, "space"); good {
				deps[dd.name.Text] = true
				e.Space = c.spec.Spaces[dd.name.Text]
			}
		}
		ok = ok && e.Space != nil
	} else {
		missing = append(missing, "a space (space = NAME)")
		ok = false
	}
	// hardware
	if f := fs["platform"]; f != nil {
		if hwPos != nil {
			c.errorf(f.Pos, f.EndPos, "give the hardware once: platform = … or hardware …")
			ok = false
		} else {
			ok = c.hardwareRef(e, f.Value, []string{"platform"}, deps) && ok
		}
	}
	if hw != nil {
		switch {
		case hw.Ref != nil:
			ok = c.hardwareRef(e, hw.Ref, []string{"platform", "pool"}, deps) && ok
		case hw.Pool != nil:
			e.Pool = c.poolBody(hw.Pool)
			ok = ok && e.Pool != nil
		case hw.Search != nil:
			e.HardwareSearch = c.hardwareSearch(hw.Search)
			ok = ok && e.HardwareSearch != nil
		}
	}
	hasHW := e.Platform != nil || e.Pool != nil || e.HardwareSearch != nil || hwPos != nil || fs["platform"] != nil
	// evaluator and dataset
	e.Evaluator = &Evaluator{Name: "train", Kind: "train"}
	if f := fs["evaluator"]; f != nil {
		e.Evaluator = nil // set by evaluatorRef when it resolves
		ok = c.evaluatorRef(e, f.Value, deps) && ok
	}
	if f := fs["dataset"]; f != nil {
		if n, good := c.refName(f.Value, "dataset"); good {
			if dd, good := c.lookup(n, "dataset"); good {
				deps[dd.name.Text] = true
				e.Dataset = c.spec.Datasets[dd.name.Text]
			}
		}
		ok = ok && e.Dataset != nil
		if e.Evaluator != nil && e.Evaluator.Kind == "table" {
			c.errorf(f.Pos, f.EndPos, "a table evaluator reads accuracy from the benchmark table; remove the dataset")
			ok = false
		}
	} else if e.Evaluator != nil && e.Evaluator.Kind == "train" {
		missing = append(missing, "a dataset to train on (dataset = NAME, or evaluator = table for a benchmark)")
		ok = false
	}
	if f := fs["dataset"]; f != nil && e.Dataset != nil && e.Space != nil {
		in, outs, hasIO := spaceIO(e.Space.Space)
		img, classes, known := datasetShape(e.Dataset)
		switch {
		case !hasIO || !known:
		case in != img:
			c.errorf(f.Value.Pos, f.Value.EndPos, "dataset %s holds %dx%dx%d images; space %s takes %dx%dx%d",
				e.Dataset.Name, img.H, img.W, img.C, e.Space.Name, in.H, in.W, in.C)
			ok = false
		case outs != 0 && outs != classes:
			c.errorf(f.Value.Pos, f.Value.EndPos, "dataset %s has %d classes; space %s outputs %d (end its head with dense(%d))",
				e.Dataset.Name, classes, e.Space.Name, outs, classes)
			ok = false
		}
	}
	if e.Evaluator != nil && e.Evaluator.Kind == "table" && e.Space != nil && e.Space.Benchmark != e.Evaluator.Benchmark {
		c.errorf(fs["evaluator"].Pos, fs["evaluator"].EndPos, "a table evaluator needs the space benchmark(%q); space %s is not it", e.Evaluator.Benchmark, e.Space.Name)
		ok = false
	}
	// executor: where evaluations run; results do not depend on it
	if f := fs["executor"]; f != nil {
		if x, good := c.str(f.Value, "executor"); good {
			if validExecutor(x) {
				e.Executor = x
			} else {
				c.errAt(f.Value, "executor %q: want \"local\", \"embedded\" or \"nats://HOST:PORT\" (\"tls://HOST:PORT\")", x)
				ok = false
			}
		} else {
			ok = false
		}
	}
	// objectives and constraints that need hardware
	if len(e.Objectives) == 0 {
		missing = append(missing, "an objective (maximize accuracy)")
		ok = false
	}
	if !hasHW {
		for _, it := range d.Items {
			for _, v := range append(append([]*syntax.Value{}, it.Maximize...), it.Minimize...) {
				if m, good := metric.ByName(refText(v)); good && m.HW {
					c.errAt(v, "%s is measured on an FPGA; give the hardware: platform = NAME", m.Name)
					ok = false
				}
			}
			if it.Require != nil {
				if m, good := metric.ByName(it.Require.Metric.Text); good && m.HW {
					c.errorf(it.Require.Metric.Pos, it.Require.Metric.EndPos, "%s is measured on an FPGA; give the hardware: platform = NAME", m.Name)
					ok = false
				}
			}
		}
	}
	// reward
	if reward != nil {
		r, good := c.reward(reward, hasHW)
		e.Reward, ok = r, ok && good
	}
	// strategy
	if strategy != nil {
		ok = c.strategy(e, strategy) && ok
	}
	// budget, parallel, seed
	if budget != nil {
		ok = c.budget(e, budget) && ok
	} else {
		missing = append(missing, "a budget (budget 30 trials)")
		ok = false
	}
	if parallel != nil {
		n, good := c.integer(parallel.Parallel, "parallel", 1)
		if good && n > 1024 {
			c.errAt(parallel.Parallel, "parallel is at most 1024")
			good = false
		}
		e.Parallel, ok = n, ok && good
	}
	if seed != nil {
		v := seed.Seed
		if v.Num != nil && v.Num.Unit == "" {
			if f, err := numValue(v.Num); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
				e.Seed = int64(f)
			} else {
				c.errAt(v, "seed must be a whole number")
				ok = false
			}
		} else {
			c.errAt(v, "seed must be a whole number, not %s", describeValue(v))
			ok = false
		}
	}
	if len(missing) > 0 {
		c.errorf(d.Name.Pos, d.Name.EndPos, "experiment %s needs %s", e.Name, andList(missing))
		ok = false
	}
	if e.Strategy.Kind == "coexplore" && e.HardwareSearch == nil && strategy != nil {
		c.errorf(strategy.Kind.Pos, strategy.Kind.EndPos, "coexplore searches the hardware too; give hardware search { devices in {…} }")
		ok = false
	}
	if !ok {
		return nil
	}
	for n := range deps {
		e.Deps = append(e.Deps, n)
	}
	e.Deps = slices.Sorted(maps.Keys(deps))
	e.hash = experimentHash(e)
	return e
}

func refText(v *syntax.Value) string {
	if v.Ref != nil && !v.Ref.Call {
		return v.Ref.Name
	}
	return ""
}

// refName reads a bare name that refers to a declaration.
func (c *checker) refName(v *syntax.Value, what string) (*syntax.Name, bool) {
	if v.Ref == nil || v.Ref.Call {
		c.errAt(v, "%s = takes the name of a %s, not %s", what, what, describeValue(v))
		return nil, false
	}
	return &syntax.Name{Pos: v.Pos, EndPos: v.EndPos, Text: v.Ref.Name}, true
}

// hardwareRef resolves `platform = NAME`, `platform = "BOARD"` or `hardware = NAME`.
func (c *checker) hardwareRef(e *Experiment, v *syntax.Value, kinds []string, deps map[string]bool) bool {
	if v.Str != nil {
		dev, ok := c.catalog(v, *v.Str)
		if ok {
			e.Platform = &Platform{Name: dev.Name, Catalog: dev.Name, Device: dev, Precision: defaultPrecision, Pos: v.Pos}
		}
		return ok
	}
	n, ok := c.refName(v, kinds[0])
	if !ok {
		return false
	}
	d, ok := c.lookup(n, kinds...)
	if !ok {
		return false
	}
	deps[d.name.Text] = true
	if d.kind == "pool" {
		e.Pool = c.spec.Pools[d.name.Text]
		return e.Pool != nil
	}
	e.Platform = c.spec.Platforms[d.name.Text]
	return e.Platform != nil
}

// evaluatorRef resolves `evaluator = NAME` or a built-in kind with defaults.
func (c *checker) evaluatorRef(e *Experiment, v *syntax.Value, deps map[string]bool) bool {
	n, ok := c.refName(v, "evaluator")
	if !ok {
		return false
	}
	if _, declared := c.decls[n.Text]; !declared && slices.Contains(EvaluatorKinds, n.Text) {
		switch n.Text {
		case "train":
			e.Evaluator = &Evaluator{Name: "train", Kind: "train"}
		case "table":
			e.Evaluator = &Evaluator{Name: "table", Kind: "table", Benchmark: "nasbench201", Split: "cifar10"}
		case "command":
			c.errAt(v, "a command evaluator needs its program; declare it: evaluator NAME command { run = \"./train.sh\" }")
			return false
		}
		return true
	}
	if _, declared := c.decls[n.Text]; !declared {
		c.errAt(v, "unknown evaluator %s%s; declare it or use train or table", n.Text, didYouMean(n.Text, append(c.namesOf("evaluator"), "train", "table")))
		return false
	}
	d, ok := c.lookup(n, "evaluator")
	if !ok {
		return false
	}
	deps[d.name.Text] = true
	e.Evaluator = c.spec.Evaluators[d.name.Text]
	return e.Evaluator != nil
}

// validExecutor reports whether x names a place evaluations can run: this
// process, an embedded NATS server with local workers, or a NATS server.
func validExecutor(x string) bool {
	switch {
	case x == "local", x == "embedded":
		return true
	case strings.HasPrefix(x, "nats://"), strings.HasPrefix(x, "tls://"):
		return len(x) > len("tls://")+1
	}
	return false
}
