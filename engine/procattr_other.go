//go:build !linux

package engine

import (
	"os/exec"
	"syscall"
)

// reaped starts cmd in a process group of its own (killed whole on timeout
// and cancellation); outside Linux there is no parent-death signal, so a
// program outlives a run killed with SIGKILL.
func reaped(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }
