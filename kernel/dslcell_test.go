package kernel

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hwnas/hwnas/engine/queue"
	"github.com/hwnas/hwnas/kernel/internal/kerneltest"
)

const nb201Decls = `space nb201 = benchmark("nasbench201")
evaluator nb201_table table {
  benchmark = "nasbench201"
  split = "cifar10"
}
experiment big {
  space = nb201
  evaluator = nb201_table
  platform = "ZCU102"
  maximize accuracy
  minimize latency
  strategy random
  budget 5000 trials
  seed 3
}`

// TestDSLInterruptKeepsTrials interrupts a long run: the reply comes within
// a second, the finished trials are kept, and running again resumes them.
func TestDSLInterruptKeepsTrials(t *testing.T) {
	_, c := startKernel(t)
	// Declaring an experiment runs it; interrupt it at once and again later.
	id := c.Send(c.Shell, "execute_request", map[string]any{"code": nb201Decls, "silent": false, "store_history": true, "stop_on_error": true})
	time.Sleep(1500 * time.Millisecond)
	start := time.Now()
	c.Reply(c.CtrlC, c.Send(c.Control, "interrupt_request", map[string]any{}))
	r := c.Reply(c.ShellC, id)
	if d := time.Since(start); d > time.Second {
		t.Errorf("interrupting a run took %v, want under 1s", d)
	}
	v := kerneltest.Decode(t, r)
	if v["status"] != "error" || v["ename"] != "Interrupted" {
		t.Fatalf("interrupted run: %v", v)
	}
	m := regexp.MustCompile(`its (\d+) finished trials are kept`).FindStringSubmatch(v["evalue"].(string))
	if m == nil {
		t.Fatalf("interrupt message %q does not say what was kept", v["evalue"])
	}
	kept, _ := strconv.Atoi(m[1])
	if kept == 0 {
		t.Fatalf("no trial finished in 1.5s")
	}
	out := c.Outputs(id)
	// Nothing was redeclared: %cache used to call the experiment stale.
	_, cache := c.Execute("%cache", nil)
	var listed string
	for _, m := range cache {
		if m.Header.MsgType == "execute_result" {
			listed = string(m.Content)
		}
	}
	if !strings.Contains(listed, "big (interrupted: run it again to finish)") {
		t.Errorf("%%cache after an interrupt: %s", listed)
	}
	updates := 0
	for _, o := range out {
		if o.Header.MsgType == "update_display_data" {
			updates++
		}
	}
	if updates == 0 {
		t.Errorf("no progress updates in %v", kerneltest.Types(out))
	}
	// Running again resumes every kept trial; interrupt it once it has more.
	id = c.Send(c.Shell, "execute_request", map[string]any{"code": "run big", "silent": false, "store_history": true})
	time.Sleep(800 * time.Millisecond)
	c.Reply(c.CtrlC, c.Send(c.Control, "interrupt_request", map[string]any{}))
	c.Reply(c.ShellC, id)
	var summary string
	for _, o := range c.Outputs(id) {
		if o.Header.MsgType == "display_data" && strings.Contains(string(o.Content), "resumed from the store") {
			summary = string(o.Content)
		}
	}
	m = regexp.MustCompile(`(\d+) resumed from the store`).FindStringSubmatch(summary)
	if m == nil {
		t.Fatalf("second run shows no summary: %s", summary)
	}
	if resumed, _ := strconv.Atoi(m[1]); resumed < kept {
		t.Errorf("second run resumed %d trials, want at least the %d kept", resumed, kept)
	}
	// The kernel is ready afterwards.
	if r, _ := c.Execute("%%go\n1", nil); kerneltest.Decode(t, r)["status"] != "ok" {
		t.Error("kernel not ready after interrupts")
	}
}

