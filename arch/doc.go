// Package arch owns the network intermediate representation of hwnas and the
// search spaces that decode a genome into a network.
//
// A Network is a directed acyclic graph of layers kept in topological order:
// every layer names the earlier layers it reads (or Input for the network's
// input). Shape inference fills every layer's output shape and rejects
// impossible networks with an error that names the layer and the mismatch.
// Networks report their multiply-accumulates, parameters and activation sizes,
// and a canonical Key that ignores layer names, so two equal networks built in
// different ways share evaluations.
//
// Activation and batch normalisation are attributes of a layer rather than
// layers of their own: on an FPGA they fold into the producing engine.
//
// arch depends on nothing else in hwnas.
package arch
