package queue

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/data"
	"github.com/hwnas/hwnas/engine/nn"
	"github.com/hwnas/hwnas/internal/hwnastest"
	"github.com/hwnas/hwnas/metric"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// oneshotExperiment scores 10 children of mobileSpace with a supernet of
// one epoch and retrains the best 2.
func oneshotExperiment() engine.Experiment {
	ev := &engine.SupernetEvaluator{Data: &engine.TrainEvaluator{Source: "mnist", Load: data.MNIST},
		SpaceKey: engine.SpaceKey(hwnastest.MobileSpace()), Epochs: 1, BNBatches: 3}
	return engine.Experiment{Name: "oneshot", Spec: "experiment oneshot (test)", Space: hwnastest.MobileSpace(), Evaluator: ev,
		Fidelity:   engine.Fidelity{Dataset: "mnist", Train: 600, Val: 200, Test: 200, Epochs: 1, Batch: 32, LR: 0.01, Optimizer: "adam"},
		Objectives: []engine.Objective{{Metric: metric.Accuracy, Maximize: true}},
		Strategy:   engine.StrategySpec{Kind: "random"}, Budget: engine.Budget{Trials: 10}, Retrain: 2, Parallel: 1, Seed: 4}
}

// runIn runs e on a new store in dir.
func runIn(t *testing.T, e engine.Experiment, dir string) *engine.Outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out, err := engine.Run(ctx, e, engine.Options{Store: hwnastest.OpenStore(t, dir), Cores: 1})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sameTrials compares two runs trial by trial, wall times aside.
func sameTrials(t *testing.T, got, want *engine.Outcome) {
	t.Helper()
	if len(got.Trials) != len(want.Trials) {
		t.Fatalf("%d trials, want %d", len(got.Trials), len(want.Trials))
	}
	for i, g := range got.Trials {
		w := want.Trials[i]
		delete(g.Metrics, "train_s")
		delete(w.Metrics, "train_s")
		if !slices.Equal(g.Genome, w.Genome) || g.Status != w.Status || !reflect.DeepEqual(g.Metrics, w.Metrics) {
			t.Errorf("trial %d: %v %s %v, local %v %s %v", i, g.Genome, g.Status, g.Metrics, w.Genome, w.Status, w.Metrics)
		}
	}
}

