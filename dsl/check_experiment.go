package dsl

import (
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/hwnas/hwnas/dsl/syntax"
	"github.com/hwnas/hwnas/metric"
)

var experimentKeys = []string{"space", "platform", "dataset", "evaluator", "executor", "quantize"}

// RewardKinds are the soft rewards `reward KIND { … }` names.
var RewardKinds = []string{"fnas", "mnasnet"}

// experiment checks one experiment against the declarations.
func (c *checker) experiment(d *syntax.ExperimentDecl, f *syntax.File) *Experiment {
	e := &Experiment{Name: d.Name.Text, Pos: d.Name.Pos, Parallel: 1, Strategy: Strategy{Kind: "random", Params: map[string]float64{}}}
	if d.Pos.Offset >= 0 && d.EndPos.Offset <= len(f.Src) && d.Pos.Offset <= d.EndPos.Offset {
		e.Source = f.Src[d.Pos.Offset:d.EndPos.Offset]
	}
	items := sortItems(d)
	x := &expCheck{checker: c, e: e, deps: map[string]bool{}}
	// Unknown settings are reported but, as in every declaration, leave it valid.
	x.fs = c.fieldSet(&syntax.Fields{Items: items.fields}, "experiment "+e.Name, experimentKeys)
	n := len(c.errs)
	c.givenOnce(items)
	x.objectives(items.objectives)
	x.constraints(items.requires)
	x.useSpace()
	x.useHardware(items.hardware)
	x.useEvaluatorAndData()
	x.executor()
	x.quantize()
	x.goal(items)
	x.budgetAndSeed(items)
	if len(items.fidelity) > 0 {
		x.fidelity(items.fidelity[0].Fidelity)
	}
	x.retrain(items.retrain)
	if len(x.missing) > 0 {
		c.errorf(d.Name.Pos, d.Name.EndPos, "experiment %s needs %s", e.Name, andList(x.missing))
	}
	if e.Strategy.Kind == "coexplore" && len(items.strategy) > 0 {
		x.hardwareGenes(last(items.strategy).Strategy.Kind)
	}
	if len(c.errs) > n || !x.resolved() {
		return nil
	}
	e.Deps = slices.Sorted(maps.Keys(x.deps))
	e.Standalone = c.standalone(e)
	e.hash = experimentHash(e)
	return e
}

// standalone is the source text of the declarations e uses and of every
// platform (a pool's or a hardware search's devices may name one), in
// declaration order, then e's own: a spec that checks on its own, so that a
// store keeps everything its results came from.
func (c *checker) standalone(e *Experiment) string {
	var b strings.Builder
	for _, d := range c.order {
		src := d.file.Src
		if d.kind != "platform" && !slices.Contains(e.Deps, d.name.Text) || d.d.Pos.Offset < 0 || d.d.EndPos.Offset > len(src) {
			continue
		}
		b.WriteString(strings.TrimSpace(src[d.d.Pos.Offset:d.d.EndPos.Offset]) + "\n\n")
	}
	return b.String() + e.Source
}

// hardwareGenes reports a coexplore strategy (at kind) whose hardware search
// leaves it nothing to search.
func (x *expCheck) hardwareGenes(kind *syntax.Name) {
	h := x.e.HardwareSearch
	switch {
	case h == nil:
		x.errorf(kind.Pos, kind.EndPos, "coexplore searches the hardware too; give hardware search { devices in {…} }")
	case !h.Tiling && len(h.Devices) == 1 && len(h.Precisions) == 1:
		x.errorf(kind.Pos, kind.EndPos, "coexplore needs hardware genes, and with tiling = false one device and one precision leave none; search several devices or precisions, or the tiling")
	}
}

// expItems are the items of an experiment body by kind, in source order.
type expItems struct {
	fields                                             []*syntax.Field
	objectives, requires                               []*syntax.ExpItem // maximize and minimize; require
	strategy, reward, budget, parallel, seed, hardware []*syntax.ExpItem // each given once
	fidelity                                           []*syntax.ExpItem
	retrain                                            []*syntax.ExpItem
}

