// Package engine owns experiment execution: the loop that asks a search
// strategy for genomes, decodes them into networks, scores their hardware,
// prunes the ones that break a hard constraint without training them, gets
// accuracy from the cache or an evaluator (train, table, command), tells the
// strategy in candidate order and stores every finished trial.
//
// An Experiment is plain data; FromSpec builds one from a checked dsl.Spec.
// Run executes it against a store.Store and reports progress as plain Event
// values through a callback that the CLI and the Jupyter kernel both render.
//
// Package report renders outcomes; package metric names the stored values.
package engine