// workerURLEnv makes the test binary a queue worker of that server in
// TestHelperWorker, so that the embedded executor's workers are this binary;
// evaluatedEnv names a file it appends each evaluated key to.
const (
	workerURLEnv = "HWNAS_KERNEL_TEST_WORKER"
	evaluatedEnv = "HWNAS_KERNEL_TEST_EVALUATED"
)

func TestHelperWorker(t *testing.T) {
	url := os.Getenv(workerURLEnv)
	if url == "" {
		t.Skip("helper process for TestDSLExecutorEmbedded")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	nc, err := queue.Connect(queue.ConnFromEnv(queue.ConnOptions{URL: url, Name: "kernel test worker"}))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer nc.Close()
	var mu sync.Mutex
	err = queue.Work(ctx, nc, queue.WorkerConfig{Concurrency: 1, Threads: 1, Evaluated: func(key string, err error) {
		mu.Lock()
		defer mu.Unlock()
		if f, ferr := os.OpenFile(os.Getenv(evaluatedEnv), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); ferr == nil {
			fmt.Fprintln(f, key, err)
			f.Close()
		}
	}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// TestDSLExecutorEmbedded: a cell runs an experiment whose executor is
// "embedded" through the queue, on worker processes, as `hwnas run` does.
func TestDSLExecutorEmbedded(t *testing.T) {
	evaluated := helperWorkers(t)
	s := newTestSession(t)
	var r record
	code := strings.NewReplacer("experiment big", "experiment queued", "5000 trials", "6 trials", "seed 3", "seed 3\n  executor = \"embedded\"").Replace(nb201Decls)
	if _, err := s.Execute(context.Background(), code, r.output()); err != nil {
		t.Fatalf("run with executor embedded: %v\n%s", err, strings.Join(r.msgs, "\n"))
	}
	if all := strings.Join(r.msgs, "\n"); !strings.Contains(all, "queued done: 6/6 trials") {
		t.Errorf("no finished run in the cell's output:\n%s", all)
	}
	if n, err := waitEvaluated(evaluated, 1); n == 0 {
		t.Errorf("the workers evaluated nothing (%v)", err)
	}
	if o, err := s.dsl.outcome("queued"); err != nil || len(o.Trials) != 6 {
		t.Errorf("outcome %v, %v: want 6 trials", o, err)
	}
}

// TestDSLErrorNamesTheCellAsThePrompt: a DSL error in the cell the frontend
// shows as In [7] says In [7], not the session's own cell number.
func TestDSLErrorNamesTheCellAsThePrompt(t *testing.T) {
	s := newTestSession(t)
	var r record
	out := r.output()
	out.Count = 7
	_, err := s.Execute(context.Background(), "experiment e { space = nope }", out)
	if err == nil || !strings.Contains(err.Error(), "In [7]:1:") {
		t.Fatalf("error %v, want it to name In [7]:1:", err)
	}
}

// helperWorkers makes the kernel's embedded executor start this test binary
// as its workers (TestHelperWorker) for the rest of the test; they log what
// they evaluate to the file it returns.
func helperWorkers(t *testing.T) (evaluated string) {
	evaluated = filepath.Join(t.TempDir(), "evaluated")
	old := workerCommand
	workerCommand = func(args ...string) (*exec.Cmd, error) {
		i := slices.Index(args, "--nats")
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWorker$")
		cmd.Env = append(os.Environ(), workerURLEnv+"="+args[i+1], evaluatedEnv+"="+evaluated)
		return cmd, nil
	}
	t.Cleanup(func() { workerCommand = old })
	return evaluated
}

// waitEvaluated counts the evaluations without error the helper workers
// logged to file, waiting up to 10s for want of them: a worker logs one
// after publishing its result, so the cell may end before the last line.
func waitEvaluated(file string, want int) (int, error) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(file)
		n := strings.Count(string(b), " <nil>\n")
		if n >= want || time.Now().After(deadline) {
			return n, err
		}
		time.Sleep(50 * time.Millisecond)
	}
}
