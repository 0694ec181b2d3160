package queue

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// A password or token in a server URL is not printed: it used to appear in
// every connection error.
func TestCredentialsRedacted(t *testing.T) {
	for in, want := range map[string]string{
		"nats://alice:s3cret@10.0.0.5:4222":               "nats://alice:xxxxx@10.0.0.5:4222",
		"nats://s3cret@10.0.0.5:4222":                     "nats://xxxxx@10.0.0.5:4222",
		"nats://a:s3cret@h1:4222, tls://b:s3cret@h2:4222": "nats://a:xxxxx@h1:4222,tls://b:xxxxx@h2:4222",
		"nats://10.0.0.5:4222":                            "nats://10.0.0.5:4222",
		"nats://a:s3cret%zz@h:1":                          "nats://xxxxx@h:1",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
	e := tableExperiment()
	_, err := ApplyExecutor(context.Background(), &e, "nats://alice:s3cret@127.0.0.1:1", ExecutorOptions{})
	if err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "alice:xxxxx@127.0.0.1:1") {
		t.Fatalf("error %v: want the URL without its password", err)
	}
}

// workerAllowing runs an in-process worker that runs only the programs
// allow lists, until stop is called or the test ends.
func workerAllowing(t *testing.T, url string, allow []string) (stop func()) {
	nc, err := Connect(ConnOptions{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		Work(ctx, nc, WorkerConfig{Threads: 1, Name: "restricted", AllowCommand: allow})
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done; nc.Close() }) }
	t.Cleanup(stop)
	return stop
}

// Anyone who can publish on the server could make every worker run any
// program: a worker now runs only the command evaluators it is allowed.
func TestWorkerRefusesCommands(t *testing.T) {
	srv := startServer(t, ServerConfig{})
	qe := queueEvaluator(t, srv.URL(), "", fakeCommandEvaluator(), Config{MaxDeliver: 5, Poll: 100 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	stop := workerAllowing(t, srv.URL(), []string{"/usr/bin/python3"})
	_, err := qe.Evaluate(ctx, nb201Request(t, []int{1, 2, 3, 4, 0, 1}))
	if err == nil || !strings.Contains(err.Error(), "does not run the program") || !strings.Contains(err.Error(), "after 1 deliveries") {
		t.Fatalf("error %v: want the command refused at once", err)
	}
	stop()
	workerAllowing(t, srv.URL(), []string{os.Args[0]})
	if _, err := qe.Evaluate(ctx, nb201Request(t, []int{1, 2, 3, 4, 0, 2})); err != nil {
		t.Fatalf("allowed program: %v", err)
	}
}
