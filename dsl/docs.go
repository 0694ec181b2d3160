package dsl

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/dsl/syntax"
	"github.com/hwnas/hwnas/fpga"
	"github.com/hwnas/hwnas/metric"
	"github.com/hwnas/hwnas/search"
)

// keywordDocs are the short docs of the language's words.
var keywordDocs = map[string]string{
	"import":     `import "lib.hwnas" — declarations of another file, relative to this one`,
	"platform":   `platform NAME from "PYNQ-Z1" { clock = 100 MHz  precision = int16 } — an FPGA, from the catalog or custom`,
	"pool":       `pool NAME { "ZCU102" x 2, zc706  link = 10 Gb/s } — FPGAs working as one multi-FPGA pipeline`,
	"space":      `space NAME { input 28x28x1 … head gap, dense(10) } or space NAME = benchmark("nasbench201") — a search space`,
	"dataset":    `dataset NAME { source = builtin("mnist")  train = 6000  epochs = 1 } — data and training fidelity`,
	"evaluator":  `evaluator NAME train|table|command|supernet { … } — how accuracy is obtained`,
	"metric":     `metric NAME { unit = ms  goal = minimize } — a metric a command evaluator reports (a measured board latency)`,
	"experiment": `experiment NAME { space = …  platform = …  maximize accuracy  budget 30 trials } — one search`,
	"run":        `run NAME — run an experiment`,
	"input":      `input HxWxC — the input shape of a space, e.g. input 28x28x1`,
	"repeat":     `repeat N [shared] { layers } or repeat LO..HI { … } — repeat layers; shared makes one choice for all repeats`,
	"optional":   `optional LAYER — the search decides whether the layer is there`,
	"choice":     `choice { conv {…} dwconv {…} skip } — the search picks the layer type`,
	"mbconv":     `mbconv { expand in {1, 3, 6}  kernel in {3, 5, 7}  filters = 32  stride = 1 } — MobileNetV2's inverted residual block`,
	"head":       `head gap, dense(10) — the fixed end of a chain: gap, flatten, dense(units)`,
	"cell":       `cell { nodes = 4  ops in {none, skip, conv1x1, conv3x3, avgpool3x3} } — a NAS-Bench-201-style cell`,
	"edge":       `edge FROM -> TO in {ops} — restrict the ops of one cell edge`,
	"stem":       `stem { channels = 16 } — the 3x3 conv before the cells`,
	"stage":      `stage { cells = 5  channels = 16 } — cells at one width; a reduction block starts every later stage`,
	"shared":     `repeat N shared { … } — one set of choices for every repeat`,
	"maximize":   `maximize METRIC, … — objectives to maximise`,
	"minimize":   `minimize METRIC, … — objectives to minimise`,
	"require":    `require METRIC <= LIMIT UNIT — a hard constraint; hardware violators are pruned before training`,
	"reward":     `reward mnasnet { target = 8 ms  below = -0.07  above = -0.07 } or reward fnas { target = 8 ms } — a soft reward`,
	"strategy":   `strategy KIND { param = value … } — the search strategy`,
	"fidelity":   `fidelity asha|hyperband { min_epochs = 1  max_epochs = 9  eta = 3 } — train children in rungs of epochs; only the top 1/eta of a rung go on (ASHA; Hyperband's brackets)`,
	"asha":       `fidelity asha { … } — asynchronous successive halving (Li et al. MLSys 2020)`,
	"hyperband":  `fidelity hyperband { … } — asynchronous successive halving in Hyperband's brackets, each starting at a later rung (Li et al. JMLR 2018)`,
	"budget":     `budget 60 trials [2 h] — when the search stops`,
	"parallel":   `parallel N — evaluations at once`,
	"executor":   `executor = "local" | "embedded" | "nats://HOST:PORT" — where evaluations run (results do not change)`,
	"seed":       `seed N — every random choice flows from it`,
	"retrain":    `retrain N — train the N best children of a supernet search from scratch (status retrained)`,
	"bn_batches": `bn_batches = 10 — batches that re-estimate a supernet child's batch-norm statistics`,
	"hardware":   `hardware = NAME | hardware pool { … } | hardware search { devices in {…} … } — the FPGA side`,
	"from":       `platform NAME from "BOARD" — start from a catalog board`,
	"step":       `LO..HI step S — every S-th value of a range`,
	"batchnorm":  `batchnorm = true — conv and hidden dense layers carry batch normalisation`,
	"benchmark":  `benchmark("nasbench201") — a named benchmark space`,
	"builtin":    `builtin("mnist") — a data set shipped with hwnas`,
	"idx":        `idx("dir") — MNIST-format IDX files in a directory`,
	"cifar10":    `cifar10("dir") — CIFAR-10 binary batches in a directory`,
	"trials":     `budget N trials — evaluate N candidates`,
	"link":       `link = 10 Gb/s — bandwidth between the FPGAs of a pool`,
	"precision":  `precision = int16 — data precision: fp32, fp16, int16 or int8`,
	"clock":      `clock = 200 MHz — accelerator clock`,
	"bandwidth":  `bandwidth = 4.2 GB/s — off-chip memory bandwidth`,
	"gap":        `gap — global average pooling`,
	"flatten":    `flatten — read a map as a vector before dense`,
}

