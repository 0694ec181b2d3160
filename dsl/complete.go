package dsl

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/hwnas/hwnas/dsl/syntax"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/fpga"
	"github.com/hwnas/hwnas/metric"
	"github.com/hwnas/hwnas/search"
)

// Completion is one suggestion at a cursor: Text replaces src[Start:End].
type Completion struct {
	Text  string
	Kind  string // "keyword", "field", "name", "platform", "metric", "value"
	Doc   string
	Start int
	End   int
}

// Complete suggests what may be written at byte offset offset of src (a
// byte offset: convert a front end's character offset first): keywords and
// settings valid in the enclosing block, declared names where a name is
// expected, catalog platforms, metrics, strategies and values. Suggestions
// start with the word under the cursor.
func Complete(src string, offset int) []Completion { return complete(src, offset, nil) }

// declaredNames scans src for `KEYWORD NAME` declarations, tolerating
// syntax errors; the result maps kind to names.
func declaredNames(toks []syntax.Token, into map[string][]string) {
	for i := 0; i+1 < len(toks); i++ {
		switch toks[i].Text {
		case "platform", "pool", "space", "dataset", "evaluator", "metric", "experiment":
			if toks[i+1].Kind == syntax.Ident && (i == 0 || toks[i-1].Text == "}" || toks[i-1].Kind != syntax.Punct) {
				into[toks[i].Text] = append(into[toks[i].Text], toks[i+1].Text)
			}
		}
	}
}

// blockOf names the block a "{" opens from the tokens before it.
func blockOf(toks []syntax.Token, i int) string {
	prev := func(k int) string {
		if i-k >= 0 {
			return toks[i-k].Text
		}
		return ""
	}
	switch {
	case prev(1) == "in" || prev(1) == "=" || prev(1) == "," || prev(1) == "{" && i >= 2 && (prev(2) == "in" || prev(2) == "="):
		return "set"
	case prev(1) == "pool" || prev(2) == "pool":
		return "pool"
	case prev(1) == "search" && prev(2) == "hardware":
		return "hwsearch"
	case prev(2) == "strategy":
		return "strategy:" + prev(1)
	case prev(2) == "reward":
		return "reward:" + prev(1)
	case prev(3) == "evaluator":
		return "evaluator:" + prev(1)
	case prev(1) == "cell" || prev(1) == "choice" || prev(1) == "stem" || prev(1) == "stage":
		return prev(1)
	case prev(2) == "experiment" || prev(2) == "space" || prev(2) == "dataset" || prev(2) == "metric":
		return prev(2)
	case prev(4) == "platform" && prev(2) == "from", prev(2) == "platform":
		return "platform"
	case prev(2) == "repeat" || prev(3) == "repeat" || prev(4) == "repeat" && prev(2) == "..":
		return "repeat"
	}
	if _, ok := arch.LayerKinds[prev(1)]; ok {
		return "layer:" + prev(1)
	}
	return "?"
}

func complete(src string, offset int, extra map[string][]string) []Completion {
	if offset < 0 || offset > len(src) {
		return nil
	}
	if out, ok := completeInString(src, offset); ok {
		return out
	}
	start := wordStart(src, offset)
	names := map[string][]string{}
	for k, v := range extra {
		names[k] = append(names[k], v...)
	}
	declaredNames(syntax.Tokens(src), names)
	s := &suggestions{prefix: strings.ToLower(src[start:offset]), start: start, end: offset}
	s.after(syntax.Tokens(src[:start]), names)
	return s.out
}

// suggestions collects the completions of the word src[start:end].
type suggestions struct {
	prefix     string // the word so far, lower case
	start, end int
	block      string // the block the word is in, for docIn
	out        []Completion
}

// add suggests each of words that starts with the prefix, ignoring case.
func (s *suggestions) add(kind string, words ...string) {
	for _, w := range words {
		if strings.HasPrefix(strings.ToLower(w), s.prefix) {
			s.out = append(s.out, Completion{Text: w, Kind: kind, Doc: docIn(s.block, strings.Trim(w, `"`)), Start: s.start, End: s.end})
		}
	}
}

// after suggests what may follow toks, from the last two tokens and the
// innermost open block.
func (s *suggestions) after(toks []syntax.Token, names map[string][]string) {
	block := innermostBlock(toks)
	s.block = block
	var prev, prev2 syntax.Token
	if n := len(toks); n > 0 {
		prev = toks[n-1]
		if n > 1 {
			prev2 = toks[n-2]
		}
	}
	metrics := append(metric.Names(), names["metric"]...)
	switch {
	case prev.Text == "maximize" || prev.Text == "minimize" || prev.Text == "require" ||
		prev.Text == "," && (prev2.Kind == syntax.Ident && slices.Contains(metrics, prev2.Text)):
		s.add("metric", metrics...)
	case prev.Text == "strategy":
		for _, k := range search.Kinds() {
			s.add("keyword", k.Name)
		}
	case prev.Text == "reward":
		s.add("keyword", RewardKinds...)
	case prev.Text == "run":
		s.add("name", names["experiment"]...)
	case prev.Text == "from":
		s.add("platform", quoted(fpga.Names())...)
	case prev2.Text == "evaluator" && block == "":
		s.add("keyword", EvaluatorKinds...)
	case prev.Text == "hardware":
		s.add("keyword", "pool", "search")
	case prev.Kind == syntax.Number && block == "experiment" && prev2.Text == "budget":
		s.add("keyword", "trials", "min", "h")
	case prev.Text == "=" || prev.Text == "in" || prev.Text == "," || prev.Text == "{" && block == "set" || prev.Text == "->":
		key := prev2.Text
		if prev.Text == "," || prev.Text == "{" {
			key = keyBefore(toks)
		}
		s.values(key, names)
	default:
		s.add("keyword", blockKeys(block)...)
		if block == "pool" {
			s.add("platform", quoted(fpga.Names())...)
			s.add("name", names["platform"]...)
		}
	}
}

