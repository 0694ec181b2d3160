// Package dsl owns the hwnas language: the lexer and grammar (participle, one
// token of lookahead, keyword-led productions), the syntax tree with source
// positions, the checker that resolves names, types, units and ranges into a
// typed Spec, the one renderer of every error (file:line:col, the source line
// and a caret), the canonical formatter, the canonical spec hash, and the
// completion and short docs the Jupyter kernel shows.
//
// Parse turns text into a File; Check (or Load, which follows imports from
// disk) turns files into a Spec; Format prints a File in canonical layout.
// A Session checks notebook cells one after another against the declarations
// of earlier cells.
//
// Canonical units: time in ms, frequency in MHz, bandwidth in GB/s, power in
// W, energy in mJ, rate in fps, accuracy as a fraction in [0, 1].
//
// dsl depends on arch, arch/nb201, fpga and search; never on engine or kernel.
package dsl
