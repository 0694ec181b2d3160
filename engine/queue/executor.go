package queue

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hwnas/hwnas/engine"
)

// ExecutorOptions say how ApplyExecutor runs an experiment's evaluations.
type ExecutorOptions struct {
	// Workers is, with "embedded", how many local worker processes to
	// start (0: one per core); with a server URL, how many evaluations to
	// keep in flight at least (0: the experiment's parallelism).
	Workers int
	// Name names the connection on the server ("hwnas run fnas").
	Name string
	// WorkerCommand returns the command of one local worker process of the
	// embedded executor, given its arguments; nil means WorkerProcess.
	WorkerCommand func(args ...string) (*exec.Cmd, error)
	// Queue is the delivery policy of the embedded executor (zero fields:
	// Config's defaults).
	Queue Config
}

// ApplyExecutor makes e's evaluations run where executor (an experiment's
// `executor` setting) says:
//
//   - "" or "local": in this process (nothing changes);
//   - "embedded": an in-process NATS JetStream server on 127.0.0.1 (random
//     port, random token, temporary file store) and local worker processes
//     (`hwnas worker`);
//   - "nats://HOST:PORT" or "tls://HOST:PORT" (comma-separated for a
//     cluster): a running server, with credentials and TLS files from the
//     environment (ConnFromEnv) or in the URL (nats://user:pass@host).
//
// e.Evaluator is replaced by a queue evaluator with the same name, so
// results share the cache of local runs; e.Parallel is raised to the number
// of workers. cleanup stops what was started and must be called once the
// run is over (it is never nil).
func ApplyExecutor(ctx context.Context, e *engine.Experiment, executor string, o ExecutorOptions) (cleanup func(), err error) {
	nothing := func() {}
	if o.Name == "" {
		o.Name = "hwnas " + e.Name
	}
	switch {
	case executor == "" || executor == "local":
		return nothing, nil
	case executor == "embedded":
		if o.Workers <= 0 {
			o.Workers = runtime.NumCPU()
		}
		if o.WorkerCommand == nil {
			o.WorkerCommand = WorkerProcess
		}
		return embedded(ctx, e, o)
	case strings.HasPrefix(executor, "nats://") || strings.HasPrefix(executor, "tls://"):
		nc, err := Connect(ConnFromEnv(ConnOptions{URL: executor, Name: o.Name}))
		if err != nil {
			return nothing, fmt.Errorf("executor: %w", err)
		}
		qe, err := NewEvaluator(ctx, nc, e.Evaluator, Config{})
		if err != nil {
			nc.Close()
			return nothing, fmt.Errorf("executor %s: %w", Redact(executor), err)
		}
		e.Evaluator = qe
		e.Parallel = max(e.Parallel, o.Workers)
		return func() { qe.Close(); nc.Close() }, nil
	}
	return nothing, fmt.Errorf("unknown executor %q (valid: local, embedded, nats://HOST:PORT, tls://HOST:PORT)", Redact(executor))
}

// WorkerProcess is the command of a local worker process: this executable
// with args, which for the hwnas binary is `hwnas worker ...`.
func WorkerProcess(args ...string) (*exec.Cmd, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("finding the hwnas binary for local workers: %w", err)
	}
	return exec.Command(exe, args...), nil
}

