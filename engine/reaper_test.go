package engine

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// reapHelper evaluates one child with a program that starts a grandchild
// (a background sleep), writes its pid to dir/pid and waits for it: the
// evaluation never ends by itself.
func reapHelper(dir string) int {
	net, _ := fnasSpace().Decode([]int{0, 0, 0, 1, 0, 2, 0, 2})
	script := fmt.Sprintf("cat >/dev/null; sleep 300 & echo $! > %s.tmp; mv %[1]s.tmp %[1]s; wait", filepath.Join(dir, "pid"))
	_, err := CommandEvaluator{Argv: []string{"sh", "-c", script}}.Evaluate(context.Background(), Request{Network: net, Space: "fnas_mnist"})
	fmt.Fprintln(os.Stderr, "the evaluation ended:", err)
	return 1
}

// TestKilledRunKillsEvaluatorGrandchildren kills, with SIGKILL, a process
// whose command evaluator's program has started a child of its own: that
// grandchild dies too (the reaper kills the program's whole group).
func TestKilledRunKillsEvaluatorGrandchildren(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("only Linux has a parent-death signal")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "HWNAS_REAP_HELPER="+dir)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	pid := 0
	for deadline := time.Now().Add(20 * time.Second); pid == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the evaluator's program did not start its grandchild in 20 s")
		}
		if b, err := os.ReadFile(filepath.Join(dir, "pid")); err == nil {
			if pid, err = strconv.Atoi(strings.TrimSpace(string(b))); err != nil {
				t.Fatalf("pid file %q: %v", b, err)
			}
		}
	}
	defer syscall.Kill(pid, syscall.SIGKILL) // if it lived on, do not leave it behind
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	for deadline := time.Now().Add(10 * time.Second); alive(pid); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the grandchild %d still runs 10 s after the process that ran the evaluation was killed", pid)
		}
	}
}

// alive reports whether process pid exists and is not a zombie (a killed
// process whose parent, here init or a container's first process, has not
// reaped it).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	_, after, _ := strings.Cut(string(b), ") ")
	return !strings.HasPrefix(after, "Z") && !strings.HasPrefix(after, "X")
}

// TestCommandEvaluatorSignal: a program killed by a signal fails its trial
// with the signal named, through the reaper as without it.
func TestCommandEvaluatorSignal(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the reaper, which names the signal, is Linux's")
	}
	net, _ := fnasSpace().Decode([]int{0, 0, 0, 1, 0, 2, 0, 2})
	ev := CommandEvaluator{Argv: []string{"sh", "-c", "cat >/dev/null; echo training >&2; kill -SEGV $$"}}
	_, err := ev.Evaluate(context.Background(), Request{Network: net, Space: "fnas_mnist"})
	if err == nil || !strings.Contains(err.Error(), "training") || !strings.Contains(err.Error(), "killed by signal 11 (segmentation fault)") {
		t.Fatalf("err = %v, want the stderr's tail and the signal", err)
	}
}

// TestCommandEvaluatorLeftovers: a program that prints its metrics and
// exits, leaving a background process that holds its stdout, is evaluated
// (the evaluator used to wait for the leftover, then fail with
// "WaitDelay expired"), and the leftover is killed.
func TestCommandEvaluatorLeftovers(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the reaper, which kills what the program leaves, is Linux's")
	}
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pid")
	net, _ := fnasSpace().Decode([]int{0, 0, 0, 1, 0, 2, 0, 2})
	script := fmt.Sprintf(`cat >/dev/null; sleep 300 & echo $! > %s; echo '{"accuracy": 0.5}'`, pidFile)
	ev, err := CommandEvaluator{Argv: []string{"sh", "-c", script}}.Evaluate(context.Background(), Request{Network: net, Space: "fnas_mnist"})
	b, _ := os.ReadFile(pidFile)
	pid, perr := strconv.Atoi(strings.TrimSpace(string(b)))
	if perr == nil {
		defer syscall.Kill(pid, syscall.SIGKILL)
	}
	if err != nil || ev.Metrics["accuracy"] != 0.5 {
		t.Fatalf("evaluation: %v, %v; want accuracy 0.5", ev.Metrics, err)
	}
	if perr != nil {
		t.Fatalf("the program wrote no pid: %q", b)
	}
	for deadline := time.Now().Add(5 * time.Second); alive(pid); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the program's background process %d still runs 5 s after its evaluation", pid)
		}
	}
}

// TestCommandEvaluatorEscapedLeftover: a leftover out of the reaper's reach
// (its own session, which the program waits for it to enter) that holds
// stdout fails the trial with an error that says so, not Go's "WaitDelay
// expired".
func TestCommandEvaluatorEscapedLeftover(t *testing.T) {
	if _, err := exec.LookPath("setsid"); err != nil {
		t.Skip("no setsid")
	}
	pidFile := filepath.Join(t.TempDir(), "pid")
	net, _ := fnasSpace().Decode([]int{0, 0, 0, 1, 0, 2, 0, 2})
	script := fmt.Sprintf(`cat >/dev/null; setsid sleep 300 & echo $! > %s; sleep 0.2; echo '{"accuracy": 0.5}'`, pidFile)
	_, err := CommandEvaluator{Argv: []string{"sh", "-c", script}}.Evaluate(context.Background(), Request{Network: net, Space: "fnas_mnist"})
	if b, rerr := os.ReadFile(pidFile); rerr == nil {
		if pid, perr := strconv.Atoi(strings.TrimSpace(string(b))); perr == nil {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	if err == nil || !strings.Contains(err.Error(), "sh exited, but a process it started still holds its stdout or stderr open") {
		t.Fatalf("evaluation: %v; want the leftover named", err)
	}
}
