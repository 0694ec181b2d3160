//go:build !linux

package engine

import "syscall"

// evaluatorProcAttr starts a command evaluator in a process group of its
// own; outside Linux there is no parent-death signal.
func evaluatorProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
