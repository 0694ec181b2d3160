package dsl

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/dsl/syntax"
	"github.com/hwnas/hwnas/metric"

	"github.com/hwnas/hwnas/arch"
)

func load(t *testing.T, src string) (*Spec, error) {
	t.Helper()
	return LoadSource("t.hwnas", src, nil)
}

func TestChainSpaces(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		size  int64
		names string // decision names, space separated
		err   string
	}{
		{"fnas", "input 28x28x1 repeat 4 { conv { kernel in {5, 7, 14}  filters in {9, 18, 36}  stride = 1 } } head gap, dense(10)", 6561, "", ""},
		{"range step", "input 8x8x1 conv { filters in 16..64 step 16 } head gap, dense(2)", 4, "layer1.filters", ""},
		{"repeat range", "input 8x8x1 repeat 1..3 { conv { filters in {4, 8} } } head gap, dense(2)", 3 * 8, "block1.repeat layer1.filters layer2.filters layer3.filters", ""},
		{"shared", "input 8x8x1 repeat 3 shared { conv { filters in {4, 8} } } head gap, dense(2)", 2, "block1.layer1.filters", ""},
		{"optional and choice", "input 8x8x1 optional maxpool choice { conv { filters = 4 } dwconv skip } head gap, dense(2)", 6, "layer1.use layer2.type", ""},
		{"batchnorm", "input 8x8x1 batchnorm = true conv { filters = 4 } head flatten, dense(2)", 1, "", ""},
		{"mbconv", "input 8x8x4 choice { mbconv { expand in {1, 3, 6}  kernel in {3, 5, 7}  filters = 4 } skip } head gap, dense(2)", 18, "layer1.type layer1.mbconv.expand layer1.mbconv.kernel", ""},
		{"mbconv no filters", "input 8x8x1 mbconv { expand = 3 } head gap, dense(2)", 0, "", "mbconv needs filters"},
		{"no head", "input 8x8x1 conv { filters = 4 }", 0, "", "needs a head"},
		{"no input", "conv { filters = 4 } head dense(2)", 0, "", "needs an input shape"},
		{"no filters", "input 8x8x1 conv head dense(2)", 0, "", "conv needs filters"},
		{"conv = ", "input 8x8x1 conv = 3 head dense(2)", 0, "", "conv is a layer"},
		{"unknown setting", "input 8x8x1 bn = true conv { filters = 2 } head dense(2)", 0, "", "no setting bn"},
		{"in with one value", "input 8x8x1 conv { filters in 4 } head dense(2)", 0, "", "filters in takes a set"},
		{"choice of one", "input 8x8x1 choice { skip } head dense(2)", 0, "", "at least two layer types"},
		{"dup in choice", "input 8x8x1 choice { skip skip } head dense(2)", 0, "", "skip appears twice"},
		{"head order", "input 8x8x1 skip head dense(2), gap", 0, "", "must end in dense"},
		{"head arg", "input 8x8x1 skip head gap(2), dense(2)", 0, "", "gap takes no arguments"},
		{"huge repeat", "input 8x8x1 repeat 100 { skip } head dense(2)", 0, "", "at most 64"},
		{"range too wide", "input 8x8x1 conv { filters in 1..100000 } head dense(2)", 0, "", "more than 4096 values"},
		{"float", "input 8x8x1 conv { filters = 2.5 } head dense(2)", 0, "", "whole number"},
		{"unit", "input 8x8x1 conv { filters = 2 ms } head dense(2)", 0, "", "plain number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := load(t, "space s { "+tt.body+" }")
			if tt.err != "" {
				if err == nil || !strings.Contains(render(err), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			sp := s.Spaces["s"].Space
			if got := arch.Size(sp); got != tt.size {
				t.Errorf("size %d, want %d", got, tt.size)
			}
			if tt.names != "" {
				var names []string
				for _, d := range sp.Decisions() {
					names = append(names, d.Name)
				}
				if got := strings.Join(names, " "); got != tt.names {
					t.Errorf("decisions %q, want %q", got, tt.names)
				}
			}
			if _, err := sp.Decode(make([]int, len(sp.Decisions()))); err != nil {
				t.Errorf("decode: %v", err)
			}
		})
	}
}

