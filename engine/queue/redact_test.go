package queue

import (
	"context"
	"strings"
	"testing"
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