func sortItems(d *syntax.ExperimentDecl) expItems {
	var items expItems
	for _, it := range d.Items {
		switch {
		case it.Field != nil:
			items.fields = append(items.fields, it.Field)
		case it.Maximize != nil || it.Minimize != nil:
			items.objectives = append(items.objectives, it)
		case it.Require != nil:
			items.requires = append(items.requires, it)
		case it.Strategy != nil:
			items.strategy = append(items.strategy, it)
		case it.Fidelity != nil:
			items.fidelity = append(items.fidelity, it)
		case it.Reward != nil:
			items.reward = append(items.reward, it)
		case it.Budget != nil:
			items.budget = append(items.budget, it)
		case it.Parallel != nil:
			items.parallel = append(items.parallel, it)
		case it.Seed != nil:
			items.seed = append(items.seed, it)
		case it.Retrain != nil:
			items.retrain = append(items.retrain, it)
		case it.Hardware != nil:
			items.hardware = append(items.hardware, it)
		}
	}
	return items
}

// givenOnce reports every item given again after the first of its kind.
// The experiment is checked with the first of each, but with the last
// strategy and reward.
func (c *checker) givenOnce(items expItems) {
	for _, k := range []struct {
		what  string
		items []*syntax.ExpItem
	}{{"strategy", items.strategy}, {"reward", items.reward}, {"budget", items.budget}, {"parallel", items.parallel},
		{"seed", items.seed}, {"the hardware", items.hardware}, {"fidelity", items.fidelity}, {"retrain", items.retrain}} {
		for i, it := range k.items {
			if i > 0 {
				c.errorf(it.Pos, it.EndPos, "%s is given twice (first at line %d)", k.what, k.items[0].Pos.Line)
			}
		}
	}
}

func last(items []*syntax.ExpItem) *syntax.ExpItem { return items[len(items)-1] }

// expCheck is the state of checking one experiment.
type expCheck struct {
	*checker
	e       *Experiment
	fs      map[string]*syntax.Field // the settings, by key
	deps    map[string]bool          // the declarations it uses, by name
	missing []string                 // required items left out, reported together
}

// resolved reports whether every declaration the experiment uses was
// checked without errors (one that failed has reported its own).
func (x *expCheck) resolved() bool {
	e := x.e
	hasHW := x.fs["platform"] != nil || e.Platform != nil || e.Pool != nil || e.HardwareSearch != nil
	return e.Space != nil && e.Evaluator != nil && (x.fs["dataset"] == nil || e.Dataset != nil) &&
		(!hasHW || e.Platform != nil || e.Pool != nil || e.HardwareSearch != nil)
}

// objectives reads `maximize M, …` and `minimize M, …`.
func (x *expCheck) objectives(items []*syntax.ExpItem) {
	for _, it := range items {
		vals, maximize := it.Maximize, true
		if it.Minimize != nil {
			vals, maximize = it.Minimize, false
		}
		for _, v := range vals {
			m, ok := x.metric(v)
			if !ok {
				continue
			}
			if slices.ContainsFunc(x.e.Objectives, func(o Objective) bool { return o.Metric == m.Name }) {
				x.errAt(v, "%s is already an objective", m.Name)
				continue
			}
			x.e.Objectives = append(x.e.Objectives, Objective{Metric: m.Name, Maximize: maximize})
		}
	}
}

// constraints reads `require M OP LIMIT`.
func (x *expCheck) constraints(items []*syntax.ExpItem) {
	for _, it := range items {
		if k, ok := x.require(it.Require); ok {
			x.e.Constraints = append(x.e.Constraints, k)
		}
	}
}

