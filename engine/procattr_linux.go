package engine

import "syscall"

// evaluatorProcAttr starts a command evaluator in a process group of its
// own (killed whole on timeout and cancellation) that the system kills when
// the process that started it dies, even by SIGKILL. Only the group's
// leader gets that signal: its own children, orphaned, may live on.
func evaluatorProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
