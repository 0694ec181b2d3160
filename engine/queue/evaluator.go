package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/hwnas/hwnas/engine"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"
)

// Evaluator is a engine.Evaluator that has workers evaluate: it publishes
// each request to the work queue and waits for its result. Its Name is the
// local evaluator's, so results land under the same cache keys as a local
// run's.
type Evaluator struct {
	inner engine.Evaluator
	spec  EvaluatorSpec
	cfg   Config
	js    jetstream.JetStream
	reqs  jetstream.Stream
	res   jetstream.Stream
	cc    jetstream.ConsumeContext // results
	dead  jetstream.ConsumeContext // max-deliveries advisories

	bucketsMu              sync.Mutex
	supernets, checkpoints jetstream.ObjectStore // SupernetBucket, CheckpointBucket, made by the first evaluation that needs them
	specMu                 sync.Mutex            // guards spec.Supernet, set by the first evaluation

	mu    sync.Mutex
	calls map[string]*call // waiting evaluations by cache key
	bySeq map[uint64]*call // and by the request's stream sequence
}

type call struct {
	key, nonce string
	seq        uint64
	resumeFrom string // the checkpoint object the request resumes from
	waiters    int
	done       chan struct{}
	once       sync.Once
	res        result
}

func (c *call) finish(r result) { c.once.Do(func() { c.res = r; close(c.done) }) }

// deliveryExceeded is the part of the server's max-deliveries advisory
// (io.nats.jetstream.advisory.v1.max_deliver) the evaluator reads.
type deliveryExceeded struct {
	Stream     string `json:"stream"`
	Consumer   string `json:"consumer"`
	StreamSeq  uint64 `json:"stream_seq"`
	Deliveries uint64 `json:"deliveries"`
}

// NewEvaluator sets the queue up on nc's server (streams, consumer) and
// returns an evaluator that has workers run local. local must be one of
// the engine's table, train, command or supernet evaluators (see Describe).
// A supernet evaluator's weights go to the workers in SupernetBucket once
// the engine has trained it, at the first evaluation. The caller
// keeps nc and closes it after Close.
func NewEvaluator(ctx context.Context, nc *nats.Conn, local engine.Evaluator, c Config) (*Evaluator, error) {
	spec, err := Describe(local)
	if err != nil {
		return nil, err
	}
	if c, err = c.withDefaults(); err != nil {
		return nil, err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	reqs, res, err := setup(ctx, js, c)
	if err != nil {
		return nil, err
	}
	e := &Evaluator{inner: local, spec: spec, cfg: c, js: js, reqs: reqs, res: res,
		calls: map[string]*call{}, bySeq: map[uint64]*call{}}
	if e.cc, err = e.follow(ctx, ResultStream, resultSubject+"*", e.result); err != nil {
		return nil, err
	}
	if e.dead, err = e.follow(ctx, DeadStream, advisorySubject, e.exceeded); err != nil {
		e.cc.Stop()
		return nil, err
	}
	return e, nil
}

// follow hands every message stored in stream on subject from now on to
// handle. The ordered consumer starts after the stream's last message, so
// that a reset (reconnect, server restart) resumes there, not at "new":
// nothing stored while the engine was away is missed.
func (e *Evaluator) follow(ctx context.Context, stream, subject string, handle func([]byte)) (jetstream.ConsumeContext, error) {
	s, err := e.js.Stream(ctx, stream)
	if err != nil {
		return nil, fmt.Errorf("stream %s: %w", stream, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("stream %s: %w", stream, err)
	}
	oc, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{subject},
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: info.State.LastSeq + 1})
	if err != nil {
		return nil, fmt.Errorf("following stream %s: %w", stream, err)
	}
	cc, err := oc.Consume(func(m jetstream.Msg) { handle(m.Data()) })
	if err != nil {
		return nil, fmt.Errorf("following stream %s: %w", stream, err)
	}
	return cc, nil
}

func (e *Evaluator) result(data []byte) {
	var r result
	if json.Unmarshal(data, &r) == nil {
		e.deliver(r)
	}
}

// Name is the local evaluator's name: the cache key does not depend on
// where an evaluation runs.
func (e *Evaluator) Name() string { return e.inner.Name() }

// Close stops listening for results. Evaluations still waiting fail.
func (e *Evaluator) Close() error {
	e.cc.Stop()
	e.dead.Stop()
	e.mu.Lock()
	for _, c := range e.calls {
		c.finish(result{Error: "the queue evaluator was closed"})
	}
	e.mu.Unlock()
	return nil
}

// Local is the evaluator the workers run (engine.Remote): the engine trains
// a supernet evaluator's supernet itself before the first trial.
func (e *Evaluator) Local() engine.Evaluator { return e.inner }