// use resolves the setting `key = NAME` to a declaration of kind key and
// records it; it returns the name, or "" when it does not resolve.
func (x *expCheck) use(key string) string {
	n, ok := x.refName(x.fs[key].Value, key)
	if !ok {
		return ""
	}
	d, ok := x.lookup(n, key)
	if !ok {
		return ""
	}
	x.deps[d.name.Text] = true
	return d.name.Text
}

// useSpace reads `space = NAME`.
func (x *expCheck) useSpace() {
	if x.fs["space"] == nil {
		x.missing = append(x.missing, "a space (space = NAME)")
		return
	}
	x.e.Space = x.spec.Spaces[x.use("space")]
}

// useHardware reads `platform = …` or the first `hardware …` item.
func (x *expCheck) useHardware(items []*syntax.ExpItem) {
	if f := x.fs["platform"]; f != nil {
		if len(items) > 0 {
			x.errorf(f.Pos, f.EndPos, "give the hardware once: platform = … or hardware …")
		} else {
			x.hardwareRef(f.Value, "platform")
		}
	}
	if len(items) == 0 {
		return
	}
	switch hw := items[0].Hardware; {
	case hw.Ref != nil:
		x.hardwareRef(hw.Ref, "platform", "pool")
	case hw.Pool != nil:
		x.e.Pool = x.poolBody(hw.Pool)
	case hw.Search != nil:
		x.e.HardwareSearch = x.hardwareSearch(hw.Search)
	}
}

// useEvaluatorAndData reads `evaluator = …` (train by default) and
// `dataset = NAME`, and checks that they fit each other and the space.
func (x *expCheck) useEvaluatorAndData() {
	e := x.e
	e.Evaluator = &Evaluator{Name: "train", Kind: "train"}
	if f := x.fs["evaluator"]; f != nil {
		e.Evaluator = nil // set by evaluatorRef when it resolves
		x.evaluatorRef(f.Value)
	}
	table := e.Evaluator != nil && e.Evaluator.Kind == "table"
	f := x.fs["dataset"]
	switch {
	case f != nil:
		e.Dataset = x.spec.Datasets[x.use("dataset")]
		if table {
			x.errorf(f.Pos, f.EndPos, "a table evaluator reads accuracy from the benchmark table; remove the dataset")
		}
		if e.Dataset != nil && e.Space != nil {
			x.datasetFits(f.Value)
		}
		if e.Dataset != nil && e.Evaluator != nil && trains(e.Evaluator) {
			x.dataDir(e.Dataset, e.Name)
		}
	case e.Evaluator != nil && trains(e.Evaluator):
		x.missing = append(x.missing, "a dataset to train on (dataset = NAME, or evaluator = table for a benchmark)")
	}
	if table && e.Space != nil && e.Space.Benchmark != e.Evaluator.Benchmark {
		ef := x.fs["evaluator"]
		x.errorf(ef.Pos, ef.EndPos, "a table evaluator needs the space benchmark(%q); space %s is not it", e.Evaluator.Benchmark, e.Space.Name)
	}
}

// trains reports an evaluator that trains on the experiment's dataset.
func trains(ev *Evaluator) bool { return ev.Kind == "train" || ev.Kind == "supernet" }

// datasetFits checks that the images and classes of a data set of known
// shape are those of the space.
func (x *expCheck) datasetFits(v *syntax.Value) {
	e := x.e
	in, outs, hasIO := spaceIO(e.Space.Space)
	img, classes, known := datasetShape(e.Dataset)
	switch {
	case !hasIO || !known:
	case in != img:
		x.errAt(v, "dataset %s holds %dx%dx%d images; space %s takes %dx%dx%d",
			e.Dataset.Name, img.H, img.W, img.C, e.Space.Name, in.H, in.W, in.C)
	case outs != 0 && outs != classes:
		x.errAt(v, "dataset %s has %d classes; space %s outputs %d (end its head with dense(%d))",
			e.Dataset.Name, classes, e.Space.Name, outs, classes)
	}
}

