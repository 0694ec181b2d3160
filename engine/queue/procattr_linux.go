package queue

import "syscall"

// workerProcAttr has the system send a local worker SIGTERM when the
// process that started it dies, even by SIGKILL: the worker then hands back
// its request and stops its evaluator's process group, instead of living on.
func workerProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
