// Package dsl gives the hwnas language its meaning: the checker that
// resolves names, types, units and ranges of parsed files into a typed Spec,
// the loader that follows imports from disk, the notebook Session that
// checks cells one after another, the completion and short docs the Jupyter
// kernel shows, and the hash that identifies an experiment's results.
//
// The form of the language (tokens, grammar, syntax tree, positions,
// formatter, error rendering) is package dsl/syntax's: syntax.Parse turns
// text into a syntax.File; Check turns files into a Spec, or Load and
// LoadSource do both and follow imports. Every problem is a *syntax.Error
// at a syntax.Pos, all of them returned together as a syntax.ErrorList;
// syntax.PrintError shows each with its source line and a caret.
//
// Canonical units: time in ms, frequency in MHz, bandwidth in GB/s, power in
// W, energy in mJ, rate in fps, accuracy as a fraction in [0, 1].
//
// dsl depends on dsl/syntax, arch, arch/nb201, fpga, metric, search and
// internal/suggest; never on engine or kernel.
package dsl