// executor reads `executor = "…"`: where evaluations run; results do not
// depend on it.
func (x *expCheck) executor() {
	f := x.fs["executor"]
	if f == nil {
		return
	}
	if s, ok := x.str(f.Value, "executor"); ok {
		if validExecutor(s) {
			x.e.Executor = s
		} else {
			x.errAt(f.Value, "executor %q: want \"local\", \"embedded\" or \"nats://HOST:PORT\" (\"tls://HOST:PORT\")", s)
		}
	}
}

// quantize reads `quantize = true` (to the precision of each trial's
// design), `quantize = int8` (or int16, int4) or `quantize = false`.
func (x *expCheck) quantize() {
	f := x.fs["quantize"]
	if f == nil {
		return
	}
	s, ok := x.oneOf(f.Value, "quantize", []string{"true", "false", "int16", "int8", "int4"})
	e := x.e
	switch {
	case !ok || s == "false":
		return
	case e.Evaluator != nil && e.Evaluator.Kind != "train":
		x.errAt(f.Value, "quantize measures the accuracy of a network the train evaluator trained; evaluator %s does not train", e.Evaluator.Name)
	case s == "true" && x.fs["platform"] == nil && e.Platform == nil && e.Pool == nil && e.HardwareSearch == nil:
		x.errAt(f.Value, "quantize = true takes the precision of the design; give the hardware (platform = NAME), or a width: quantize = int8")
	case s == "true":
		e.Quantize = QuantizeDesign
	default:
		e.Quantize, _ = strconv.Atoi(strings.TrimPrefix(s, "int"))
	}
}

// goal checks that the experiment has an objective, that the metrics it
// reads can be measured on its hardware, and its reward and strategy.
func (x *expCheck) goal(items expItems) {
	e := x.e
	if len(e.Objectives) == 0 {
		x.missing = append(x.missing, "an objective (maximize accuracy)")
	}
	hasHW := e.Platform != nil || e.Pool != nil || e.HardwareSearch != nil || len(items.hardware) > 0 || x.fs["platform"] != nil
	if !hasHW {
		x.needHardware(items)
	}
	if len(items.reward) > 0 {
		e.Reward = x.reward(last(items.reward).Reward, hasHW)
	}
	x.needBench(items)
	x.useDeclaredMetrics(items)
	if len(items.strategy) > 0 {
		x.strategy(e, last(items.strategy).Strategy)
	}
}

// needHardware reports the objectives and constraints that read a metric
// measured on an FPGA, in an experiment without hardware.
func (x *expCheck) needHardware(items expItems) {
	metricUses(items, func(m metric.Metric, pos, end syntax.Pos) {
		if m.HW {
			x.errorf(pos, end, "%s is measured on an FPGA; give the hardware: platform = NAME", m.Name)
		}
	})
}

// needBench reports the objectives and constraints that read a metric of
// HW-NAS-Bench in an experiment whose evaluator trains (it cannot know it).
func (x *expCheck) needBench(items expItems) {
	if x.e.Evaluator == nil || x.e.Evaluator.Kind != "train" {
		return
	}
	report := func(m metric.Metric, pos, end syntax.Pos) {
		if m.Bench {
			x.errorf(pos, end, "%s is HW-NAS-Bench's measurement, read from the NAS-Bench-201 table; use evaluator = table (or a command evaluator that reports %s)", m.Name, m.Key)
		}
	}
	metricUses(items, report)
	if r := x.e.Reward; r != nil {
		m, _ := metric.ByName(r.Metric)
		it := last(items.reward)
		report(m, it.Pos, it.EndPos)
	}
}

// metricUses calls f for every known metric an objective or a constraint
// names, with where it is written.
func metricUses(items expItems, f func(m metric.Metric, pos, end syntax.Pos)) {
	for _, it := range items.objectives {
		for _, v := range append(slices.Clone(it.Maximize), it.Minimize...) {
			if m, ok := metric.ByName(refText(v)); ok {
				f(m, v.Pos, v.EndPos)
			}
		}
	}
	for _, it := range items.requires {
		if m, ok := metric.ByName(it.Require.Metric.Text); ok {
			f(m, it.Require.Metric.Pos, it.Require.Metric.EndPos)
		}
	}
}