// Via returns an evaluator that has the same workers run ev (engine.Remote):
// a supernet experiment's retrain.
func (e *Evaluator) Via(ev engine.Evaluator) (engine.Evaluator, error) {
	spec, err := Describe(ev)
	if err != nil {
		return nil, err
	}
	return via{e: e, inner: ev, spec: spec}, nil
}

// via is an evaluator that runs on the workers of an Evaluator.
type via struct {
	e     *Evaluator
	inner engine.Evaluator
	spec  EvaluatorSpec
}

func (v via) Name() string { return v.inner.Name() }

func (v via) Evaluate(ctx context.Context, r engine.Request) (engine.Evaluation, error) {
	return v.e.evaluate(ctx, v.inner.Name(), v.spec, r)
}

// Evaluate publishes r and waits for a worker's result. Concurrent
// evaluations of one cache key share one request. A rung of a fidelity
// schedule (r.Checkpoint set) sends the checkpoint file along when it
// exists and writes the one the worker stored back to it.
func (e *Evaluator) Evaluate(ctx context.Context, r engine.Request) (engine.Evaluation, error) {
	spec, err := e.specOf(ctx)
	if err != nil {
		return engine.Evaluation{}, err
	}
	return e.evaluate(ctx, e.inner.Name(), spec, r)
}

// specOf is the spec requests carry: a supernet evaluator's names the
// object holding its weights, stored (once) by the first evaluation.
func (e *Evaluator) specOf(ctx context.Context) (EvaluatorSpec, error) {
	sv, ok := e.inner.(*engine.SupernetEvaluator)
	if !ok {
		return e.spec, nil
	}
	e.specMu.Lock()
	defer e.specMu.Unlock()
	if e.spec.Supernet == "" {
		blob, ok := sv.Stored()
		if !ok {
			return e.spec, errors.New("queue evaluator: the supernet is not trained: the engine trains it before the first trial")
		}
		if err := e.buckets(ctx); err != nil {
			return e.spec, err
		}
		name, err := putOnce(ctx, e.supernets, blob)
		if err != nil {
			return e.spec, fmt.Errorf("sending the supernet to the workers: %w", err)
		}
		e.spec.Supernet = name
	}
	return e.spec, nil
}

// evaluate has workers evaluate r with the evaluator spec describes, called
// name.
func (e *Evaluator) evaluate(ctx context.Context, name string, spec EvaluatorSpec, r engine.Request) (engine.Evaluation, error) {
	if r.Network == nil {
		return engine.Evaluation{}, errors.New("queue evaluator: request has no network")
	}
	key := CacheKey(name, r)
	e.mu.Lock()
	c, shared := e.calls[key]
	if !shared {
		c = &call{key: key, nonce: nuid.Next(), done: make(chan struct{})}
		e.calls[key] = c
	}
	c.waiters++
	e.mu.Unlock()
	defer e.release(c)
	if !shared {
		// A result already on the server (an earlier run that stopped before
		// storing it) is this evaluation: use it instead of evaluating again.
		if !e.poll(ctx, key) {
			if err := e.publish(ctx, c, spec, r); err != nil {
				c.finish(result{Error: err.Error()})
			}
		}
		defer e.keepCheckpoint(c, r.Checkpoint)
	}
	tick := time.NewTicker(e.cfg.Poll)
	defer tick.Stop()
	for {
		select {
		case <-c.done:
			if c.res.Error != "" {
				if c.res.Worker != "" {
					return engine.Evaluation{}, fmt.Errorf("on worker %s after %d deliveries: %s", c.res.Worker, c.res.Deliveries, c.res.Error)
				}
				return engine.Evaluation{}, errors.New(c.res.Error)
			}
			return engine.Evaluation{Metrics: c.res.Metrics, ChargedS: c.res.ChargedS}, nil
		case <-ctx.Done():
			return engine.Evaluation{}, fmt.Errorf("waiting for a worker: %w", ctx.Err())
		case <-tick.C:
			e.poll(ctx, key)
		}
	}
}

