package queue

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hwnas/hwnas/metric"

	"github.com/hwnas/hwnas/arch/nb201"
	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/internal/hwnastest"
)

// The test binary doubles as a worker process (HWNAS_QUEUE_TEST_WORKER set
// to a server URL) and as a command evaluator (first argument evalArg).
const (
	workerEnv = "HWNAS_QUEUE_TEST_WORKER"
	tokenEnv  = "HWNAS_QUEUE_TEST_TOKEN"
	sleepEnv  = "HWNAS_QUEUE_TEST_SLEEP_MS"
	marksEnv  = "HWNAS_QUEUE_TEST_MARKS"
	startsEnv = "HWNAS_QUEUE_TEST_STARTS" // file the command appends a line to when it starts
	poisonEnv = "HWNAS_QUEUE_TEST_POISON" // network key whose evaluation kills the worker
	evalArg   = "queue-test-eval"
)

func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == evalArg {
		os.Exit(fakeCommand())
	}
	if len(os.Args) > 1 && os.Args[1] == rungsArg {
		os.Exit(hwnastest.RungTrainer(os.Stdin, os.Stdout, os.Stderr))
	}
	if url := os.Getenv(workerEnv); url != "" {
		os.Exit(testWorker(url))
	}
	if os.Getenv(parentEnv) != "" {
		os.Exit(embeddedParent())
	}
	os.Exit(m.Run())
}

// testWorker runs Work until SIGTERM, printing "evaluated KEY ok|ERROR" per
// published result.
func testWorker(url string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	token := os.Getenv(tokenEnv)
	if token == "" { // started by ApplyExecutor
		token = os.Getenv(EnvToken)
	}
	nc, err := Connect(ConnOptions{URL: url, Token: token, Name: "test worker"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer nc.Close()
	var mu sync.Mutex
	err = Work(ctx, nc, WorkerConfig{Concurrency: 1, Threads: 1, Name: strconv.Itoa(os.Getpid()), AllowCommand: []string{"*"},
		Log: func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) },
		Evaluated: func(key string, err error) {
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				fmt.Printf("evaluated %s %q\n", key, err.Error())
			} else {
				fmt.Printf("evaluated %s ok\n", key)
			}
		}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// fakeCommand is a command evaluator: it sleeps HWNAS_QUEUE_TEST_SLEEP_MS,
// leaving a mark file named after its worker's pid while it runs, and
// answers an accuracy derived from the network key.
func fakeCommand() int {
	var q engine.CommandRequest
	if err := json.NewDecoder(os.Stdin).Decode(&q); err != nil {
		fmt.Fprintln(os.Stderr, "bad request:", err)
		return 1
	}
	if dir := os.Getenv(marksEnv); dir != "" {
		mark := filepath.Join(dir, fmt.Sprintf("%d.%s", workerPid(), q.NetworkKey))
		os.WriteFile(mark, []byte(strconv.Itoa(os.Getpid())), 0o644)
		defer os.Remove(mark)
	}
	if q.NetworkKey == os.Getenv(poisonEnv) { // a request that kills its worker
		syscall.Kill(workerPid(), syscall.SIGKILL)
		return 1
	}
	if path := os.Getenv(startsEnv); path != "" {
		if f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			fmt.Fprintln(f, q.NetworkKey)
			f.Close()
		}
	}
	if ms, _ := strconv.Atoi(os.Getenv(sleepEnv)); ms > 0 {
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
	fmt.Printf(`{"accuracy": %.6f, "test_accuracy": %.6f}`+"\n", fakeAccuracy(q.NetworkKey), fakeAccuracy(q.NetworkKey)-0.01)
	return 0
}

// workerPid is the pid of the worker that started this evaluator: the
// parent, or on Linux the parent's parent when the parent is the engine's
// evaluator reaper.
func workerPid() int {
	ppid := os.Getppid()
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", ppid))
	if err != nil || !bytes.HasPrefix(cmdline, []byte("hwnas-evaluator-reaper\x00")) {
		return ppid
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", ppid))
	if err != nil {
		return ppid
	}
	// pid (comm) state ppid ...; comm may hold spaces, so read after the last ')'.
	f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	if len(f) < 2 {
		return ppid
	}
	if p, err := strconv.Atoi(f[1]); err == nil {
		return p
	}
	return ppid
}

func fakeAccuracy(key string) float64 {
	h := sha256.Sum256([]byte(key))
	return 0.5 + float64(binary.BigEndian.Uint16(h[:]))/65536/2
}

// proc is a worker process of the test binary.
type proc struct {
	cmd *exec.Cmd
	mu  sync.Mutex
	out []string // "evaluated" lines
}

func (w *proc) pid() int { return w.cmd.Process.Pid }

// evaluated returns the keys this worker published results for.
func (w *proc) evaluated() map[string]string {
	w.mu.Lock()
	defer w.mu.Unlock()
	m := map[string]string{}
	for _, l := range w.out {
		f := strings.SplitN(l, " ", 3)
		if len(f) == 3 && f[0] == "evaluated" {
			m[f[1]] = f[2]
		}
	}
	return m
}

func startWorker(t testing.TB, url, token string, env ...string) *proc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), workerEnv+"="+url, tokenEnv+"="+token)
	cmd.Env = append(cmd.Env, env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = &testLog{t: t}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w := &proc{cmd: cmd}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			w.mu.Lock()
			w.out = append(w.out, sc.Text())
			w.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		timer := time.AfterFunc(5*time.Second, func() { cmd.Process.Kill() })
		<-done
		cmd.Wait()
		timer.Stop()
	})
	return w
}

