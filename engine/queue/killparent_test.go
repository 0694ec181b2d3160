//go:build linux

package queue

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hwnas/hwnas/arch/nb201"
	"github.com/hwnas/hwnas/engine"
)

// parentEnv makes the test binary a process that runs one evaluation
// through the embedded executor and waits (embeddedParent).
const parentEnv = "HWNAS_QUEUE_TEST_PARENT"

// embeddedParent starts the embedded executor with one worker and the fake
// command evaluator, and waits for an evaluation that its test kills it in.
func embeddedParent() int {
	e := tableExperiment()
	e.Evaluator = fakeCommandEvaluator()
	if _, err := ApplyExecutor(context.Background(), &e, "embedded", ExecutorOptions{Workers: 1, WorkerCommand: testWorkerCommand}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	n, _ := nb201.NetworkOf([]int{1, 2, 3, 0, 1, 2})
	_, err := e.Evaluator.Evaluate(context.Background(), engine.Request{Network: n, Genome: []int{1, 2, 3, 0, 1, 2},
		Fidelity: engine.Fidelity{Dataset: "nasbench201:cifar10"}, Threads: 1})
	fmt.Fprintln(os.Stderr, "evaluation ended:", err)
	return 1
}

// gone reports whether process pid has ended (a zombie has).
func gone(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	return strings.HasPrefix(rest, "Z")
}

// A `hwnas run --executor embedded` killed with SIGKILL used to leave its
// worker processes, their evaluators and its hwnas-nats-* folder behind:
// the worker and its evaluator now end with it, and the next embedded
// server removes the folder.
func TestKilledParentLeavesNothing(t *testing.T) {
	tmp, marks := t.TempDir(), t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), parentEnv+"=1", "TMPDIR="+tmp, marksEnv+"="+marks, sleepEnv+"=60000")
	cmd.Stderr = &testLog{t: t}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var worker, evaluator int
	for deadline := time.Now().Add(30 * time.Second); worker == 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the evaluation did not start within 30s")
		}
		ms, _ := filepath.Glob(filepath.Join(marks, "*.*"))
		if len(ms) > 0 {
			b, _ := os.ReadFile(ms[0])
			evaluator, _ = strconv.Atoi(string(b))
			worker, _ = strconv.Atoi(strings.SplitN(filepath.Base(ms[0]), ".", 2)[0])
		}
	}
	if evaluator == 0 {
		t.Fatal("the evaluator did not write its pid")
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	for deadline := time.Now().Add(10 * time.Second); !gone(worker) || !gone(evaluator); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("10s after its parent was killed: worker %d gone %v, evaluator %d gone %v", worker, gone(worker), evaluator, gone(evaluator))
		}
	}
	left, _ := filepath.Glob(filepath.Join(tmp, tempPrefix+strconv.Itoa(cmd.Process.Pid)+"-*"))
	if len(left) != 1 {
		t.Fatalf("temporary stores of the killed process: %v, want one", left)
	}
	t.Setenv("TMPDIR", tmp)
	startServer(t, ServerConfig{})
	if _, err := os.Stat(left[0]); !os.IsNotExist(err) {
		t.Errorf("the next embedded server left %s (%v)", left[0], err)
	}
}

// A request that kills every worker that takes it (a poison message) used
// to leave the embedded executor without workers and the run waiting
// forever: the dead worker is started again, the request fails after its
// deliveries, and the next request is evaluated.
func TestPoisonRequestFailsAndRunGoesOn(t *testing.T) {
	poison := nb201Request(t, []int{4, 3, 2, 1, 0, 1})
	t.Setenv(poisonEnv, poison.Network.Key())
	e := tableExperiment()
	e.Evaluator = fakeCommandEvaluator()
	cleanup, err := ApplyExecutor(context.Background(), &e, "embedded", ExecutorOptions{Workers: 1, WorkerCommand: testWorkerCommand,
		Queue: Config{AckWait: 500 * time.Millisecond, MaxDeliver: 2, Poll: 100 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = e.Evaluator.Evaluate(ctx, poison)
	if err == nil || !strings.Contains(err.Error(), "no worker acknowledged the evaluation") || !strings.Contains(err.Error(), "2 deliveries") {
		t.Fatalf("poison request: %v", err)
	}
	if _, err := e.Evaluator.Evaluate(ctx, nb201Request(t, []int{4, 3, 2, 1, 0, 2})); err != nil {
		t.Fatalf("the next request: %v", err)
	}
}
