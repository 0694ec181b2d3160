// Package kernel is the hwnas Jupyter kernel. It owns the wire protocol
// (messaging 5.3 over ZeroMQ with HMAC-SHA256 signing), the channels and their
// goroutines, the kernel core (routing, busy/idle status, execution counter,
// history, interrupt, shutdown) and the interpreter that dispatches cells:
// DSL cells, %%go cells run by yaegi, and magics.
//
// The layering follows xeus: transport (wire.go, server.go) knows sockets and
// frames; the core (core.go) knows requests and replies; the interpreter
// (interp*.go, gocell*.go, magics.go, dslcell.go) knows cells.
package kernel