// Doc returns a short doc for a keyword, metric, unit, layer type, strategy,
// strategy parameter, cell op or catalog platform, or "" when the word is
// unknown.
func Doc(word string) string {
	if d, ok := keywordDocs[word]; ok {
		return d
	}
	if m, ok := metric.ByName(word); ok {
		u := m.Unit
		if u == "" && m.Dim == metric.Fraction {
			u = "fraction"
		}
		if u != "" {
			return fmt.Sprintf("%s (%s) — %s", m.Name, u, m.Doc)
		}
		return m.Name + " — " + m.Doc
	}
	if u, ok := units[word]; ok {
		return fmt.Sprintf("%s — a unit of %s (stored in %s)", word, u.dim, canonicalUnit[u.dim])
	}
	if ps, ok := arch.LayerKinds[word]; ok {
		return fmt.Sprintf("%s — a layer; parameters: %s", word, orNone(ps))
	}
	if k, ok := search.Kind(word); ok {
		var ps []string
		for _, p := range k.Params {
			ps = append(ps, p.Name)
		}
		return fmt.Sprintf("strategy %s — %s; parameters: %s", k.Name, k.Doc, orNone(ps))
	}
	if d := strategyParamDoc(word); d != "" {
		return d
	}
	for _, p := range FidelityParams {
		if p.Name == word {
			return fmt.Sprintf("%s (fidelity asha or hyperband, default %d) — %s", p.Name, p.Default, p.Doc)
		}
	}
	if slices.Contains(arch.CellOps, word) {
		return word + " — a cell edge op"
	}
	if p, err := fpga.Lookup(word); err == nil {
		return platformDoc(p)
	}
	return ""
}

// DocAt documents the word at byte offset offset of src as it is meant
// there: a strategy parameter as the strategy of its block has it (nsga2's
// population, not evolution's), any other word as Doc does.
func DocAt(src string, offset int) string {
	word, block := wordAt(src, offset)
	return docIn(block, word)
}

// wordAt returns the name around byte offset offset of src and the block
// it is in, as completion names blocks ("strategy:nsga2").
func wordAt(src string, offset int) (word, block string) {
	if offset < 0 || offset > len(src) {
		return "", ""
	}
	start, end := wordStart(src, offset), offset
	for end < len(src) && isNameByte(src[end]) {
		end++
	}
	return src[start:end], innermostBlock(syntax.Tokens(src[:start]))
}

// docIn documents word written in block.
func docIn(block, word string) string {
	if d, ok := paramIn(block, word); ok {
		return d
	}
	return Doc(word)
}

// paramIn documents word as a parameter of the strategy whose block
// ("strategy:KIND") it is in, if it is one.
func paramIn(block, word string) (string, bool) {
	kind, ok := strings.CutPrefix(block, "strategy:")
	k, known := search.Kind(kind)
	if !ok || !known {
		return "", false
	}
	for _, p := range k.Params {
		if p.Name == word {
			return fmt.Sprintf("%s (strategy %s, default %s) — %s", p.Name, k.Name, p.DefaultText(), p.Doc), true
		}
	}
	return "", false
}

// strategyParamDoc documents a parameter of one or more strategies out of
// any block: its strategies with its default, or each strategy's default
// and doc when they differ (population is 20 for evolution, 50 for nsga2).
func strategyParamDoc(word string) string {
	var kinds, each []string
	var first search.Param
	same := true
	for _, k := range search.Kinds() {
		for _, p := range k.Params {
			if p.Name != word {
				continue
			}
			if len(kinds) == 0 {
				first = p
			}
			same = same && p.Default == first.Default && p.Doc == first.Doc
			kinds = append(kinds, k.Name)
			each = append(each, fmt.Sprintf("%s (default %s): %s", k.Name, p.DefaultText(), p.Doc))
		}
	}
	switch {
	case len(kinds) == 0:
		return ""
	case same:
		return fmt.Sprintf("%s (strategy %s; default %s) — %s", word, strings.Join(kinds, ", "), first.DefaultText(), first.Doc)
	}
	return fmt.Sprintf("%s — a parameter of strategy %s", word, strings.Join(each, "; "))
}

func platformDoc(p fpga.Platform) string {
	return fmt.Sprintf("%s — %s (%s): %d DSP, %d BRAM18, %d LUT, %.3g GB/s, %g MHz", p.Name, p.Device, p.Family,
		p.DSP, p.BRAM18, p.LUT, p.BandwidthGBs, p.ClockMHz)
}

func orNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}

// blockKeys lists the words valid at the start of a line in each block.
func blockKeys(block string) []string {
	kind, arg, _ := strings.Cut(block, ":")
	switch kind {
	case "":
		return []string{"import", "platform", "pool", "space", "dataset", "evaluator", "metric", "experiment", "run"}
	case "experiment":
		return []string{"space", "platform", "hardware", "dataset", "evaluator", "maximize", "minimize", "require",
			"reward", "strategy", "fidelity", "budget", "parallel", "seed", "retrain", "executor", "quantize"}
	case "space":
		return append([]string{"input", "repeat", "optional", "choice", "head", "cell", "stem", "stage", "batchnorm"}, layerKinds()...)
	case "repeat":
		return append([]string{"optional", "choice"}, layerKinds()...)
	case "choice":
		return layerKinds()
	case "layer":
		return arch.LayerKinds[arg]
	case "platform":
		return append(slices.Clone(platformKeys), "calibration")
	case "dataset":
		return datasetKeys
	case "metric":
		return []string{"unit", "goal"}
	case "evaluator":
		return evaluatorKeys[arg]
	case "strategy":
		k, _ := search.Kind(arg)
		var out []string
		for _, p := range k.Params {
			out = append(out, p.Name)
		}
		return out
	case "fidelity":
		var out []string
		for _, p := range FidelityParams {
			out = append(out, p.Name)
		}
		return out
	case "reward":
		if arg == "fnas" {
			return []string{"target"}
		}
		return []string{"metric", "target", "below", "above"}
	case "hwsearch":
		return hwSearchKeys
	case "pool":
		return []string{"link", "precision"}
	case "cell":
		return []string{"nodes", "ops", "edge"}
	case "stem":
		return []string{"channels"}
	case "stage":
		return []string{"cells", "channels"}
	}
	return nil
}
