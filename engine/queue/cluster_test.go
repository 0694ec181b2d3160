package queue

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hwnas/hwnas/internal/hwnastest"
	"github.com/hwnas/hwnas/metric"

	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/store"
)

// queueEvaluator connects to srv and wraps local.
func queueEvaluator(t *testing.T, url, token string, local engine.Evaluator, c Config) *Evaluator {
	t.Helper()
	nc, err := Connect(ConnOptions{URL: url, Token: token, Name: "test engine"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	qe, err := NewEvaluator(ctx, nc, local, c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { qe.Close() })
	return qe
}

// waitEvaluated waits until the workers together reported want distinct
// keys, and returns how many times each key was evaluated and by whom.
func waitEvaluated(t *testing.T, want int, ws ...*proc) map[string][]int {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		by := map[string][]int{}
		for _, w := range ws {
			for k, res := range w.evaluated() {
				if res != "ok" {
					t.Errorf("worker %d: %s failed: %s", w.pid(), k, res)
				}
				by[k] = append(by[k], w.pid())
			}
		}
		if len(by) >= want || time.Now().After(deadline) {
			return by
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkAllEvaluated checks that every trial is trained and that its key was
// evaluated by a worker.
func checkAllEvaluated(t *testing.T, e engine.Experiment, out *engine.Outcome, trials int, by map[string][]int) {
	t.Helper()
	if len(out.Trials) != trials {
		t.Fatalf("%d trials, want %d", len(out.Trials), trials)
	}
	for _, tr := range out.Trials {
		if tr.Status != store.Trained && tr.Status != store.Cached {
			t.Errorf("trial %d: %s (%s)", tr.ID, tr.Status, tr.Error)
			continue
		}
		if tr.Status == store.Trained && len(by[trialKey(t, e, tr)]) == 0 {
			t.Errorf("trial %d was trained but no worker reported evaluating it", tr.ID)
		}
	}
}

// TestQueueMatchesLocal: the same seed gives the same trials and results
// through two worker processes as in-process, and each evaluation runs once.
//
// Parallel is 1 on both sides: with more, which of two NAS-Bench-201
// genomes that decode to one network (isomorphic cells, different table
// rows) is trained and which is cached depends on which finishes first,
// locally as much as through the queue.
func TestQueueMatchesLocal(t *testing.T) {
	const trials, seed = 24, 7
	ctx := context.Background()
	local := nb201Experiment(engine.TableEvaluator{}, trials, seed)
	local.Parallel = 1
	lo, err := engine.Run(ctx, local, engine.Options{Store: hwnastest.OpenStore(t, t.TempDir())})
	if err != nil {
		t.Fatal(err)
	}

	srv := startServer(t, ServerConfig{Token: "s3cret"})
	w1, w2 := startWorker(t, srv.URL(), "s3cret"), startWorker(t, srv.URL(), "s3cret")
	qe := queueEvaluator(t, srv.URL(), "s3cret", engine.TableEvaluator{}, Config{AckWait: 2 * time.Second, Poll: 500 * time.Millisecond})
	remote := nb201Experiment(qe, trials, seed)
	remote.Parallel = 1
	ro, err := engine.Run(ctx, remote, engine.Options{Store: hwnastest.OpenStore(t, t.TempDir())})
	if err != nil {
		t.Fatal(err)
	}
	if len(ro.Trials) != len(lo.Trials) {
		t.Fatalf("queue run has %d trials, local run %d", len(ro.Trials), len(lo.Trials))
	}
	trained := map[string]bool{}
	for i, r := range ro.Trials {
		l := lo.Trials[i]
		if !reflect.DeepEqual(r.Genome, l.Genome) || r.Status != l.Status || r.NetworkKey != l.NetworkKey ||
			!reflect.DeepEqual(r.Metrics, l.Metrics) || r.EvalS != l.EvalS || r.Error != l.Error {
			t.Errorf("trial %d differs:\nqueue %+v\nlocal %+v", i, r, l)
		}
		if r.Status == store.Trained {
			trained[trialKey(t, remote, r)] = true
		}
	}
	if !reflect.DeepEqual(ro.Pareto, lo.Pareto) {
		t.Errorf("Pareto front %v through the queue, %v locally", ro.Pareto, lo.Pareto)
	}
	by := waitEvaluated(t, len(trained), w1, w2)
	if len(by) != len(trained) {
		t.Errorf("workers evaluated %d keys, the run trained %d", len(by), len(trained))
	}
	for k, pids := range by {
		if len(pids) != 1 {
			t.Errorf("key %s evaluated %d times (workers %v)", k, len(pids), pids)
		}
		if !trained[k] {
			t.Errorf("key %s evaluated but no trial trained it", k)
		}
	}
	checkAllEvaluated(t, remote, ro, trials, by)
}

// TestWorkerKilled: a worker killed with SIGKILL in the middle of an
// evaluation; its request is redelivered after AckWait and finishes on the
// other worker.
func TestWorkerKilled(t *testing.T) {
	const trials = 20
	marks := t.TempDir()
	srv := startServer(t, ServerConfig{Token: "k"})
	env := []string{sleepEnv + "=250", marksEnv + "=" + marks}
	w1, w2 := startWorker(t, srv.URL(), "k", env...), startWorker(t, srv.URL(), "k", env...)
	qe := queueEvaluator(t, srv.URL(), "k", fakeCommandEvaluator(), Config{AckWait: time.Second, MaxDeliver: 3, Poll: 500 * time.Millisecond})
	e := nb201Experiment(qe, trials, 3)

	killed := make(chan string, 1) // the network key w1 was evaluating
	var once sync.Once
	progress := func(ev engine.Event) {
		if ev.Done < 4 {
			return
		}
		once.Do(func() {
			go func() {
				for range 200 {
					m, _ := filepath.Glob(filepath.Join(marks, itoa(w1.pid())+".*"))
					if len(m) > 0 {
						w1.cmd.Process.Kill()
						killed <- strings.TrimPrefix(filepath.Base(m[0]), itoa(w1.pid())+".")
						return
					}
					time.Sleep(5 * time.Millisecond)
				}
				killed <- ""
			}()
		})
	}
	out, err := engine.Run(context.Background(), e, engine.Options{Store: hwnastest.OpenStore(t, t.TempDir()), Progress: progress})
	if err != nil {
		t.Fatal(err)
	}
	netKey := <-killed
	if netKey == "" {
		t.Fatal("worker 1 was never caught in the middle of an evaluation")
	}
	by := waitEvaluated(t, trials, w1, w2)
	checkAllEvaluated(t, e, out, trials, by)
	found := false
	for _, tr := range out.Trials {
		if tr.NetworkKey != netKey {
			continue
		}
		found = true
		pids := by[trialKey(t, e, tr)]
		if len(pids) != 1 || pids[0] != w2.pid() {
			t.Errorf("the killed worker's trial %d was evaluated by %v, want only worker 2 (%d)", tr.ID, pids, w2.pid())
		}
		if tr.Status != store.Trained || tr.Metrics[metric.Accuracy] != fakeAccuracyRounded(netKey) {
			t.Errorf("the killed worker's trial: %s %v", tr.Status, tr.Metrics)
		}
	}
	if !found {
		t.Errorf("no trial has the network %s the killed worker was evaluating", netKey)
	}
}

// TestServerRestart: the server stops mid-run and starts again on the same
// JetStream file store; the run completes with every trial.
func TestServerRestart(t *testing.T) {
	const trials = 24
	dir := t.TempDir()
	srv := startServer(t, ServerConfig{Dir: dir, Token: "r"})
	url, port := srv.URL(), srv.Port()
	env := []string{sleepEnv + "=100"}
	w1, w2 := startWorker(t, url, "r", env...), startWorker(t, url, "r", env...)
	qe := queueEvaluator(t, url, "r", fakeCommandEvaluator(), Config{AckWait: 2 * time.Second, Poll: 300 * time.Millisecond})
	e := nb201Experiment(qe, trials, 5)

	var once sync.Once
	var done, doneAtRestart atomic.Int64
	restarted := make(chan *Server, 1)
	progress := func(ev engine.Event) {
		done.Store(int64(ev.Done))
		if ev.Done < 8 {
			return
		}
		once.Do(func() {
			go func() {
				srv.Stop()
				time.Sleep(300 * time.Millisecond)
				s, err := StartServer(ServerConfig{Dir: dir, Port: port, Token: "r"})
				if err != nil {
					t.Error(err)
				}
				doneAtRestart.Store(done.Load())
				restarted <- s
			}()
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	out, err := engine.Run(ctx, e, engine.Options{Store: hwnastest.OpenStore(t, t.TempDir()), Progress: progress})
	s := <-restarted
	if s != nil {
		defer s.Shutdown()
	}
	if err != nil {
		t.Fatal(err)
	}
	if n := doneAtRestart.Load(); n >= trials {
		t.Errorf("the server came back after the run had finished (%d trials done)", n)
	}
	by := waitEvaluated(t, trials, w1, w2)
	checkAllEvaluated(t, e, out, trials, by)
	if _, err := os.Stat(filepath.Join(dir, "jetstream")); err != nil {
		t.Errorf("no JetStream file store in %s: %v", dir, err)
	}
}