func TestCellAndBenchmarkSpaces(t *testing.T) {
	s, err := Load("../examples/nb201_cells.hwnas")
	if err != nil {
		t.Fatal(err)
	}
	cs, ok := s.Spaces["cells"].Space.(*arch.CellSpace)
	if !ok {
		t.Fatalf("space is %T", s.Spaces["cells"].Space)
	}
	if cs.Nodes != 4 || len(cs.Stages) != 3 || cs.StemChannels != 8 || cs.Classes != 10 || cs.Input.C != 1 {
		t.Errorf("cell space %+v", cs)
	}
	ds := cs.Decisions()
	if len(ds) != 6 || len(ds[3].Choices) != 2 || ds[3].Name != "edge3<-0" || len(ds[0].Choices) != 5 {
		t.Errorf("decisions %+v", ds)
	}
	s, err = Load("../examples/nb201_fpga.hwnas")
	if err != nil {
		t.Fatal(err)
	}
	e := s.Experiments["nb201_zcu102"]
	if e.Space.Benchmark != "nasbench201" || arch.Size(e.Space.Space) != 15625 || e.Evaluator.Kind != "table" || e.Dataset != nil {
		t.Errorf("nb201 experiment %+v", e)
	}
	for _, bad := range []struct{ src, err string }{
		{"space c { input 32x32x3 cell { nodes = 4 } stem { channels = 16 } stage { cells = 1 channels = 16 } head gap, dense(10) }", "needs its edge ops"},
		{"space c { input 32x32x3 cell { nodes = 4 ops in {skip, conv9x9} } stem { channels = 16 } stage { cells = 1 channels = 16 } head gap, dense(10) }", "unknown cell op conv9x9"},
		{"space c { input 32x32x3 cell { ops in {skip} edge 2 -> 1 in {skip} } stem { channels = 16 } stage { cells = 1 channels = 16 } head gap, dense(10) }", "edge 2 -> 1"},
		{"space c { input 32x32x3 cell { ops in {skip} } head gap, dense(10) }", "needs input, cell, stem"},
		{"space c { input 32x32x3 cell { ops in {skip} } conv { filters = 3 } stem { channels = 16 } stage { cells = 1 channels = 16 } head gap, dense(10) }", "holds input, cell, stem, stage and head"},
		{`space c = benchmark(nasbench201)`, "takes benchmark"},
	} {
		if _, err := load(t, bad.src); err == nil || !strings.Contains(render(err), bad.err) {
			t.Errorf("%s: err %v, want %q", bad.src, err, bad.err)
		}
	}
}

