package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hwnas/hwnas/metric"

	"github.com/hwnas/hwnas/engine"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// WorkerConfig is how one worker process evaluates.
type WorkerConfig struct {
	Concurrency int    // evaluations at once (default 1)
	Threads     int    // cores each evaluation may use (default: all cores / Concurrency)
	Name        string // shown in results and logs (default host:pid)
	// AllowCommand lists the programs (a command evaluator's first word,
	// exactly as the spec writes it) the worker runs; "*" allows any. Empty,
	// the worker refuses command evaluators: a spec could otherwise make it
	// run any program as its user.
	AllowCommand []string
	// Log receives one line per event worth telling (may be nil).
	Log func(format string, args ...any)
	// Evaluated, when set, is called after each result is published.
	Evaluated func(key string, err error)
}

type worker struct {
	cfg  WorkerConfig
	js   jetstream.JetStream
	cons jetstream.Consumer

	mu     sync.Mutex
	evals  map[string]engine.Evaluator // built evaluators by spec (train keeps its data set)
	info   *jetstream.ConsumerInfo
	infoAt time.Time
}

// Work pulls evaluation requests from nc's server and evaluates them until
// ctx ends, then returns nil. It waits for an experiment to create the
// queue. A request is acknowledged only after its result is stored; an
// evaluation that fails is handed back for another delivery until the
// consumer's MaxDeliver, when the failure is published as the result.
func Work(ctx context.Context, nc *nats.Conn, c WorkerConfig) error {
	if c.Concurrency < 0 || c.Threads < 0 {
		return fmt.Errorf("worker: negative concurrency or threads")
	}
	c.Concurrency = max(c.Concurrency, 1)
	if c.Threads == 0 {
		c.Threads = max(1, runtime.NumCPU()/c.Concurrency)
	}
	if c.Name == "" {
		host, _ := os.Hostname()
		c.Name = fmt.Sprintf("%s:%d", host, os.Getpid())
	}
	if c.Log == nil {
		c.Log = func(string, ...any) {}
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("worker: jetstream: %w", err)
	}
	w := &worker{cfg: c, js: js, evals: map[string]engine.Evaluator{}}
	told := false
	for {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		w.cons, err = js.Consumer(cctx, RequestStream, Durable)
		cancel()
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil
		}
		if !errors.Is(err, jetstream.ErrStreamNotFound) && !errors.Is(err, jetstream.ErrConsumerNotFound) && !errors.Is(err, context.DeadlineExceeded) {
			if nc.IsClosed() {
				return fmt.Errorf("worker: %w", err)
			}
			c.Log("worker %s: looking up the queue: %v", c.Name, err)
		} else if !told {
			c.Log("worker %s: waiting for an experiment to create the queue on %s", c.Name, nc.ConnectedUrlRedacted())
			told = true
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second):
		}
	}
	c.Log("worker %s: pulling from %s on %s, %d at a time, %d threads each", c.Name, RequestStream, nc.ConnectedUrlRedacted(), c.Concurrency, c.Threads)
	var wg sync.WaitGroup
	for range c.Concurrency {
		wg.Go(func() { w.loop(ctx) })
	}
	wg.Wait()
	return nil
}

func (w *worker) loop(ctx context.Context) {
	var lastErr time.Time
	for ctx.Err() == nil {
		fctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		batch, err := w.cons.Fetch(1, jetstream.FetchContext(fctx))
		if err != nil {
			cancel()
			if ctx.Err() == nil && time.Since(lastErr) > 10*time.Second { // the server is away: say so now and then
				w.cfg.Log("worker %s: pulling: %v; retrying", w.cfg.Name, err)
				lastErr = time.Now()
			}
			w.pause(ctx)
			continue
		}
		for m := range batch.Messages() {
			w.handle(ctx, m)
		}
		cancel()
		if err := batch.Error(); err != nil && ctx.Err() == nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, jetstream.ErrNoMessages) {
			w.pause(ctx)
		}
	}
}

