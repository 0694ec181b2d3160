// Package engine owns experiment execution: the loop that asks a search
// strategy for genomes, decodes them into networks, scores their hardware,
// prunes the ones that break a hard constraint without training them, gets
// accuracy from the cache or an evaluator, tells the strategy in candidate
// order and stores every finished trial.
//
// An Experiment is plain data; FromSpec builds one from a checked dsl.Spec.
// Run executes it against a store.Store and reports progress as plain Event
// values through a callback that the CLI and the Jupyter kernel both render.
// Rescore scores a stored run again on other hardware without training, and
// Load reads a stored run back as an Outcome, with its Pareto front
// (ParetoFront).
//
// The evaluators are TrainEvaluator (package nn on package data's sets),
// TableEvaluator (NAS-Bench-201's table) and CommandEvaluator (an external
// program); PlatformHardware, PoolHardware and SpaceHardware score networks
// with package fpga's model.
//
// Below it, nn trains networks, data loads datasets, store keeps trials and
// caches, and queue runs evaluations on other processes and machines. Package
// report renders outcomes; package metric names the stored values.
package engine
