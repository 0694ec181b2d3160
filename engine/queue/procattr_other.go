//go:build !linux

package queue

import "syscall"

// workerProcAttr is nothing special outside Linux, which alone has a
// parent-death signal: a worker outlives a killed parent there.
func workerProcAttr() *syscall.SysProcAttr { return nil }