// pause waits a little after an error (server away, restarting).
func (w *worker) pause(ctx context.Context) {
	select {
	case <-ctx.Done():
	case <-time.After(250 * time.Millisecond):
	}
}

// policy is the consumer's AckWait and MaxDeliver, read again from the
// server at most every few seconds (the experiment side may change them).
func (w *worker) policy(ctx context.Context) (time.Duration, int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.info == nil || time.Since(w.infoAt) > 5*time.Second {
		ictx, cancel := context.WithTimeout(ctx, 2*time.Second)
		info, err := w.cons.Info(ictx)
		cancel()
		if err == nil {
			w.info, w.infoAt = info, time.Now()
		} else if w.info == nil {
			w.info = w.cons.CachedInfo()
		}
	}
	return w.info.Config.AckWait, w.info.Config.MaxDeliver
}

func (w *worker) handle(ctx context.Context, m jetstream.Msg) {
	if ctx.Err() != nil {
		m.Nak() // shutting down: give it to another worker now
		return
	}
	var deliveries uint64 = 1
	if md, err := m.Metadata(); err == nil {
		deliveries = md.NumDelivered
	}
	key := strings.TrimPrefix(m.Subject(), requestSubject)
	q, net, err := decodeRequest(m.Data())
	if err == nil && q.Key != key {
		err = fmt.Errorf("evaluation request for %s published on subject %s", q.Key, m.Subject())
	}
	var ev engine.Evaluator
	if err == nil {
		ev, err = w.evaluator(ctx, q.Evaluator)
	}
	if err != nil {
		w.reject(ctx, m, key, q, deliveries, err)
		return
	}
	ackWait, maxDeliver := w.policy(ctx)
	ectx, cancel := context.WithCancel(ctx)
	if q.TimeoutS > 0 {
		ectx, cancel = context.WithTimeout(ctx, time.Duration(q.TimeoutS*float64(time.Second)))
	}
	stop := keepAlive(m, ackWait)
	t0 := time.Now()
	out, saved, err := w.run(ectx, ev, q, engine.Request{Network: net, Space: q.Space, Genome: q.Genome, Fidelity: q.Fidelity, Threads: w.cfg.Threads})
	timedOut := ectx.Err() != nil
	stop()
	cancel()
	if err != nil && ctx.Err() != nil { // stopped mid-evaluation: another worker takes it
		m.Nak()
		return
	}
	if err == nil {
		if out.ChargedS == 0 {
			out.ChargedS = time.Since(t0).Seconds()
		}
		w.cfg.Log("worker %s: %s %s accuracy %.4f in %.3gs (delivery %d)", w.cfg.Name, key, net.Summary(),
			out.Metrics[metric.Accuracy], time.Since(t0).Seconds(), deliveries)
		w.answer(ctx, m, result{Key: key, Nonce: q.Nonce, Metrics: out.Metrics, ChargedS: out.ChargedS, Worker: w.cfg.Name, Deliveries: deliveries, Saved: saved})
		return
	}
	if timedOut {
		err = fmt.Errorf("timed out after %.3gs: %w", q.TimeoutS, err)
	} else if maxDeliver <= 0 || deliveries < uint64(maxDeliver) {
		w.cfg.Log("worker %s: %s failed on delivery %d of %d, handing it back: %v", w.cfg.Name, key, deliveries, maxDeliver, err)
		m.NakWithDelay(time.Duration(deliveries) * 100 * time.Millisecond)
		return
	}
	w.answer(ctx, m, result{Key: key, Nonce: q.Nonce, Error: fmt.Sprintf("%s evaluator: %v", ev.Name(), err), Worker: w.cfg.Name, Deliveries: deliveries})
}