// innermostBlock names the block still open at the end of toks, as blockOf
// does, or "" at the top level.
func innermostBlock(toks []syntax.Token) string {
	var stack []string
	for i, t := range toks {
		switch t.Text {
		case "{":
			stack = append(stack, blockOf(toks, i))
		case "}":
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	if len(stack) == 0 {
		return ""
	}
	return stack[len(stack)-1]
}

// keyBefore finds the setting whose value a set or list is being written for.
func keyBefore(toks []syntax.Token) string {
	depth := 0
	for i := len(toks) - 1; i > 0; i-- {
		switch toks[i].Text {
		case "}":
			depth++
		case "{":
			if depth == 0 && i > 0 && (toks[i-1].Text == "in" || toks[i-1].Text == "=") && i > 1 {
				return toks[i-2].Text
			}
			depth--
		case "=", "in":
			if depth == 0 {
				return toks[i-1].Text
			}
		}
	}
	return ""
}

func quoted(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = strconv.Quote(x)
	}
	return out
}

// values suggests values for the setting key.
func (s *suggestions) values(key string, names map[string][]string) {
	switch key {
	case "space":
		s.add("name", names["space"]...)
	case "platform":
		s.add("name", names["platform"]...)
		s.add("platform", quoted(fpga.Names())...)
	case "hardware":
		s.add("name", names["platform"]...)
		s.add("name", names["pool"]...)
	case "dataset":
		s.add("name", names["dataset"]...)
	case "evaluator":
		s.add("name", names["evaluator"]...)
		s.add("keyword", "train", "table")
	case "precision":
		for _, p := range fpga.Precisions() {
			s.add("value", p.String())
		}
	case "optimizer":
		s.add("value", Optimizers...)
	case "source":
		s.add("value", `builtin("mnist")`, `idx("")`, `cifar10("")`)
	case "ops":
		s.add("value", arch.CellOps...)
	case "family":
		s.add("value", slices.Sorted(maps.Keys(families))...)
	case "metric":
		s.add("metric", metric.Names()...)
		s.add("metric", names["metric"]...)
	case "unit":
		s.add("value", metricUnits...)
	case "goal":
		s.add("value", "minimize", "maximize")
	case "quantize":
		s.add("value", "true", "false", "int16", "int8", "int4")
	case "devices":
		s.add("platform", quoted(fpga.Names())...)
		s.add("name", names["platform"]...)
	case "partition", "tiling", "batchnorm":
		s.add("value", "true", "false")
	}
}

// IsComplete reports whether src can run as it is, for a notebook front
// end: a cell with an unclosed "{" or "(" is incomplete, and indent is the
// indentation of the next line (two spaces per open block).
func IsComplete(src string) (complete bool, indent string) {
	depth := 0
	for _, t := range syntax.Tokens(src) {
		switch t.Text {
		case "{", "(":
			depth++
		case "}", ")":
			depth--
		}
	}
	if depth > 0 {
		return false, strings.Repeat("  ", min(depth, syntax.MaxNesting))
	}
	return true, ""
}

// completeInString completes a catalog name inside an open string after
// `from`, `platform =`, in a pool or in a set of devices.
func completeInString(src string, offset int) ([]Completion, bool) {
	toks := syntax.Tokens(src[:offset])
	n := len(toks)
	if n == 0 || toks[n-1].Kind != syntax.BadString {
		return nil, false
	}
	str := toks[n-1]
	if strings.ContainsAny(str.Text[1:], `"\`) {
		return nil, true
	}
	prev := ""
	if n > 1 {
		prev = toks[n-2].Text
	}
	key := ""
	if prev == "=" && n > 2 || prev == "," || prev == "{" {
		key = keyBefore(toks[:n-1])
	}
	inPool := false
	for i := n - 2; i >= 0 && !inPool; i-- {
		if toks[i].Text == "{" {
			inPool = blockOf(toks, i) == "pool"
			break
		}
	}
	if prev != "from" && key != "platform" && key != "devices" && !inPool {
		return nil, true
	}
	prefix := str.Text[1:]
	start := str.Pos.Offset + 1
	var out []Completion
	for _, p := range fpga.Catalog() {
		if strings.HasPrefix(strings.ToLower(p.Name), strings.ToLower(prefix)) {
			out = append(out, Completion{Text: p.Name, Kind: "platform", Doc: platformDoc(p), Start: start, End: offset})
		}
	}
	return out, true
}

// wordStart returns where the name that ends at offset begins.
func wordStart(src string, offset int) int {
	start := offset
	for start > 0 && isNameByte(src[start-1]) {
		start--
	}
	return start
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}