func TestExperiments(t *testing.T) {
	base := `platform p from "PYNQ-Z1"
pool farm { "ZCU102" x 2  link = 10 Gb/s }
space s { input 28x28x1 conv { filters in {2, 4} } head gap, dense(10) }
space nb = benchmark("nasbench201")
dataset d { source = builtin("mnist") }
evaluator cmd command { run = "./train.sh --fast"  timeout = 2 min }
metric board_latency { unit = ms  goal = minimize }
metric board_score { }
`
	tests := []struct {
		name, body string
		check      func(*Experiment) bool
		err        string
	}{
		{"minimal", "space = s dataset = d maximize accuracy budget 3 trials", func(e *Experiment) bool {
			return e.Strategy.Kind == "random" && e.Parallel == 1 && e.Evaluator.Kind == "train" && e.Trials == 3
		}, ""},
		{"catalog string", `space = s dataset = d platform = "zcu102" minimize latency budget 3 trials`, func(e *Experiment) bool {
			return e.Platform != nil && e.Platform.Device.Name == "ZCU102"
		}, ""},
		{"pool by name", "space = s dataset = d hardware = farm maximize throughput budget 3 trials", func(e *Experiment) bool {
			return e.Pool != nil && len(e.Pool.Pool.Devices) == 2 && e.Pool.Pool.LinkGBs == 1.25
		}, ""},
		{"inline pool", `space = s dataset = d hardware pool { "ZC706", p  link = 1 GB/s } maximize throughput budget 3 trials`, func(e *Experiment) bool {
			return e.Pool != nil && len(e.Pool.Pool.Devices) == 2 && e.Pool.Pool.Devices[1].Name == "PYNQ-Z1"
		}, ""},
		{"hardware search", `space = s dataset = d hardware search { devices in {"ZCU102", p} link = 10 Gb/s precision in {int8, int16} tiling = false } maximize accuracy strategy coexplore budget 3 trials`, func(e *Experiment) bool {
			h := e.HardwareSearch
			return h != nil && len(h.Devices) == 2 && len(h.Precisions) == 2 && !h.Tiling && h.Partition && h.LinkGBs == 1.25
		}, ""},
		{"command evaluator", "space = s evaluator = cmd maximize accuracy budget 30 min", func(e *Experiment) bool {
			return e.Evaluator.Kind == "command" && len(e.Evaluator.Command) == 2 && e.Evaluator.TimeoutMs == 120000 && e.TimeMs == 1800000 && e.Trials == 0
		}, ""},
		{"table", "space = nb evaluator = table maximize accuracy minimize params strategy nsga2 budget 5 trials", func(e *Experiment) bool {
			return e.Evaluator.Kind == "table" && e.Evaluator.Benchmark == "nasbench201" && len(e.Objectives) == 2
		}, ""},
		{"mnasnet", "space = s dataset = d platform = p maximize accuracy reward mnasnet { target = 5 ms  above = -1  below = 0 } strategy reinforce budget 3 trials", func(e *Experiment) bool {
			r := e.Reward
			return r != nil && r.Kind == "mnasnet" && r.Metric == "latency" && r.Target == 5 && r.Above == -1 && r.Below == 0
		}, ""},
		{"mnasnet energy", "space = s dataset = d platform = p maximize accuracy reward mnasnet { metric = energy target = 2 mJ } budget 3 trials", func(e *Experiment) bool {
			return e.Reward.Metric == "energy" && e.Reward.Target == 2 && e.Reward.Above == -0.07
		}, ""},
		{"seed parallel", "space = s dataset = d maximize accuracy budget 3 trials seed -4 parallel 8", func(e *Experiment) bool {
			return e.Seed == -4 && e.Parallel == 8
		}, ""},
		{"executor embedded", `space = s dataset = d maximize accuracy budget 3 trials executor = "embedded"`, func(e *Experiment) bool {
			return e.Executor == "embedded"
		}, ""},
		{"executor nats", `space = s dataset = d maximize accuracy budget 3 trials executor = "nats://10.0.0.5:4222"`, func(e *Experiment) bool {
			return e.Executor == "nats://10.0.0.5:4222"
		}, ""},
		{"executor unknown", `space = s dataset = d maximize accuracy budget 3 trials executor = "pigeon"`, nil, `executor "pigeon": want "local", "embedded" or "nats://HOST:PORT"`},
		{"executor not a string", `space = s dataset = d maximize accuracy budget 3 trials executor = embedded`, nil, "executor must be a string in quotes"},
		{"bench metrics", "space = nb evaluator = table minimize bench_fpga_latency, bench_pixel3_latency require bench_raspi4_latency <= 20 ms require bench_fpga_energy < 30 mJ budget 5 trials", func(e *Experiment) bool {
			return len(e.Objectives) == 2 && e.Objectives[1].Metric == "bench_pixel3_latency" && e.Constraints[0].Limit == 20 && e.Constraints[1].Metric == "bench_fpga_energy"
		}, ""},
		{"bench metric by command", "space = s evaluator = cmd minimize bench_eyeriss_latency budget 5 trials", func(e *Experiment) bool {
			return e.Objectives[0].Metric == "bench_eyeriss_latency"
		}, ""},
		{"bench reward", "space = nb evaluator = table maximize accuracy reward mnasnet { metric = bench_raspi4_latency target = 20 ms } budget 5 trials", func(e *Experiment) bool {
			return e.Reward.Metric == "bench_raspi4_latency" && e.Reward.Target == 20
		}, ""},
		{"bench metric when training", "space = s dataset = d minimize bench_fpga_latency budget 3 trials", nil, "bench_fpga_latency is HW-NAS-Bench's measurement, read from the NAS-Bench-201 table; use evaluator = table"},
		{"bench reward when training", "space = s dataset = d maximize accuracy reward mnasnet { metric = bench_fpga_latency target = 2 ms } budget 3 trials", nil, "use evaluator = table"},
		{"bench limit unit", "space = nb evaluator = table maximize accuracy require bench_fpga_energy <= 2 ms budget 3 trials", nil, "needs a unit of energy"},
		{"quantize design", "space = s dataset = d platform = p maximize accuracy quantize = true budget 3 trials", func(e *Experiment) bool {
			return e.Quantize == QuantizeDesign
		}, ""},
		{"quantize int4", "space = s dataset = d maximize accuracy quantize = int4 budget 3 trials", func(e *Experiment) bool {
			return e.Quantize == 4
		}, ""},
		{"quantize false", "space = s dataset = d maximize accuracy quantize = false budget 3 trials", func(e *Experiment) bool {
			return e.Quantize == 0
		}, ""},
		{"quantize without hardware", "space = s dataset = d maximize accuracy quantize = true budget 3 trials", nil, "quantize = true takes the precision of the design; give the hardware"},
		{"quantize table", "space = nb evaluator = table maximize accuracy quantize = int8 budget 3 trials", nil, "evaluator table does not train"},
		{"quantize width", "space = s dataset = d maximize accuracy quantize = int2 budget 3 trials", nil, "unknown quantize int2"},
		{"declared metric", "space = s evaluator = cmd maximize accuracy minimize board_latency require board_latency <= 20 ms require board_score > 3 budget 3 trials", func(e *Experiment) bool {
			return e.Objectives[1].Metric == "board_latency" && e.Constraints[0].Limit == 20 && e.Constraints[1].Limit == 3 &&
				slices.Contains(e.Deps, "board_latency") && slices.Contains(e.Deps, "board_score")
		}, ""},
		{"declared metric reward", "space = s evaluator = cmd maximize accuracy reward mnasnet { metric = board_latency target = 5 ms } budget 3 trials", func(e *Experiment) bool {
			return e.Reward.Metric == "board_latency" && e.Reward.Target == 5
		}, ""},
		{"declared metric goal", "space = s evaluator = cmd maximize board_latency budget 3 trials", nil, "metric board_latency has goal = minimize; write minimize board_latency"},
		{"declared metric unit", "space = s evaluator = cmd minimize board_latency require board_latency <= 3 W budget 3 trials", nil, "board_latency limit needs a unit of time"},
		{"declared metric when training", "space = s dataset = d minimize board_latency budget 3 trials", nil, "board_latency is declared by the spec and only a command evaluator reports it; evaluator train does not"},
		{"undeclared metric", "space = s evaluator = cmd minimize board_temp budget 3 trials", nil, "or declare it: metric board_temp { unit = ms }"},
		{"table with train space", "space = s evaluator = table maximize accuracy budget 3 trials", nil, "needs the space benchmark"},
		{"no dataset", "space = s maximize accuracy budget 3 trials", nil, "needs a dataset"},
		{"no objective", "space = s dataset = d budget 3 trials", nil, "needs an objective"},
		{"no space", "dataset = d maximize accuracy budget 3 trials", nil, "needs a space"},
		{"two hardware", "space = s dataset = d platform = p hardware = farm maximize accuracy budget 3 trials", nil, "give the hardware once"},
		{"platform is a pool", "space = s dataset = d platform = farm maximize accuracy budget 3 trials", nil, "farm is a pool, not a platform"},
		{"dup objective", "space = s dataset = d maximize accuracy minimize accuracy budget 3 trials", nil, "already an objective"},
		{"coexplore without search", "space = s dataset = d platform = p maximize accuracy strategy coexplore budget 3 trials", nil, "coexplore searches the hardware"},
		{"reward units", "space = s dataset = d platform = p maximize accuracy reward mnasnet { target = 5 W } budget 3 trials", nil, "target needs a unit of time"},
		{"reward without hw", "space = s dataset = d maximize accuracy reward mnasnet { target = 5 ms } budget 3 trials", nil, "measured on an FPGA"},
		{"strategy twice", "space = s dataset = d maximize accuracy strategy random strategy grid budget 3 trials", nil, "strategy is given twice"},
		{"param range", "space = s dataset = d maximize accuracy strategy nsga2 { crossover = 2 } budget 3 trials", nil, "crossover must lie in [0, 1]"},
		{"param integer", "space = s dataset = d maximize accuracy strategy nsga2 { population = 2.5 } budget 3 trials", nil, "population must be a whole number"},
		{"unknown field", "space = s dataset = d maximize accuracy budgte = 3", nil, "no setting budgte"},
		{"zero trials", "space = s dataset = d maximize accuracy budget 0 trials", nil, "trials must be a whole number of at least 1"},
		{"budget unit", "space = s dataset = d maximize accuracy budget 3 MHz", nil, "time budget needs a unit of time"},
		{"command needs run", "space = s evaluator = command maximize accuracy budget 3 trials", nil, "needs its program"},
		{"unknown evaluator", "space = s evaluator = trian maximize accuracy budget 3 trials", nil, "did you mean train?"},
		{"coexplore without hardware genes", `space = s dataset = d hardware search { devices in {"ZCU102"} tiling = false } maximize accuracy strategy coexplore budget 3 trials`, nil, "one device and one precision leave none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := load(t, base+"experiment e { "+tt.body+" }\n")
			if tt.err != "" {
				if err == nil || !strings.Contains(render(err), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if e := s.Experiments["e"]; !tt.check(e) {
				t.Errorf("unexpected experiment %+v", e)
			}
		})
	}
}

func TestPlatforms(t *testing.T) {
	s, err := load(t, `platform custom { family = ultrascale dsp = 100 bram = 200 lut = 30000 bandwidth = 2 GB/s clock = 150 MHz uram = 4 ports = 128 }
platform fast from "PYNQ-Z1" { clock = 0.15 GHz  dsp = 200  precision = int8 }`)
	if err != nil {
		t.Fatal(err)
	}
	c := s.Platforms["custom"]
	if c.Catalog != "" || c.Device.DSP != 100 || c.Device.URAM != 4 || c.Device.PortBits != 128 || c.Device.Family != "xilinx-ultrascale" || c.Device.DSPmW == 0 {
		t.Errorf("custom %+v", c.Device)
	}
	f := s.Platforms["fast"]
	if f.Device.ClockMHz != 150 || f.Device.DSP != 200 || f.Precision.String() != "int8" || f.Device.LUT != 53200 {
		t.Errorf("fast %+v", f)
	}
	for _, bad := range []struct{ src, err string }{
		{"platform c { dsp = 100 }", "custom platform c needs bram, lut, bandwidth, clock"},
		{`platform c from "ZC706" { family = intel }`, "family comes from the catalog"},
		{`platform c from "ZC706" { clock = 0 MHz }`, "clock must be positive"},
		{`platform c from "ZC706" { clock = 100 MHz  clock = 120 MHz }`, "clock is set twice"},
		{`platform c from "ZC706" { static = -1 W }`, "t.hwnas:1:36: error: static power must not be negative"},
		{`platform c from "ZC706" { precision in {int8} }`, "precision takes one value"},
		{`pool p { "ZC706" x 2 }`, "needs the link bandwidth"},
		{`pool p { }`, "the pool has no devices"},
		{`pool p { "ZC706"  speed = 3 }`, "a pool has no setting speed"},
	} {
		if _, err := load(t, bad.src); err == nil || !strings.Contains(render(err), bad.err) {
			t.Errorf("%s: err %v, want %q", bad.src, err, bad.err)
		}
	}
}

func TestDatasets(t *testing.T) {
	s, err := load(t, `dataset a { source = idx("data/mnist") train = 100 val = 10 test = 20 epochs = 3 batch = 32 optimizer = sgd lr = 0.1 }`)
	if err != nil {
		t.Fatal(err)
	}
	if a := s.Datasets["a"]; a.Source != "idx" || a.Path != "data/mnist" || a.Val != 10 || a.Optimizer != "sgd" || a.LR != 0.1 {
		t.Errorf("dataset %+v", a)
	}
	for _, bad := range []struct{ src, err string }{
		{`dataset a { train = 3 }`, "needs a source"},
		{`dataset a { source = builtin("fashion") }`, "unknown built-in data set"},
		{`dataset a { source = imagenet("x") }`, "unknown source imagenet"},
		{`dataset a { source = "mnist" }`, "source is builtin"},
		{`dataset a { source = idx("") }`, "the path is empty"},
		{`evaluator e train { epochs = 3 }`, "a train evaluator (which takes no settings) has no setting epochs\n"},
		{`evaluator e tabel`, "unknown evaluator kind tabel (did you mean table?)"},
		{`evaluator e command { run = "" }`, "run names no program"},
		{`evaluator e table { split = "cifar11" }`, "unknown split \"cifar11\" (did you mean cifar10?)"},
		{`dataset a { source = builtin("mnist") lr = 0 }`, "lr must be positive"},
	} {
		if _, err := load(t, bad.src); err == nil || !strings.Contains(render(err), bad.err) {
			t.Errorf("%s: err %v, want %q", bad.src, err, bad.err)
		}
	}
}

// TestAllErrorsSorted: every error of a file is reported, in source order.
func TestAllErrorsSorted(t *testing.T) {
	_, err := load(t, "space a { input 1x1 head gap }\nplatform p from \"nope\"\ndataset d { source = builtin(\"x\") }")
	el, ok := err.(syntax.ErrorList)
	if !ok || len(el) != 4 {
		t.Fatalf("got %d errors: %v", len(el), err)
	}
	for i := 1; i < len(el); i++ {
		if el[i].Pos.Offset < el[i-1].Pos.Offset {
			t.Errorf("errors out of order: %v", err)
		}
	}
}

func TestImportCycle(t *testing.T) {
	files := map[string]string{
		"a.hwnas": "import \"b.hwnas\"\nplatform pa from \"ZC706\"",
		"b.hwnas": "import \"a.hwnas\"\nplatform pb from \"ZC706\"",
	}
	read := func(p string) ([]byte, error) { return []byte(files[p]), nil }
	s, err := LoadSource("a.hwnas", files["a.hwnas"], read)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Platforms) != 2 {
		t.Errorf("platforms %v", s.Platforms)
	}
}

