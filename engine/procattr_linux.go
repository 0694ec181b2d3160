package engine

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A command evaluator's program is started through a reaper: a copy of the
// running binary (/proc/self/exe), told so by reaperEnv, that leads the
// program's process group. The system sends the reaper SIGTERM when the
// process that started it dies, even by SIGKILL (Pdeathsig), and the reaper
// then kills its whole group: the program and every child it started. A
// parent-death signal set on the program itself would reach the program
// alone, and its own children (data loaders, a shell's commands) would live
// on, training, after the run was killed.
//
// Any binary that links this package acts as the reaper (init below), so
// test binaries and the hwnas command alike can start one.
const reaperEnv = "HWNAS_EVALUATOR_REAPER"

// selfExe is the running binary; without /proc mounted there is none, and
// the program runs without a reaper.
const selfExe = "/proc/self/exe"

func init() {
	if os.Getenv(reaperEnv) == "1" {
		os.Exit(reap(os.Args[1:]))
	}
}

// reaped makes cmd, not yet started, start through a reaper in a process
// group of its own (killed whole on timeout and cancellation). When cmd's
// program cannot be found, cmd starts it directly, so that Start reports
// the same error it always did; so it does when the running binary cannot be
// (no /proc).
func reaped(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if cmd.Err != nil || !startable(cmd.Path, cmd.Dir) || !startable(selfExe, "") {
		return
	}
	cmd.Args = append([]string{"hwnas-evaluator-reaper", cmd.Path}, cmd.Args...)
	cmd.Path = selfExe
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, reaperEnv+"=1")
	cmd.SysProcAttr.Pdeathsig = syscall.SIGTERM // the reaper catches it; SIGKILL would leave the group
}

// startable reports whether path names an executable file, a relative path
// being read from dir as exec.Cmd reads it. (exec.Command has already looked
// a bare name up in PATH: cmd.Path holds a separator.)
func startable(path, dir string) bool {
	if !filepath.IsAbs(path) && dir != "" {
		path = filepath.Join(dir, path)
	}
	_, err := exec.LookPath(path)
	return err == nil
}

// killLeftovers kills, with SIGKILL, every process of the reaper's group
// but the reaper: what the program left running when it exited (a
// background job, a data loader). They would hold the program's stdout
// open, and the evaluator would wait for them, then fail. It reads the
// group from /proc, again until none is left, as one may fork while it is
// being killed.
func killLeftovers() {
	self := os.Getpid()
	for range 100 {
		left := groupMembers(self)
		if len(left) == 0 {
			return
		}
		for _, pid := range left {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		time.Sleep(time.Millisecond)
	}
}

// groupMembers lists the live processes of process group pgrp but its
// leader: those whose /proc/PID/stat names it (pid (comm) state ppid pgrp
// …, comm possibly holding spaces and parentheses), zombies left out.
func groupMembers(pgrp int) []int {
	ents, _ := os.ReadDir("/proc")
	group := strconv.Itoa(pgrp)
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == pgrp {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // gone since
		}
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(f) >= 3 && f[0] != "Z" && f[2] == group {
			out = append(out, pid)
		}
	}
	return out
}

// reap runs argv, the program's path and then its arguments from its own
// name on (argv[0] as the program sees it), in the reaper's process
// group with the reaper's stdin, stdout and stderr, and returns its exit
// status. On SIGTERM, SIGINT or SIGHUP it kills the group, itself included;
// when the program exits, what it left running in the group.
// A program killed by a signal is reported as a shell reports it, exit
// status 128+n, with a line on stderr that names the signal.
func reap(argv []string) int {
	os.Unsetenv(reaperEnv) // a program that is itself hwnas is not a reaper
	if len(argv) < 2 {
		fmt.Fprintln(os.Stderr, "hwnas-evaluator-reaper: want a path and the program's arguments")
		return 127
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	cmd := &exec.Cmd{Path: argv[0], Args: argv[1:]}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 127
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()
	select {
	case <-sig:
		syscall.Kill(0, syscall.SIGKILL) // a signal to oneself is delivered before kill returns
		return 128 + int(syscall.SIGKILL)
	case <-done:
	}
	killLeftovers()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		fmt.Fprintf(os.Stderr, "%s was killed by signal %d (%v)\n", filepath.Base(argv[0]), ws.Signal(), ws.Signal())
		return 128 + int(ws.Signal())
	}
	return cmd.ProcessState.ExitCode()
}