// reject answers a request the worker cannot evaluate. A malformed one
// never gets better: it fails now. One whose supernet the worker could not
// fetch goes back to the queue until its last delivery.
func (w *worker) reject(ctx context.Context, m jetstream.Msg, key string, q request, deliveries uint64, err error) {
	if _, maxDeliver := w.policy(ctx); errors.Is(err, errFetch) && (maxDeliver <= 0 || deliveries < uint64(maxDeliver)) {
		w.cfg.Log("worker %s: %s: %v; handing it back", w.cfg.Name, key, err)
		m.NakWithDelay(time.Duration(deliveries) * time.Second)
		return
	}
	if q.Nonce == "" { // unreadable: the message id still names the request
		_, q.Nonce, _ = strings.Cut(m.Headers().Get(jetstream.MsgIDHeader), ".")
	}
	w.cfg.Log("worker %s: bad request %s: %v", w.cfg.Name, key, err)
	w.answer(ctx, m, result{Key: key, Nonce: q.Nonce, Error: err.Error(), Worker: w.cfg.Name, Deliveries: deliveries})
}

// errFetch marks a failure to read an object the request needs: the
// server may have it on a later delivery.
var errFetch = errors.New("fetching from the server")

// answer stores r in the results stream, then acknowledges m. A worker told
// to stop still makes one attempt, so that what it computed is not lost (the
// server may even hold the result already, its acknowledgement the only
// thing outstanding); if that fails, m is left to be redelivered.
func (w *worker) answer(ctx context.Context, m jetstream.Msg, r result) {
	data, err := json.Marshal(r)
	if err != nil {
		r = result{Key: r.Key, Nonce: r.Nonce, Worker: r.Worker, Deliveries: r.Deliveries, Error: "encoding the result: " + err.Error()}
		data, _ = json.Marshal(r)
	}
	wait := 50 * time.Millisecond
	for {
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second)
		_, err = w.js.PublishMsg(pctx, &nats.Msg{Subject: resultSubject + r.Key, Data: data},
			jetstream.WithMsgID(fmt.Sprintf("%s.%s.%d", r.Key, r.Nonce, r.Deliveries)))
		cancel()
		if err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
	}
	// A lost acknowledgement only means a redelivery, and a duplicate
	// evaluation is harmless: no need to wait for the server to confirm it.
	if err := m.Ack(); err != nil {
		w.cfg.Log("worker %s: acknowledging %s: %v (it will be redelivered; the duplicate is harmless)", w.cfg.Name, r.Key, err)
	}
	if w.cfg.Evaluated != nil {
		var err error
		if r.Error != "" {
			err = errors.New(r.Error)
		}
		w.cfg.Evaluated(r.Key, err)
	}
}