// testLog forwards a worker's stderr to the test log.
type testLog struct {
	t  testing.TB
	mu sync.Mutex
}

func (l *testLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		l.t.Log("worker: " + line)
	}
	return len(p), nil
}

var _ io.Writer = (*testLog)(nil)

func startServer(t testing.TB, c ServerConfig) *Server {
	t.Helper()
	s, err := StartServer(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Shutdown)
	return s
}

// nb201Experiment is a random search over NAS-Bench-201 with ev.
func nb201Experiment(ev engine.Evaluator, trials int, seed int64) engine.Experiment {
	return engine.Experiment{Name: "nb201-queue", Spec: "experiment nb201-queue (test)", Space: nb201.Space{},
		Evaluator: ev, Fidelity: engine.Fidelity{Dataset: "nasbench201:cifar10"},
		Objectives: []engine.Objective{{Metric: metric.Accuracy, Maximize: true}, {Metric: "bench_fpga_latency_ms"}},
		Strategy:   engine.StrategySpec{Kind: "random"}, Budget: engine.Budget{Trials: trials}, Parallel: 2, Seed: seed}
}

// fakeCommandEvaluator runs the test binary as the command evaluator.
func fakeCommandEvaluator() engine.CommandEvaluator {
	return engine.CommandEvaluator{Argv: []string{os.Args[0], evalArg}}
}

// trialKey is the cache key an experiment's trial was evaluated under.
func trialKey(t *testing.T, e engine.Experiment, tr engine.Trial) string {
	t.Helper()
	n, err := e.Space.Decode(tr.Genome)
	if err != nil {
		t.Fatal(err)
	}
	f := e.Fidelity
	f.Seed = e.Seed
	return CacheKey(e.Evaluator.Name(), engine.Request{Network: n, Genome: tr.Genome[:len(e.Space.Decisions())], Fidelity: f})
}

func itoa(i int) string { return strconv.Itoa(i) }

// fakeAccuracyRounded is fakeAccuracy as the command prints it.
func fakeAccuracyRounded(key string) float64 {
	v, _ := strconv.ParseFloat(fmt.Sprintf("%.6f", fakeAccuracy(key)), 64)
	return v
}
