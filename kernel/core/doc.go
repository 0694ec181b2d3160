// Package core is the kernel core of the hwnas Jupyter kernel, as in xeus:
// it serves the requests that arrive on the shell, control and stdin
// channels of a Transport and answers them with the help of an Interpreter.
//
// It owns message dispatch, the busy/idle status around every request, the
// execution counter, the history of executed cells, the execution queue (one
// execute at a time, and the abort of queued cells after an error),
// interrupt, shutdown, and input requests on stdin; and the Output, stream
// writers and stdin reader through which an interpreter publishes a cell's
// output and reads its input. It knows neither sockets nor signatures
// (package transport) nor what a cell means (package kernel, the hwnas
// interpreter).
package core
