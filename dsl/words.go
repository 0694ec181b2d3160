package dsl

import (
	"maps"
	"slices"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/dsl/syntax"
	"github.com/hwnas/hwnas/metric"
	"github.com/hwnas/hwnas/search"
)

// Words are the language's words by kind, each list sorted: what an
// editor's syntax highlighting needs (the kernel's CodeMirror mode, the VS
// Code grammar), taken from the tables the checker itself uses.
type Words struct {
	Keywords []string // statement and block words: experiment, space, require, …
	Builtins []string // layer types, strategies and their word values, rewards, evaluator kinds, data sources, precisions, cell ops, true/false
	Metrics  []string // accuracy, latency, …
	Units    []string // ms, MHz, GB/s, %, …
}

// HighlightWords returns the words of the language for highlighting.
func HighlightWords() Words {
	kw := map[string]bool{}
	for _, k := range syntax.Keywords() {
		kw[k] = true
	}
	for k := range keywordDocs {
		kw[k] = true
	}
	b := map[string]bool{"true": true, "false": true, "train": true, "table": true, "command": true, "supernet": true, "mnasnet": true,
		"fnas": true, "fp32": true, "fp16": true, "int16": true, "int8": true, "int4": true}
	for _, k := range FidelityKinds {
		b[k] = true
	}
	for k := range arch.LayerKinds {
		b[k] = true
	}
	for _, k := range search.Kinds() {
		b[k.Name] = true
		for _, p := range k.Params {
			for _, c := range p.Choices { // word values: proxyless's mul_log, add_linear
				b[c] = true
			}
		}
	}
	for _, op := range arch.CellOps {
		b[op] = true
	}
	for _, w := range []string{"benchmark", "builtin", "idx", "cifar10", "gap", "flatten"} {
		delete(kw, w)
		b[w] = true
	}
	for w := range b { // a word with a doc of its own (mbconv) is still a builtin
		delete(kw, w)
	}
	return Words{Keywords: slices.Sorted(maps.Keys(kw)), Builtins: slices.Sorted(maps.Keys(b)),
		Metrics: metric.Names(), Units: slices.Sorted(maps.Keys(units))}
}