// TestLanguageDocCoversKeywords: the reference documents every keyword,
// metric, unit and layer type.
func TestLanguageDocCoversKeywords(t *testing.T) {
	b, err := os.ReadFile("../docs/language.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	words := syntax.Keywords()
	words = append(words, metric.Names()...)
	for u := range units {
		words = append(words, u)
	}
	words = append(words, layerKinds()...)
	words = append(words, arch.CellOps...)
	for _, w := range words {
		if !regexp.MustCompile(`(^|[^A-Za-z0-9_])` + regexp.QuoteMeta(w) + `($|[^A-Za-z0-9_])`).MatchString(doc) {
			t.Errorf("docs/language.md does not mention %q", w)
		}
	}
}

// TestUnitsOfGrammar: every unit the grammar accepts has a dimension and a
// scale, and no other.
func TestUnitsOfGrammar(t *testing.T) {
	if got, want := slices.Sorted(maps.Keys(units)), syntax.Units(); !slices.Equal(got, want) {
		t.Errorf("units %v, grammar's %v", got, want)
	}
}

// TestRunTwice: naming an experiment in two run statements would run it
// twice (the second time a resume that prints everything again); it is an
// error at the second one.
func TestRunTwice(t *testing.T) {
	src := "space s = benchmark(\"nasbench201\")\nexperiment e { space = s evaluator = table maximize accuracy budget 3 trials }\nrun e\nrun e\n"
	_, err := load(t, src)
	if err == nil || !strings.Contains(render(err), "t.hwnas:4:5: error: experiment e is already run at t.hwnas:3:5") {
		t.Fatalf("err %v, want the second run named", err)
	}
	s, err := load(t, strings.Replace(src, "run e\nrun e\n", "run e\n", 1))
	if err != nil || len(s.Runs) != 1 {
		t.Fatalf("one run: %v, runs %v", err, s)
	}
}

// TestLayerSizeLimit: a layer size with a typo's extra zeros is an error at
// check time, not a network that allocates gigabytes when it is trained.
func TestLayerSizeLimit(t *testing.T) {
	for _, tt := range []struct{ layers, err string }{
		{"conv { filters = 1000000000 }", "t.hwnas:1:40: error: filters 1000000000 is more than the limit of 65536"},
		{"conv { filters in {16, 100000} }", "filters 100000 is more than the limit of 65536"},
		{"conv { filters = 8  kernel = 70000 }", "kernel 70000 is more than the limit of 65536"},
		{"conv { filters = 8 } head gap, dense(2000000)", "dense units 2000000 is more than the limit of 65536"},
	} {
		src := "space s { input 8x8x1 " + tt.layers
		if !strings.Contains(tt.layers, "head") {
			src += " head gap, dense(2)"
		}
		if _, err := load(t, src+" }\n"); err == nil || !strings.Contains(render(err), tt.err) {
			t.Errorf("%s: err %v, want %q", tt.layers, err, tt.err)
		}
	}
	if _, err := load(t, "space s { input 8x8x1 conv { filters = 65536 } head gap, dense(65536) }\n"); err != nil {
		t.Errorf("at the limit: %v", err)
	}
}

// TestDatasetShape: a space whose input differs from the images of a data
// set of known shape is an error at check time, not a run whose every trial
// fails.
func TestDatasetShape(t *testing.T) {
	dir := t.TempDir() // the data directories must exist: t.hwnas's are relative to the working directory
	for _, d := range []string{"data/cifar", "data/other"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	const data = `dataset m { source = builtin("mnist") }
dataset c { source = cifar10("data/cifar") }
dataset i { source = idx("data/other") }
`
	for _, tt := range []struct{ input, dataset, err string }{
		{"28x28x1", "m", ""},
		{"32x32x3", "m", "t.hwnas:5:73: error: dataset m holds 28x28x1 images; space s takes 32x32x3"},
		{"32x32x3", "c", ""},
		{"28x28x1", "c", "dataset c holds 32x32x3 images; space s takes 28x28x1"},
		{"64x64x3", "i", ""}, // idx files carry their own shape
		{"28x28x1 dense(2)", "m", "dataset m has 10 classes; space s outputs 2 (end its head with dense(10))"},
	} {
		input, head, _ := strings.Cut(tt.input, " ")
		if head == "" {
			head = "dense(10)"
		}
		src := data + "space s { input " + input + " conv { filters = 4 } head gap, " + head + " }\n" +
			"experiment e { space = s  maximize accuracy  budget 2 trials  dataset = " + tt.dataset + " }\n"
		_, err := load(t, src)
		if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(render(err), tt.err)) {
			t.Errorf("%s on %s: err %v, want %q", tt.input, tt.dataset, err, tt.err)
		}
	}
}

func TestMetricDeclarations(t *testing.T) {
	s, err := load(t, `metric board_energy { unit = mJ  goal = minimize }
metric link { unit = "GB/s" }
metric top5 { unit = fraction  goal = maximize }
`)
	if err != nil {
		t.Fatal(err)
	}
	if m := s.Metrics["board_energy"]; m == nil || m.Dim != "energy" || m.Unit != "mJ" || m.Goal != "minimize" {
		t.Errorf("board_energy = %+v", m)
	}
	if m := s.Metrics["link"]; m == nil || m.Dim != "bandwidth" || m.Goal != "" {
		t.Errorf("link = %+v", m)
	}
	if m := s.Metrics["top5"]; m == nil || m.Dim != "fraction" || m.Unit != "" {
		t.Errorf("top5 = %+v", m)
	}
	for src, want := range map[string]string{
		"metric latency { unit = ms }":           "metric latency is built in",
		"metric latency_ms { unit = ms }":        "latency_ms is the stored key of a built-in metric",
		"metric t { unit = us }":                 "a metric's unit is one of ms, mJ, W, fps, MHz, GB/s, count, fraction (the evaluator reports the value in it), not the name us",
		"metric t { goal = lower }":              "unknown goal lower",
		"metric t { unit = ms  direction = up }": "no setting direction",
		"metric t { }\nmetric t { }":             "metric t is already declared",
	} {
		if _, err := load(t, src+"\n"); err == nil || !strings.Contains(render(err), want) {
			t.Errorf("%q: err %v, want %q", src, err, want)
		}
	}
}

func TestPlatformCalibration(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "cal.json"), []byte(`{"compute": 1.5, "fixed_ms": 0.2}`), 0o644)
	os.WriteFile(filepath.Join(dir, "bad.json"), []byte(`{"compute": -1}`), 0o644)
	spec := func(file string) (*Spec, error) {
		return LoadSource(filepath.Join(dir, "s.hwnas"), `platform z from "ZC706" { calibration = "`+file+`" }
space nb = benchmark("nasbench201")
experiment e { space = nb  evaluator = table  platform = z  minimize latency  budget 3 trials }
`, nil)
	}
	s, err := spec("cal.json")
	if err != nil {
		t.Fatal(err)
	}
	c := s.Platforms["z"].Calibration
	if c == nil || c.Compute != 1.5 || c.FixedMs != 0.2 {
		t.Fatalf("calibration %+v", c)
	}
	plain, err := LoadSource(filepath.Join(dir, "s.hwnas"), `platform z from "ZC706"
space nb = benchmark("nasbench201")
experiment e { space = nb  evaluator = table  platform = z  minimize latency  budget 3 trials }
`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if plain.Experiments["e"].Hash() == s.Experiments["e"].Hash() {
		t.Error("the calibration does not change the experiment's hash")
	}
	for file, want := range map[string]string{"bad.json": "compute = -1", "none.json": "no such file"} {
		if _, err := spec(file); err == nil || !strings.Contains(render(err), want) || !strings.Contains(render(err), "s.hwnas:1:") {
			t.Errorf("calibration %s: err %v, want %q at line 1", file, err, want)
		}
	}
}