// keepAlive tells the server every third of AckWait that m is still being
// worked on, until stop is called.
func keepAlive(m jetstream.Msg, ackWait time.Duration) (stop func()) {
	if ackWait <= 0 {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(ackWait / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				m.InProgress()
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// safeEvaluate turns a panicking evaluation into an error, so that one bad
// network does not take the worker (and, redelivered, every other worker)
// down with it.
func safeEvaluate(ev engine.Evaluator, ctx context.Context, r engine.Request) (out engine.Evaluation, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("evaluator panicked: %v", p)
		}
	}()
	return ev.Evaluate(ctx, r)
}

// buildEvaluator builds the evaluator a request names (tests replace it).
var buildEvaluator = EvaluatorSpec.Build

// run evaluates r with ev: a rung of a fidelity schedule resumes from the
// checkpoint q names, in a temporary file, and stores its own as q.SaveTo
// (saved is then its name).
func (w *worker) run(ctx context.Context, ev engine.Evaluator, q request, r engine.Request) (out engine.Evaluation, saved string, err error) {
	if q.ResumeFrom == "" && q.SaveTo == "" {
		out, err = safeEvaluate(ev, ctx, r)
		return out, "", err
	}
	bucket, err := w.bucket(ctx, CheckpointBucket)
	if err != nil {
		return out, "", err
	}
	dir, err := os.MkdirTemp("", "hwnas-worker-ckpt-")
	if err != nil {
		return out, "", fmt.Errorf("checkpoint folder: %w", err)
	}
	defer os.RemoveAll(dir)
	r.Checkpoint = filepath.Join(dir, "rung.ckpt")
	if q.ResumeFrom != "" {
		if n, err := fetchFile(ctx, bucket, q.ResumeFrom, r.Checkpoint); err != nil { // train from epoch 0: the same result
			w.cfg.Log("worker %s: %s: fetching its checkpoint: %v; training from epoch 0", w.cfg.Name, q.Key, err)
		} else {
			w.cfg.Log("worker %s: %s resumes from a checkpoint of %d bytes", w.cfg.Name, q.Key, n)
		}
	}
	if out, err = safeEvaluate(ev, ctx, r); err != nil || q.SaveTo == "" {
		return out, "", err
	}
	b, err := os.ReadFile(r.Checkpoint)
	if err == nil {
		_, err = bucket.PutBytes(ctx, q.SaveTo, b)
	}
	if err != nil { // the next rung starts again from epoch 0
		w.cfg.Log("worker %s: %s: storing its checkpoint: %v", w.cfg.Name, q.Key, err)
		return out, "", nil
	}
	return out, q.SaveTo, nil
}

// bucket opens one of the queue's object stores.
func (w *worker) bucket(ctx context.Context, name string) (jetstream.ObjectStore, error) {
	bctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	b, err := w.js.ObjectStore(bctx, name)
	if err != nil {
		return nil, fmt.Errorf("object store %s: %w", name, err)
	}
	return b, nil
}

// loadSupernet reads the supernet weights object name into sv.
func (w *worker) loadSupernet(ctx context.Context, sv *engine.SupernetEvaluator, name string) error {
	bucket, err := w.bucket(ctx, SupernetBucket)
	if err != nil {
		return fmt.Errorf("%w: %w", errFetch, err)
	}
	t0 := time.Now()
	gctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	blob, err := bucket.GetBytes(gctx, name)
	if err != nil {
		return fmt.Errorf("%w: supernet %s of %s: %w", errFetch, name, SupernetBucket, err)
	}
	if got := contentName(blob); got != name {
		return fmt.Errorf("supernet %s from %s has SHA-256 %s", name, SupernetBucket, got)
	}
	if err := sv.Load(blob); err != nil {
		return err
	}
	w.cfg.Log("worker %s: loaded supernet %.12s (%d bytes) in %.3gs", w.cfg.Name, name, len(blob), time.Since(t0).Seconds())
	return nil
}

// evaluator builds (once per spec) the local evaluator a request names; a
// supernet evaluator loads its weights, and replaces the worker's earlier
// supernets (a worker keeps one in memory).
func (w *worker) evaluator(ctx context.Context, s EvaluatorSpec) (engine.Evaluator, error) {
	if s.Kind == "command" && len(s.Argv) > 0 && !slices.Contains(w.cfg.AllowCommand, "*") && !slices.Contains(w.cfg.AllowCommand, s.Argv[0]) {
		return nil, fmt.Errorf("worker %s does not run the program %q: start it with --allow-command %s (or --allow-command '*')",
			w.cfg.Name, s.Argv[0], s.Argv[0])
	}
	b, _ := json.Marshal(s)
	w.mu.Lock()
	defer w.mu.Unlock()
	if ev, ok := w.evals[string(b)]; ok {
		return ev, nil
	}
	ev, err := buildEvaluator(s)
	if err != nil {
		return nil, err
	}
	if sv, ok := ev.(*engine.SupernetEvaluator); ok {
		if err := w.loadSupernet(ctx, sv, s.Supernet); err != nil {
			return nil, err
		}
		maps.DeleteFunc(w.evals, func(_ string, e engine.Evaluator) bool { _, ok := e.(*engine.SupernetEvaluator); return ok })
		// The data set stays loaded when the supernet changes, and serves
		// retrain's train evaluator too.
		tk, _ := json.Marshal(EvaluatorSpec{Kind: "train", Source: s.Source})
		if te, ok := w.evals[string(tk)].(*engine.TrainEvaluator); ok {
			sv.Data = te
		} else {
			w.evals[string(tk)] = sv.Data
		}
	}
	w.evals[string(b)] = ev
	return ev, nil
}
