// Package kernel is the hwnas interpreter of the hwnas Jupyter kernel, and
// the kernel's entry points: Serve (the `hwnas kernel` command) and Install
// (its kernelspec).
//
// A Session is the core.Interpreter the kernel core serves requests with. It
// owns what a cell means: DSL cells (declarations accumulate, experiments run
// with live progress and show their results), %%go cells run by yaegi, line
// magics, NAME? inspection, completion, and the display and hwnas packages
// that %%go cells import.
//
// The layering follows xeus, and imports point one way: kernel (cells) ->
// kernel/core (requests, replies, status, history, the execution queue) ->
// kernel/transport (sockets, signatures, the wire format).
package kernel
