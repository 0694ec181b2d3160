package queue

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hwnas/hwnas/metric"

	"github.com/hwnas/hwnas/arch/nb201"
	"github.com/hwnas/hwnas/engine"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func nb201Request(t testing.TB, genome []int) engine.Request {
	t.Helper()
	n, err := nb201.NetworkOf(genome)
	if err != nil {
		t.Fatal(err)
	}
	return engine.Request{Network: n, Space: nb201.Space{}.Name(), Genome: genome,
		Fidelity: engine.Fidelity{Dataset: "nasbench201:cifar10", Seed: 1}, Threads: 1}
}

// inProcessWorker runs Work in a goroutine until the test ends and counts
// its published results.
func inProcessWorker(t testing.TB, url, token string, concurrency int) *atomic.Int64 {
	t.Helper()
	nc, err := Connect(ConnOptions{URL: url, Token: token})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var n atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := Work(ctx, nc, WorkerConfig{Concurrency: concurrency, Threads: 1, Name: "in-process", AllowCommand: []string{"*"},
			Evaluated: func(string, error) { n.Add(1) }}); err != nil {
			t.Error(err)
		}
	})
	t.Cleanup(func() { cancel(); wg.Wait(); nc.Close() })
	return &n
}

// waitCount waits a little for n to reach want (a worker counts after it
// acknowledges, which may be after the engine has the result), and a
// little more in case it goes past.
func waitCount(n *atomic.Int64, want int64) int64 {
	for range 100 {
		if n.Load() >= want {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	return n.Load()
}

// queueLen is the number of requests waiting or in flight.
func queueLen(t *testing.T, url string) uint64 {
	t.Helper()
	js, ctx := testJetStream(t, url, 2*time.Second)
	s, err := js.Stream(ctx, RequestStream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

func waitQueueEmpty(t *testing.T, url string) {
	t.Helper()
	for range 100 {
		if queueLen(t, url) == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("%d requests left in the queue", queueLen(t, url))
}

func TestEvaluateThroughWorker(t *testing.T) {
	srv := startServer(t, ServerConfig{})
	qe := queueEvaluator(t, srv.URL(), "", engine.TableEvaluator{}, Config{AckWait: time.Second})
	n := inProcessWorker(t, srv.URL(), "", 2)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, g := range [][]int{{0, 1, 2, 3, 4, 0}, {3, 3, 3, 3, 3, 3}, {1, 2, 3, 1, 2, 3}} {
		r := nb201Request(t, g)
		want, err := engine.TableEvaluator{}.Evaluate(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := qe.Evaluate(ctx, r)
		if err != nil {
			t.Fatalf("genome %v: %v", g, err)
		}
		if got.ChargedS != want.ChargedS || len(got.Metrics) != len(want.Metrics) {
			t.Errorf("genome %v: got %+v, want %+v", g, got, want)
		}
		for k, v := range want.Metrics {
			if got.Metrics[k] != v {
				t.Errorf("genome %v: %s = %g through the queue, %g locally", g, k, got.Metrics[k], v)
			}
		}
	}
	if qe.Name() != (engine.TableEvaluator{}).Name() {
		t.Errorf("name %q, want the local evaluator's", qe.Name())
	}
	if waitCount(n, 3) != 3 {
		t.Errorf("%d evaluations, want 3", n.Load())
	}
	waitQueueEmpty(t, srv.URL())
}

// TestDuplicatesShareOneRequest: concurrent evaluations of one cache key
// cost one worker evaluation.
func TestDuplicatesShareOneRequest(t *testing.T) {
	srv := startServer(t, ServerConfig{})
	qe := queueEvaluator(t, srv.URL(), "", engine.TableEvaluator{}, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r := nb201Request(t, []int{1, 1, 1, 1, 1, 1})
	var wg sync.WaitGroup
	errs := make([]error, 5)
	for i := range errs {
		wg.Go(func() { _, errs[i] = qe.Evaluate(ctx, r) })
	}
	time.Sleep(100 * time.Millisecond) // all five wait before any worker exists
	n := inProcessWorker(t, srv.URL(), "", 1)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("evaluation %d: %v", i, err)
		}
	}
	if waitCount(n, 1) != 1 {
		t.Errorf("%d worker evaluations for one key, want 1", n.Load())
	}
}

// TestFailsAfterMaxDeliver: an evaluation that fails on every delivery is
// handed back until MaxDeliver, then comes back failed with its reason.
func TestFailsAfterMaxDeliver(t *testing.T) {
	srv := startServer(t, ServerConfig{})
	qe := queueEvaluator(t, srv.URL(), "", engine.TableEvaluator{}, Config{AckWait: time.Second, MaxDeliver: 2, Poll: 200 * time.Millisecond})
	n := inProcessWorker(t, srv.URL(), "", 1)
	r := nb201Request(t, []int{0, 0, 0, 0, 0, 0})
	r.Space = "not-nb201"
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := qe.Evaluate(ctx, r)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"after 2 deliveries", `only knows the "nasbench201" space, not "not-nb201"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if waitCount(n, 1) != 1 {
		t.Errorf("%d results published, want 1 (the failure)", n.Load())
	}
	waitQueueEmpty(t, srv.URL())
}

// TestDeliveriesExceeded: a request no worker ever acknowledges (they take
// it and die) fails when the server gives up on it, from its advisory, even
// when the engine was not listening at that moment.
func TestDeliveriesExceeded(t *testing.T) {
	t.Run("listening", func(t *testing.T) { testDeliveriesExceeded(t, false) })
	t.Run("away", func(t *testing.T) { testDeliveriesExceeded(t, true) })
}

func testDeliveriesExceeded(t *testing.T, away bool) {
	srv := startServer(t, ServerConfig{})
	qe := queueEvaluator(t, srv.URL(), "", engine.TableEvaluator{}, Config{AckWait: 300 * time.Millisecond, MaxDeliver: 2, Poll: 100 * time.Millisecond})
	if away {
		// Stop following the advisories until the server has given up,
		// then follow them again from where the engine stopped.
		qe.dead.Stop()
		from := lastSeq(t, srv.URL(), DeadStream) + 1
		go func() {
			for lastSeq(t, srv.URL(), DeadStream) < from {
				time.Sleep(50 * time.Millisecond)
			}
			time.Sleep(300 * time.Millisecond)
			follow(t, qe, from)
		}()
	}
	js, ctx := testJetStream(t, srv.URL(), 10*time.Second)
	cons, err := js.Consumer(ctx, RequestStream, Durable)
	if err != nil {
		t.Fatal(err)
	}
	var taken atomic.Int64
	go func() { // a worker that takes requests and never answers
		for ctx.Err() == nil {
			b, err := cons.Fetch(1, jetstream.FetchMaxWait(200*time.Millisecond))
			if err != nil {
				continue
			}
			for range b.Messages() {
				taken.Add(1)
			}
		}
	}()
	_, err = qe.Evaluate(ctx, nb201Request(t, []int{2, 2, 2, 2, 2, 2}))
	if err == nil || !strings.Contains(err.Error(), "no worker acknowledged") || !strings.Contains(err.Error(), "2 deliveries") {
		t.Fatalf("error %v, want one saying no worker acknowledged it in 2 deliveries", err)
	}
	if taken.Load() != 2 {
		t.Errorf("taken %d times, want 2", taken.Load())
	}
	waitQueueEmpty(t, srv.URL())
}

// TestCancelWithdrawsRequest: an evaluation given up by the engine (trial
// timeout) leaves nothing in the queue.
func TestCancelWithdrawsRequest(t *testing.T) {
	srv := startServer(t, ServerConfig{})
	qe := queueEvaluator(t, srv.URL(), "", engine.TableEvaluator{}, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := qe.Evaluate(ctx, nb201Request(t, []int{4, 4, 4, 4, 4, 4}))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want the deadline", err)
	}
	waitQueueEmpty(t, srv.URL())
}

// TestBadRequestFailsAtOnce: a request a worker cannot decode is failed on
// its first delivery, not retried.
func TestBadRequestFailsAtOnce(t *testing.T) {
	srv := startServer(t, ServerConfig{})
	qe := queueEvaluator(t, srv.URL(), "", engine.TableEvaluator{}, Config{MaxDeliver: 5, Poll: 100 * time.Millisecond})
	qe.spec = EvaluatorSpec{Kind: "quantum"} // what a newer engine might send
	inProcessWorker(t, srv.URL(), "", 1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := qe.Evaluate(ctx, nb201Request(t, []int{0, 1, 0, 1, 0, 1}))
	if err == nil || !strings.Contains(err.Error(), `unknown evaluator kind "quantum"`) || !strings.Contains(err.Error(), "after 1 deliveries") {
		t.Fatalf("error %v", err)
	}
}

// TestGarbledRequestFailsAtOnce: a request that is not even JSON is still
// answered, by its message id.
func TestGarbledRequestFailsAtOnce(t *testing.T) {
	srv := startServer(t, ServerConfig{})
	qe := queueEvaluator(t, srv.URL(), "", engine.TableEvaluator{}, Config{Poll: 100 * time.Millisecond})
	inProcessWorker(t, srv.URL(), "", 1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	key, nonce := "0123456789abcdef0123456789abcdef", "garbled"
	c := &call{key: key, nonce: nonce, waiters: 1, done: make(chan struct{})}
	qe.mu.Lock()
	qe.calls[key] = c
	qe.mu.Unlock()
	if _, err := qe.js.PublishMsg(ctx, &nats.Msg{Subject: requestSubject + key, Data: []byte("{not json")},
		jetstream.WithMsgID(key+"."+nonce)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.done:
		if !strings.Contains(c.res.Error, "not valid JSON") {
			t.Errorf("result %+v", c.res)
		}
	case <-ctx.Done():
		t.Fatal("no answer to a garbled request")
	}
}

func TestNewEvaluatorRejects(t *testing.T) {
	srv := startServer(t, ServerConfig{})
	nc, err := Connect(ConnOptions{URL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	ctx := context.Background()
	for _, c := range []struct {
		name string
		ev   engine.Evaluator
		cfg  Config
		want string
	}{
		{"nil evaluator", nil, Config{}, "no evaluator"},
		{"custom evaluator", fakeEvaluator{}, Config{}, "cannot run on workers"},
		{"negative ack wait", engine.TableEvaluator{}, Config{AckWait: -time.Second}, "negative"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewEvaluator(ctx, nc, c.ev, c.cfg)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want %q", err, c.want)
			}
		})
	}
}

type fakeEvaluator struct{}

func (fakeEvaluator) Name() string { return "fake" }
func (fakeEvaluator) Evaluate(context.Context, engine.Request) (engine.Evaluation, error) {
	return engine.Evaluation{}, nil
}

// TestResultOnServerReused: an engine that stopped before storing a result
// finds it on the server when run again, without a second evaluation.
func TestResultOnServerReused(t *testing.T) {
	srv := startServer(t, ServerConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r := nb201Request(t, []int{0, 2, 4, 1, 3, 0})
	first := queueEvaluator(t, srv.URL(), "", engine.TableEvaluator{}, Config{})
	n := inProcessWorker(t, srv.URL(), "", 1)
	want, err := first.Evaluate(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	first.Close()
	again := queueEvaluator(t, srv.URL(), "", engine.TableEvaluator{}, Config{})
	got, err := again.Evaluate(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if got.Metrics[metric.Accuracy] != want.Metrics[metric.Accuracy] || waitCount(n, 1) != 1 {
		t.Errorf("second engine: %v after %d evaluations, want %v after 1", got.Metrics, n.Load(), want.Metrics)
	}
}

type panicEvaluator struct{}

func (panicEvaluator) Name() string { return "panic" }
func (panicEvaluator) Evaluate(context.Context, engine.Request) (engine.Evaluation, error) {
	panic("index out of range [3] with length 3")
}

// TestEvaluatorPanic: an evaluator that panics fails its evaluation after
// MaxDeliver deliveries; the worker lives on and evaluates the next one.
func TestEvaluatorPanic(t *testing.T) {
	old := buildEvaluator
	buildEvaluator = func(s EvaluatorSpec) (engine.Evaluator, error) {
		if s.Split == "panic" {
			return panicEvaluator{}, nil
		}
		return old(s)
	}
	defer func() { buildEvaluator = old }()
	srv := startServer(t, ServerConfig{})
	qe := queueEvaluator(t, srv.URL(), "", engine.TableEvaluator{}, Config{AckWait: time.Second, MaxDeliver: 2, Poll: 100 * time.Millisecond})
	inProcessWorker(t, srv.URL(), "", 1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	qe.spec.Split = "panic"
	_, err := qe.Evaluate(ctx, nb201Request(t, []int{3, 2, 1, 0, 1, 2}))
	if err == nil || !strings.Contains(err.Error(), "evaluator panicked: index out of range") {
		t.Fatalf("error %v", err)
	}
	qe.spec.Split = ""
	if _, err := qe.Evaluate(ctx, nb201Request(t, []int{3, 2, 1, 0, 1, 3})); err != nil {
		t.Fatalf("the worker did not survive: %v", err)
	}
}

// TestLongEvaluationKeptAlive: an evaluation far longer than AckWait (and
// than a worker's fetch wait) is not redelivered while its worker lives.
func TestLongEvaluationKeptAlive(t *testing.T) {
	t.Setenv(sleepEnv, "3500")
	starts := filepath.Join(t.TempDir(), "starts")
	t.Setenv(startsEnv, starts)
	srv := startServer(t, ServerConfig{})
	qe := queueEvaluator(t, srv.URL(), "", fakeCommandEvaluator(), Config{AckWait: 500 * time.Millisecond, MaxDeliver: 2})
	n := inProcessWorker(t, srv.URL(), "", 2) // a redelivery would go to the idle second slot
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r := nb201Request(t, []int{1, 0, 1, 0, 1, 0})
	got, err := qe.Evaluate(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if got.Metrics[metric.Accuracy] != fakeAccuracyRounded(r.Network.Key()) {
		t.Errorf("accuracy %v", got.Metrics)
	}
	if waitCount(n, 1) != 1 {
		t.Errorf("%d evaluations, want 1", n.Load())
	}
	b, _ := os.ReadFile(starts)
	if lines := strings.Count(string(b), "\n"); lines != 1 {
		t.Errorf("the evaluation started %d times: it was redelivered while its worker was alive", lines)
	}
}

func lastSeq(t *testing.T, url, stream string) uint64 {
	nc, err := Connect(ConnOptions{URL: url})
	if err != nil {
		t.Error(err)
		return 0
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, stream)
	if err != nil {
		t.Error(err)
		return 0
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Error(err)
		return 0
	}
	return info.State.LastSeq
}

// follow makes qe follow the dead-letter stream again from seq, as its
// ordered consumer does after a reconnect.
func follow(t *testing.T, qe *Evaluator, seq uint64) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	oc, err := qe.js.OrderedConsumer(ctx, DeadStream, jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: seq})
	if err != nil {
		t.Error(err)
		return
	}
	cc, err := oc.Consume(func(m jetstream.Msg) { qe.exceeded(m.Data()) })
	if err != nil {
		t.Error(err)
		return
	}
	t.Cleanup(cc.Stop)
}

// testJetStream connects to the server at url for the rest of the test,
// with a context that times out after d.
func testJetStream(t *testing.T, url string, d time.Duration) (jetstream.JetStream, context.Context) {
	t.Helper()
	nc, err := Connect(ConnOptions{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return js, ctx
}

// TestStoppingWorkerPublishesWhatItComputed: a worker told to stop just as
// an evaluation finishes still publishes its result, on the first delivery:
// nothing computed is lost to a shutdown (the kernel stops its embedded
// workers as soon as a cell's last result is in).
func TestStoppingWorkerPublishesWhatItComputed(t *testing.T) {
	srv := startServer(t, ServerConfig{})
	qe := queueEvaluator(t, srv.URL(), "", engine.TableEvaluator{}, Config{AckWait: time.Minute})
	nc, err := Connect(ConnOptions{URL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	wctx, stop := context.WithCancel(context.Background())
	var evaluated atomic.Int64
	done := make(chan error, 1)
	go func() {
		done <- Work(wctx, nc, WorkerConfig{Threads: 1, Name: "stopping",
			Log: func(format string, args ...any) {
				if strings.Contains(format, "accuracy") { // evaluated, not yet published
					stop()
				}
			},
			Evaluated: func(_ string, err error) {
				if err == nil {
					evaluated.Add(1)
				}
			}})
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := qe.Evaluate(ctx, nb201Request(t, []int{0, 1, 2, 3, 4, 0})); err != nil {
		t.Fatalf("the result of a worker stopped after evaluating never came: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if evaluated.Load() != 1 {
		t.Errorf("the stopped worker reported %d evaluations, want 1", evaluated.Load())
	}
}