// TestSupernetOnWorkers: a one-shot search through two worker processes.
// The engine trains the supernet, stores it once in SupernetBucket, the
// workers fetch it and score every child, and retrain the best two too;
// the trials are those of a local run, and so are those of the embedded
// executor's.
func TestSupernetOnWorkers(t *testing.T) {
	srv := startServer(t, ServerConfig{})
	workers := []*proc{startWorker(t, srv.URL(), ""), startWorker(t, srv.URL(), "")}
	e := oneshotExperiment()
	t0 := time.Now()
	local := runIn(t, e, t.TempDir())
	t1 := time.Now()
	e = oneshotExperiment()
	e.Parallel = 2
	qe := queueEvaluator(t, srv.URL(), "", e.Evaluator, Config{})
	e.Evaluator = qe
	out := runIn(t, e, t.TempDir())
	t.Logf("local run %.1fs, through 2 workers %.1fs", t1.Sub(t0).Seconds(), time.Since(t1).Seconds())
	sameTrials(t, out, local)
	if out.Counts.Inherited == 0 || out.Counts.Retrained != 2 {
		t.Errorf("counts %+v: want inherited children and 2 retrained", out.Counts)
	}
	want, evaluated := out.Counts.Inherited+out.Counts.Retrained, 0
	for range 100 { // a worker prints after its acknowledgement, which may come after the engine has the result
		evaluated = 0
		for _, w := range workers {
			evaluated += len(w.evaluated())
		}
		if evaluated >= want {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, w := range workers {
		for k, res := range w.evaluated() {
			if res != "ok" {
				t.Errorf("worker %d: %s: %s", w.pid(), k, res)
			}
		}
	}
	if evaluated < want {
		t.Errorf("workers evaluated %d requests, want %d (every inherited and retrained trial)", evaluated, want)
	}
	blob, _ := qe.Local().(*engine.SupernetEvaluator).Stored()
	infos := bucketObjects(t, srv.URL(), SupernetBucket)
	if len(infos) != 1 || infos[0].Size != uint64(len(blob)) || infos[0].Name != contentName(blob) {
		t.Errorf("supernet bucket holds %+v, want one object of %d bytes", infos, len(blob))
	}
	t.Logf("supernet: %d bytes", len(blob))

	e = oneshotExperiment() // the embedded executor, as `hwnas run --executor embedded` and the kernel use it
	cleanup, err := ApplyExecutor(context.Background(), &e, "embedded", ExecutorOptions{Workers: 2, WorkerCommand: testWorkerCommand})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	t2 := time.Now()
	sameTrials(t, runIn(t, e, t.TempDir()), local)
	t.Logf("through 2 embedded workers %.1fs", time.Since(t2).Seconds())
}

// bucketObjects lists an object store of the server at url.
func bucketObjects(t *testing.T, url, bucket string) []*jetstream.ObjectInfo {
	t.Helper()
	js, ctx := testJetStream(t, url, 5*time.Second)
	b, err := js.ObjectStore(ctx, bucket)
	if err != nil {
		t.Fatal(err)
	}
	infos, err := b.List(ctx)
	if err != nil && err != jetstream.ErrNoObjectsFound {
		t.Fatal(err)
	}
	return infos
}

// TestSupernetNotTrained: a queue evaluator of a supernet the engine has
// not trained says so instead of sending nothing to the workers.
func TestSupernetNotTrained(t *testing.T) {
	srv := startServer(t, ServerConfig{})
	e := oneshotExperiment()
	qe := queueEvaluator(t, srv.URL(), "", e.Evaluator, Config{})
	net, err := e.Space.Decode(make([]int, len(e.Space.Decisions())))
	if err != nil {
		t.Fatal(err)
	}
	_, err = qe.Evaluate(context.Background(), engine.Request{Network: net, Fidelity: e.Fidelity})
	if err == nil || !strings.Contains(err.Error(), "the supernet is not trained") {
		t.Errorf("error %v, want one saying the supernet is not trained", err)
	}
}

// ashaExperiment searches a 16-network MNIST space with the rungs 1 and 3
// epochs (engine's TestASHARun).
func ashaExperiment(parallel int) engine.Experiment {
	space := &arch.ChainSpace{SpaceName: "mini", Input: arch.Shape{H: 28, W: 28, C: 1},
		Blocks: []arch.ChainBlock{{MinRepeat: 2, MaxRepeat: 2, Layers: []arch.ChainLayer{{Alts: []arch.LayerAlt{{Kind: "conv", Params: []arch.Param{
			{Name: "kernel", Values: []int{3, 5}}, {Name: "filters", Values: []int{4, 8}}, {Name: "stride", Values: []int{2}}}}}}}}},
		Head: []arch.HeadLayer{{Kind: "gap"}, {Kind: "dense", Units: 10}}}
	return engine.Experiment{Name: "asha", Spec: "experiment asha (test)", Space: space,
		Evaluator:  &engine.TrainEvaluator{Source: "mnist", Load: data.MNIST},
		Fidelity:   engine.Fidelity{Dataset: "mnist", Train: 600, Val: 200, Test: 200, Batch: 32, LR: 0.01, Optimizer: "adam"},
		ASHA:       engine.ASHA{MinEpochs: 1, MaxEpochs: 3, Eta: 3},
		Objectives: []engine.Objective{{Metric: metric.Accuracy, Maximize: true}}, Strategy: engine.StrategySpec{Kind: "random"},
		Budget: engine.Budget{Trials: 12}, Parallel: parallel, Seed: 2}
}

// TestASHAOnEmbeddedWorkers: a fidelity schedule through the embedded
// executor gives the trials of a local run (children that reach 3 epochs
// resume their 1-epoch checkpoint on a worker), and leaves no checkpoint.
func TestASHAOnEmbeddedWorkers(t *testing.T) {
	t0 := time.Now()
	local := runIn(t, ashaExperiment(1), t.TempDir())
	t1 := time.Now()
	e := ashaExperiment(1)
	cleanup, err := ApplyExecutor(context.Background(), &e, "embedded", ExecutorOptions{Workers: 2, WorkerCommand: testWorkerCommand})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if e.Parallel != 2 {
		t.Fatalf("parallel %d, want 2", e.Parallel)
	}
	dir := t.TempDir()
	out := runIn(t, e, dir)
	t.Logf("local run %.1fs, through 2 embedded workers %.1fs (their start included)", t1.Sub(t0).Seconds(), time.Since(t1).Seconds())
	sameTrials(t, out, local)
	reached := map[float64]int{}
	for _, tr := range out.Trials {
		reached[tr.Metrics[engine.EpochsMetric]]++
	}
	if reached[1] == 0 || reached[3] == 0 {
		t.Errorf("epochs reached %v, want some 1 and some 3", reached)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "checkpoints", "*")); len(left) > 0 {
		t.Errorf("checkpoints left: %v", left)
	}
}

// TestRungCheckpointTravels: a rung that stops early comes back with the
// worker's checkpoint, written where the engine keeps it; the next rung
// sends it, the worker resumes from it, and the result is that of
// training all the epochs at once; no object is left on the server.
func TestRungCheckpointTravels(t *testing.T) {
	srv := startServer(t, ServerConfig{})
	e := ashaExperiment(1)
	qe := queueEvaluator(t, srv.URL(), "", e.Evaluator, Config{})
	logs := collectingWorker(t, srv.URL())
	net, err := e.Space.Decode([]int{1, 1, 0, 1})
	if err != nil {
		t.Fatal(err)
	}
	f := e.Fidelity
	f.Epochs, f.Stop, f.Seed = 3, 1, e.Seed
	dir := t.TempDir()
	ckpt, localCkpt := filepath.Join(dir, "remote.ckpt"), filepath.Join(dir, "local.ckpt")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := qe.Evaluate(ctx, engine.Request{Network: net, Fidelity: f, Threads: 1, Checkpoint: ckpt}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Evaluator.Evaluate(ctx, engine.Request{Network: net, Fidelity: f, Threads: 1, Checkpoint: localCkpt}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(ckpt)
	want, _ := os.ReadFile(localCkpt)
	if len(got) == 0 || !slices.Equal(got, want) {
		t.Fatalf("checkpoint after rung 1: %d bytes from the worker, %d bytes locally, equal %t", len(got), len(want), slices.Equal(got, want))
	}
	t.Logf("checkpoint: %d bytes", len(got))
	f.Stop = 0
	res, err := qe.Evaluate(ctx, engine.Request{Network: net, Fidelity: f, Threads: 1, Checkpoint: ckpt})
	if err != nil {
		t.Fatal(err)
	}
	whole, err := e.Evaluator.Evaluate(ctx, engine.Request{Network: net, Fidelity: f, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Metrics[metric.Accuracy] != whole.Metrics[metric.Accuracy] {
		t.Errorf("resumed on the worker: accuracy %v, 3 epochs at once %v", res.Metrics[metric.Accuracy], whole.Metrics[metric.Accuracy])
	}
	if !logs.has("resumes from a checkpoint of") {
		t.Errorf("the worker did not resume from the checkpoint; its log: %q", logs.text())
	}
	if left := bucketObjects(t, srv.URL(), CheckpointBucket); len(left) > 0 {
		t.Errorf("%d checkpoint objects left on the server", len(left))
	}
}

// loggingWorker runs Work in this process until the test ends, logging to log.
func loggingWorker(t *testing.T, url string, log func(string, ...any)) {
	t.Helper()
	nc, err := Connect(ConnOptions{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := Work(ctx, nc, WorkerConfig{Threads: 1, Name: "logging", Log: log}); err != nil {
			t.Error(err)
		}
	})
	t.Cleanup(func() { cancel(); wg.Wait(); nc.Close() })
}

// workerLog is the log lines of a worker running in this process.
type workerLog struct {
	mu    sync.Mutex
	lines []string
}

// collectingWorker runs a worker in this process until the test ends and
// keeps its log.
func collectingWorker(t *testing.T, url string) *workerLog {
	l := &workerLog{}
	loggingWorker(t, url, func(format string, args ...any) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.lines = append(l.lines, fmt.Sprintf(format, args...))
	})
	return l
}

// has reports whether a line so far contains s.
func (l *workerLog) has(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.ContainsFunc(l.lines, func(line string) bool { return strings.Contains(line, s) })
}

func (l *workerLog) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// TestWorkerSwitchesSupernets: a worker serving two experiments with
// different supernets scores each child with its own experiment's weights,
// keeping one supernet in memory (so it fetches again on a switch back).
func TestWorkerSwitchesSupernets(t *testing.T) {
	srv := startServer(t, ServerConfig{})
	var mu sync.Mutex
	loads := 0
	loggingWorker(t, srv.URL(), func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if strings.Contains(format, "loaded supernet") {
			loads++
		}
	})
	e := oneshotExperiment()
	net, err := e.Space.Decode([]int{0, 1, 1, 0, 0, 1})
	if err != nil {
		t.Fatal(err)
	}
	f := e.Fidelity
	f.Seed = e.Seed
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var evs []engine.Evaluator
	for seed := range uint64(2) {
		sv := oneshotExperiment().Evaluator.(*engine.SupernetEvaluator)
		sv.SpaceKey += fmt.Sprint(seed) // two evaluators, two cache keys
		blob, _ := nn.NewSupernet(seed + 1).MarshalBinary()
		if err := sv.Load(blob); err != nil {
			t.Fatal(err)
		}
		evs = append(evs, sv)
	}
	qes := []*Evaluator{queueEvaluator(t, srv.URL(), "", evs[0], Config{}), queueEvaluator(t, srv.URL(), "", evs[1], Config{})}
	for i, k := range []int{0, 1, 0} {
		r := engine.Request{Network: net, Fidelity: f, Threads: 1}
		r.Fidelity.Seed += int64(i) // no result of an earlier request to reuse
		got, err := qes[k].Evaluate(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		want, err := evs[k].Evaluate(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		other, err := evs[1-k].Evaluate(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if got.Metrics[metric.Accuracy] != want.Metrics[metric.Accuracy] || want.Metrics[metric.Accuracy] == other.Metrics[metric.Accuracy] {
			t.Errorf("request %d: accuracy %v on the worker, %v here, %v with the other supernet (want it to differ)", i,
				got.Metrics[metric.Accuracy], want.Metrics[metric.Accuracy], other.Metrics[metric.Accuracy])
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if loads != 3 {
		t.Errorf("the worker loaded a supernet %d times, want 3 (one kept at a time)", loads)
	}
}

// TestMissingCheckpointTrainsFromScratch: a rung whose checkpoint object is
// gone (expired, removed) trains from epoch 0 on the worker instead of
// failing, with the accuracy of a local rung trained from the start.
func TestMissingCheckpointTrainsFromScratch(t *testing.T) {
	srv := startServer(t, ServerConfig{})
	e := ashaExperiment(1)
	qe := queueEvaluator(t, srv.URL(), "", e.Evaluator, Config{Poll: 100 * time.Millisecond})
	logs := collectingWorker(t, srv.URL())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := qe.buckets(ctx); err != nil {
		t.Fatal(err)
	}
	net, err := e.Space.Decode([]int{0, 1, 1, 0})
	if err != nil {
		t.Fatal(err)
	}
	f := e.Fidelity
	f.Epochs, f.Stop, f.Seed = 3, 1, e.Seed
	key, nonce := "00112233445566778899aabbccddeeff", "gone"
	data, _ := json.Marshal(request{Key: key, Nonce: nonce, Evaluator: qe.spec, Network: engine.NetworkToJSON(net),
		Fidelity: f, ResumeFrom: "gone.in"})
	c := &call{key: key, nonce: nonce, waiters: 1, done: make(chan struct{})}
	qe.mu.Lock()
	qe.calls[key] = c
	qe.mu.Unlock()
	if _, err := qe.js.PublishMsg(ctx, &nats.Msg{Subject: requestSubject + key, Data: data}, jetstream.WithMsgID(key+"."+nonce)); err != nil {
		t.Fatal(err)
	}
	want, err := e.Evaluator.Evaluate(ctx, engine.Request{Network: net, Fidelity: f, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.done:
	case <-ctx.Done():
		t.Fatal("no answer")
	}
	if c.res.Error != "" || c.res.Metrics[metric.Accuracy] != want.Metrics[metric.Accuracy] {
		t.Errorf("result %+v, want accuracy %v", c.res, want.Metrics[metric.Accuracy])
	}
	if !logs.has("training from epoch 0") {
		t.Errorf("the worker did not say it trains from epoch 0: %q", logs.text())
	}
}