// publish sends c's request, retrying while the server is unreachable.
func (e *Evaluator) publish(ctx context.Context, c *call, spec EvaluatorSpec, r engine.Request) error {
	q := request{Key: c.key, Nonce: c.nonce, Evaluator: spec, Network: engine.NetworkToJSON(r.Network),
		Space: r.Space, Genome: r.Genome, Fidelity: r.Fidelity}
	if d, ok := ctx.Deadline(); ok {
		q.TimeoutS = max(time.Until(d).Seconds(), 0.001)
	}
	if spec.Kind == "supernet" {
		for _, l := range r.Network.Layers {
			q.Names = append(q.Names, l.Name)
		}
	}
	e.sendCheckpoint(ctx, c, &q, r.Checkpoint)
	data, err := json.Marshal(q)
	if err != nil {
		return fmt.Errorf("encoding evaluation request: %w", err)
	}
	wait := 50 * time.Millisecond
	for {
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		ack, err := e.js.PublishMsg(pctx, &nats.Msg{Subject: requestSubject + c.key, Data: data}, jetstream.WithMsgID(c.key+"."+c.nonce))
		cancel()
		if err == nil {
			e.mu.Lock()
			c.seq = ack.Sequence
			e.bySeq[ack.Sequence] = c
			e.mu.Unlock()
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("publishing evaluation request: %w (%v)", ctx.Err(), err)
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
	}
}

// release drops a waiter; the last one of an unfinished call takes its
// request off the queue (best effort: a worker may already be on it, and
// its result is then simply unused).
func (e *Evaluator) release(c *call) {
	e.mu.Lock()
	c.waiters--
	last := c.waiters == 0
	if last {
		delete(e.calls, c.key)
		delete(e.bySeq, c.seq)
	}
	e.mu.Unlock()
	if !last {
		return
	}
	select {
	case <-c.done:
	default:
		if c.seq != 0 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			e.reqs.DeleteMsg(ctx, c.seq)
			cancel()
		}
	}
}

// deliver hands a result to its waiting call. A success answers any
// request for its key; a failure only the request it was made for.
func (e *Evaluator) deliver(r result) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.calls[r.Key]
	if c == nil || (r.Error != "" && r.Nonce != c.nonce) {
		return false
	}
	c.finish(r)
	return true
}

// poll reads key's latest result straight from the results stream, in case
// the push path missed it, and reports whether it answered key's call.
func (e *Evaluator) poll(ctx context.Context, key string) bool {
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	m, err := e.res.GetLastMsgForSubject(pctx, resultSubject+key)
	if err != nil {
		return false
	}
	var r result
	if json.Unmarshal(m.Data, &r) != nil || r.Key != key {
		return false
	}
	return e.deliver(r)
}

// exceeded fails the request the server gave up on after MaxDeliver
// deliveries that no worker acknowledged (workers killed or stuck), from
// the server's advisory kept in DeadStream.
func (e *Evaluator) exceeded(data []byte) {
	var a deliveryExceeded
	if json.Unmarshal(data, &a) != nil || a.Stream != RequestStream || a.Consumer != Durable {
		return
	}
	e.mu.Lock()
	c := e.bySeq[a.StreamSeq]
	e.mu.Unlock()
	if c != nil {
		e.giveUp(c, a.StreamSeq, a.Deliveries)
	}
}

// giveUp fails c, whose request seq the server will deliver no more.
func (e *Evaluator) giveUp(c *call, seq, deliveries uint64) {
	c.finish(result{Key: c.key, Nonce: c.nonce, Error: fmt.Sprintf(
		"no worker acknowledged the evaluation within %s on any of its %d deliveries (workers died or stalled)", e.cfg.AckWait, deliveries)})
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		e.reqs.DeleteMsg(ctx, seq) // it would otherwise stay in the work queue, undeliverable
	}()
}

// buckets makes the object stores, once: only runs that send supernets or
// checkpoints need them.
func (e *Evaluator) buckets(ctx context.Context) error {
	e.bucketsMu.Lock()
	defer e.bucketsMu.Unlock()
	if e.supernets != nil {
		return nil
	}
	sn, ck, err := setupBuckets(ctx, e.js, e.cfg)
	if err != nil {
		return err
	}
	e.supernets, e.checkpoints = sn, ck
	return nil
}

// sendCheckpoint stores the checkpoint file path, when it exists, for q's
// worker to resume from, and asks the worker to store its own when q's rung
// stops before the last epoch. When either cannot be done (no object store,
// no file), the rung that needs the checkpoint trains from epoch 0: slower,
// the same result.
func (e *Evaluator) sendCheckpoint(ctx context.Context, c *call, q *request, path string) {
	if path == "" || e.buckets(ctx) != nil {
		return
	}
	if q.Fidelity.Stop > 0 {
		q.SaveTo = c.key + "." + c.nonce + ".out"
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return
	}
	name := c.key + "." + c.nonce + ".in"
	if _, err := e.checkpoints.PutBytes(ctx, name, b); err == nil {
		q.ResumeFrom, c.resumeFrom = name, name
	}
}

// keepCheckpoint writes the checkpoint c's worker stored to path, once c
// is answered, and removes c's checkpoint objects. Without it (the worker
// could not store it, or c's result came from an earlier run) the next rung
// trains from epoch 0: slower, the same result.
func (e *Evaluator) keepCheckpoint(c *call, path string) {
	select {
	case <-c.done:
	default:
		return // given up on: the objects expire
	}
	defer deleteObjects(e.checkpoints, c.resumeFrom, c.res.Saved)
	if path == "" || c.res.Saved == "" || c.res.Error != "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	fetchFile(ctx, e.checkpoints, c.res.Saved, path)
}
