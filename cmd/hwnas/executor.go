package main

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
	"github.com/hwnas/hwnas/engine/queue"
)

// applyExecutor makes e's evaluations run where executor says:
//
//   - "" or "local": in this process (nothing changes);
//   - "embedded": an in-process NATS JetStream server on 127.0.0.1 (random
//     port, random token, temporary file store) and workers local `hwnas
//     worker` processes of this binary (default: one per core);
//   - "nats://HOST:PORT" or "tls://HOST:PORT" (comma-separated for a
//     cluster): a running server, with credentials and TLS files from
//     $HWNAS_NATS_TOKEN, $HWNAS_NATS_USER/$HWNAS_NATS_PASSWORD and
//     $HWNAS_NATS_TLS_CA/_CERT/_KEY (or in the URL: nats://user:pass@host);
//     workers, when positive, is how many evaluations to keep in flight.
//
// e.Evaluator is replaced by a queue evaluator with the same name, so
// results share the cache of local runs; e.Parallel is raised to the number
// of workers. cleanup stops what was started and must be called once the
// run is over (it is never nil).
func applyExecutor(ctx context.Context, e *engine.Experiment, executor string, workers int) (cleanup func(), err error) {
	nothing := func() {}
	if workers < 0 {
		return nothing, fmt.Errorf("--workers %d: want 0 (automatic) or more", workers)
	}
	switch {
	case executor == "" || executor == "local":
		return nothing, nil
	case executor == "embedded":
		if workers == 0 {
			workers = runtime.NumCPU()
		}
		return embeddedExecutor(ctx, e, workers)
	case strings.HasPrefix(executor, "nats://") || strings.HasPrefix(executor, "tls://"):
		o := connFromEnv(queue.ConnOptions{URL: executor, Name: "hwnas run " + e.Name})
		nc, err := queue.Connect(o)
		if err != nil {
			return nothing, fmt.Errorf("executor: %w", err)
		}
		qe, err := queue.NewEvaluator(ctx, nc, e.Evaluator, queue.Config{})
		if err != nil {
			nc.Close()
			return nothing, fmt.Errorf("executor %s: %w", executor, err)
		}
		e.Evaluator = qe
		e.Parallel = max(e.Parallel, workers)
		return func() { qe.Close(); nc.Close() }, nil
	}
	return nothing, fmt.Errorf("unknown executor %q (valid: local, embedded, nats://HOST:PORT, tls://HOST:PORT)", executor)
}

// workerCommand is the command line of a local worker process: this binary
// (tests replace it).
var workerCommand = func(args ...string) (*exec.Cmd, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("finding the hwnas binary for local workers: %w", err)
	}
	return exec.Command(exe, args...), nil
}

func embeddedExecutor(ctx context.Context, e *engine.Experiment, workers int) (func(), error) {
	nothing := func() {}
	if _, err := queue.Describe(e.Evaluator); err != nil { // before starting anything
		return nothing, fmt.Errorf("executor embedded: %w", err)
	}
	secret := make([]byte, 16)
	rand.Read(secret)
	token := hex.EncodeToString(secret)
	srv, err := queue.StartServer(queue.ServerConfig{Host: "127.0.0.1", Token: token})
	if err != nil {
		return nothing, fmt.Errorf("executor embedded: %w", err)
	}
	nc, err := queue.Connect(queue.ConnOptions{URL: srv.URL(), Token: token, Name: "hwnas run " + e.Name})
	if err != nil {
		srv.Shutdown()
		return nothing, fmt.Errorf("executor embedded: %w", err)
	}
	qe, err := queue.NewEvaluator(ctx, nc, e.Evaluator, queue.Config{})
	if err != nil {
		nc.Close()
		srv.Shutdown()
		return nothing, fmt.Errorf("executor embedded: %w", err)
	}
	threads := max(1, runtime.NumCPU()/workers)
	var procs []*localWorker
	stop := func() {
		qe.Close()
		nc.Close()
		for _, p := range procs {
			p.stop()
		}
		srv.Shutdown()
	}
	for i := range workers {
		cmd, err := workerCommand("worker", "--nats", srv.URL(), "--threads", strconv.Itoa(threads),
			"--name", "local-"+strconv.Itoa(i+1), "--quiet")
		if err == nil {
			p := &localWorker{cmd: cmd, done: make(chan struct{})}
			err = p.start(token)
			if err == nil {
				procs = append(procs, p)
			}
		}
		if err != nil {
			stop()
			return nothing, fmt.Errorf("executor embedded: starting worker %d: %w", i+1, err)
		}
	}
	e.Evaluator = qe
	e.Parallel = max(e.Parallel, workers)
	return stop, nil
}

// localWorker is a worker process of the embedded executor. Its stderr is
// kept and shown only if it dies on its own.
type localWorker struct {
	cmd      *exec.Cmd
	stderr   tailBuffer
	done     chan struct{}
	stopping sync.Once
	quit     atomic.Bool
}

func (w *localWorker) start(token string) error {
	if w.cmd.Env == nil {
		w.cmd.Env = os.Environ()
	}
	w.cmd.Env = append(w.cmd.Env, envNATSToken+"="+token)
	w.cmd.Stdout, w.cmd.Stderr = nil, &w.stderr
	if err := w.cmd.Start(); err != nil {
		return err
	}
	go func() {
		err := w.cmd.Wait()
		if !w.quit.Load() && err != nil {
			fmt.Fprintf(os.Stderr, "hwnas: local worker %d exited: %v\n%s", w.cmd.Process.Pid, err, w.stderr.String())
		}
		close(w.done)
	}()
	return nil
}

// stop asks the worker to finish (SIGTERM: it hands back what it holds) and
// kills it if it has not within 5s.
func (w *localWorker) stop() {
	w.stopping.Do(func() {
		w.quit.Store(true)
		w.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-w.done:
		case <-time.After(5 * time.Second):
			w.cmd.Process.Kill()
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