// embedded starts a server on 127.0.0.1 and o.Workers local workers.
func embedded(ctx context.Context, e *engine.Experiment, o ExecutorOptions) (func(), error) {
	nothing := func() {}
	if _, err := Describe(e.Evaluator); err != nil { // before starting anything
		return nothing, fmt.Errorf("executor embedded: %w", err)
	}
	secret := make([]byte, 16)
	rand.Read(secret)
	token := hex.EncodeToString(secret)
	srv, err := StartServer(ServerConfig{Host: "127.0.0.1", Token: token})
	if err != nil {
		return nothing, fmt.Errorf("executor embedded: %w", err)
	}
	nc, err := Connect(ConnOptions{URL: srv.URL(), Token: token, Name: o.Name})
	if err != nil {
		srv.Shutdown()
		return nothing, fmt.Errorf("executor embedded: %w", err)
	}
	qe, err := NewEvaluator(ctx, nc, e.Evaluator, o.Queue)
	if err != nil {
		nc.Close()
		srv.Shutdown()
		return nothing, fmt.Errorf("executor embedded: %w", err)
	}
	var procs []*localWorker
	stop := func() {
		qe.Close()
		nc.Close()
		for _, p := range procs {
			p.stop()
		}
		srv.Shutdown()
	}
	threads := max(1, runtime.NumCPU()/o.Workers)
	for i := range o.Workers {
		p, err := startLocalWorker(o.WorkerCommand, token, "worker", "--nats", srv.URL(), "--threads", strconv.Itoa(threads),
			"--name", "local-"+strconv.Itoa(i+1), "--quiet", "--allow-command", "*") // the spec is the user's own
		if err != nil {
			stop()
			return nothing, fmt.Errorf("executor embedded: starting worker %d: %w", i+1, err)
		}
		procs = append(procs, p)
	}
	e.Evaluator = qe
	e.Parallel = max(e.Parallel, o.Workers)
	return stop, nil
}

// localWorker is a worker process of the embedded executor. Its stderr is
// kept and shown only if it dies on its own; it is then started again, so
// that a request that kills its worker (a poison message) ends failed after
// its deliveries instead of leaving the run without workers, waiting.
type localWorker struct {
	command  func(...string) (*exec.Cmd, error)
	args     []string
	token    string
	stderr   tailBuffer
	done     chan struct{}
	stopping sync.Once
	quit     atomic.Bool

	mu  sync.Mutex
	cmd *exec.Cmd // the process running now
}

// maxWorkerRestarts bounds how often a local worker that keeps dying is
// started again.
const maxWorkerRestarts = 20

// startLocalWorker starts command(args...) with the server's token in its
// environment, and keeps it running until stop.
func startLocalWorker(command func(...string) (*exec.Cmd, error), token string, args ...string) (*localWorker, error) {
	w := &localWorker{command: command, args: args, token: token, done: make(chan struct{})}
	if err := w.start(); err != nil {
		return nil, err
	}
	go w.supervise()
	return w, nil
}

// start starts the worker's process.
func (w *localWorker) start() error {
	cmd, err := w.command(w.args...)
	if err != nil {
		return err
	}
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, EnvToken+"="+w.token)
	cmd.Stdout, cmd.Stderr = nil, &w.stderr
	cmd.SysProcAttr = workerProcAttr()
	if err := cmd.Start(); err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.cmd = cmd
	if w.quit.Load() { // stop came while it started: it has this process to wait for
		cmd.Process.Signal(syscall.SIGTERM)
	}
	return nil
}

// supervise waits for the process and starts it again when it died on its
// own, up to maxWorkerRestarts times.
func (w *localWorker) supervise() {
	defer close(w.done)
	for restarts := 0; ; restarts++ {
		w.mu.Lock()
		cmd := w.cmd
		w.mu.Unlock()
		err := cmd.Wait()
		if w.quit.Load() {
			return
		}
		fmt.Fprintf(os.Stderr, "hwnas: local worker %d exited: %v\n%s", cmd.Process.Pid, err, w.stderr.String())
		if restarts == maxWorkerRestarts {
			fmt.Fprintf(os.Stderr, "hwnas: local worker restarted %d times; not again\n", restarts)
			return
		}
		time.Sleep(time.Duration(restarts+1) * 100 * time.Millisecond)
		if w.quit.Load() {
			return
		}
		if err := w.start(); err != nil {
			fmt.Fprintf(os.Stderr, "hwnas: restarting a local worker: %v\n", err)
			return
		}
	}
}

// stop asks the worker to finish (SIGTERM: it hands back what it holds) and
// kills it if it has not within 5s.
func (w *localWorker) stop() {
	w.stopping.Do(func() {
		w.mu.Lock()
		w.quit.Store(true)
		p := w.cmd.Process
		w.mu.Unlock()
		p.Signal(syscall.SIGTERM)
		select {
		case <-w.done:
		case <-time.After(5 * time.Second):
			p.Kill()
			<-w.done
		}
	})
}

// tailBuffer keeps the last 4 KiB written to it.
type tailBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b.Write(p)
	if over := t.b.Len() - 4096; over > 0 {
		t.b.Next(over)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.b.String()
}