// budgetAndSeed reads the budget, `parallel N` and `seed N`.
func (x *expCheck) budgetAndSeed(items expItems) {
	e := x.e
	if len(items.budget) > 0 {
		x.budget(e, items.budget[0])
	} else {
		x.missing = append(x.missing, "a budget (budget 30 trials)")
	}
	if len(items.parallel) > 0 {
		v := items.parallel[0].Parallel
		n, ok := x.integer(v, "parallel", 1)
		if ok && n > 1024 {
			x.errAt(v, "parallel is at most 1024")
		}
		e.Parallel = n
	}
	if len(items.seed) > 0 {
		v := items.seed[0].Seed
		if v.Num == nil || v.Num.Unit != "" {
			x.errAt(v, "seed must be a whole number, not %s", describeValue(v))
		} else if f, err := numValue(v.Num); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			e.Seed = int64(f)
		} else {
			x.errAt(v, "seed must be a whole number")
		}
	}
}

// retrain reads `retrain N`: the best N children of a supernet search are
// then trained from scratch.
func (x *expCheck) retrain(items []*syntax.ExpItem) {
	if len(items) == 0 {
		return
	}
	v := items[0].Retrain
	n, ok := x.integer(v, "retrain", 1)
	switch {
	case ok && n > 1000:
		x.errAt(v, "retrain at most 1000 children, not %d", n)
	case ok && x.e.Evaluator != nil && x.e.Evaluator.Kind != "supernet":
		what := x.e.Evaluator.Name
		if what != x.e.Evaluator.Kind {
			what += " (a " + x.e.Evaluator.Kind + " evaluator)"
		}
		x.errorf(items[0].Pos, items[0].EndPos, "retrain trains the best children of a supernet search from scratch; it needs a supernet evaluator, not %s", what)
	}
	x.e.Retrain = n
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
func (x *expCheck) hardwareRef(v *syntax.Value, kinds ...string) {
	if v.Str != nil {
		if dev, ok := x.catalog(v, *v.Str); ok {
			x.e.Platform = &Platform{Name: dev.Name, Catalog: dev.Name, Device: dev, Precision: defaultPrecision, Pos: v.Pos}
		}
		return
	}
	n, ok := x.refName(v, kinds[0])
	if !ok {
		return
	}
	d, ok := x.lookup(n, kinds...)
	if !ok {
		return
	}
	x.deps[d.name.Text] = true
	if d.kind == "pool" {
		x.e.Pool = x.spec.Pools[d.name.Text]
	} else {
		x.e.Platform = x.spec.Platforms[d.name.Text]
	}
}

// evaluatorRef resolves `evaluator = NAME` or a built-in kind with defaults.
func (x *expCheck) evaluatorRef(v *syntax.Value) {
	n, ok := x.refName(v, "evaluator")
	if !ok {
		return
	}
	if _, declared := x.decls[n.Text]; !declared {
		switch n.Text {
		case "train":
			x.e.Evaluator = &Evaluator{Name: "train", Kind: "train"}
		case "table":
			x.e.Evaluator = &Evaluator{Name: "table", Kind: "table", Benchmark: "nasbench201", Split: "cifar10"}
		case "command":
			x.errAt(v, "a command evaluator needs its program; declare it: evaluator NAME command { run = \"./train.sh\" }")
		default:
			x.errAt(v, "unknown evaluator %s%s; declare it or use train or table", n.Text, didYouMean(n.Text, append(x.namesOf("evaluator"), "train", "table")))
		}
		return
	}
	if d, ok := x.lookup(n, "evaluator"); ok {
		x.deps[d.name.Text] = true
		x.e.Evaluator = x.spec.Evaluators[d.name.Text]
	}
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
