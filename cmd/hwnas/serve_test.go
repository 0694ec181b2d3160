package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/internal/hwnastest"
)

// startServe runs hwnas serve with f until the test ends and returns the
// URL it prints.
func startServe(t *testing.T, f serveFlags) *url.URL {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, pw, &f); pw.Close() }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("serve printed nothing: %v", err)
	}
	go io.Copy(io.Discard, pr)
	i := strings.Index(line, "http://")
	if i < 0 {
		t.Fatalf("serve printed %q, no URL", line)
	}
	u, err := url.Parse(strings.TrimSpace(line[i:]))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func status(t *testing.T, u string) int {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	r, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	return r.StatusCode
}

// TestServeToken: beyond loopback, hwnas serve generates a token, prints it
// in the URL, and refuses requests without it; on loopback there is none.
func TestServeToken(t *testing.T) {
	dir := t.TempDir()
	u := startServe(t, serveFlags{store: dir, addr: "0.0.0.0:0", poll: time.Second})
	tok := u.Query().Get("token")
	if len(tok) != 48 {
		t.Fatalf("URL %s: want a generated 48-digit token", u)
	}
	port := u.Port()
	if got := status(t, "http://127.0.0.1:"+port+"/"); got != 401 {
		t.Errorf("without the token: %d, want 401", got)
	}
	if got := status(t, "http://127.0.0.1:"+port+"/?token="+tok); got != 200 {
		t.Errorf("with the token: %d, want 200", got)
	}

	given := startServe(t, serveFlags{store: dir, addr: "0.0.0.0:0", token: "mine", poll: time.Second})
	if given.Query().Get("token") != "mine" {
		t.Errorf("--token mine printed %s", given)
	}

	loop := startServe(t, serveFlags{store: dir, addr: "127.0.0.1:0", poll: time.Second})
	if loop.RawQuery != "" {
		t.Errorf("on loopback the URL %s carries a token", loop)
	}
	if got := status(t, loop.String()); got != 200 {
		t.Errorf("loopback: %d, want 200", got)
	}
}

func TestServeErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"serve", "--store", "/nonexistent/store"}, 1, "hwnas serve: no result store at /nonexistent/store"},
		{[]string{"serve", "--store", t.TempDir(), "--addr", "8080"}, 2, `hwnas serve: --addr: address "8080"`},
	} {
		_, err := runCLI(t, c.args...)
		if exitCode(err) != c.code || err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%v: %v (exit %d), want exit %d and %q", c.args, err, exitCode(err), c.code, c.msg)
		}
	}
}

// TestServeFollowsWorkers: a run whose evaluations happen on NATS workers
// (the embedded executor: a NATS server in the run and worker processes)
// shows on the dashboard as it goes, its trial count growing, and in full
// when it is over: workers report to the run's process, which stores.
func TestServeFollowsWorkers(t *testing.T) {
	helperWorkers(t)
	dir := t.TempDir()
	st := hwnastest.OpenStore(t, dir)
	u := startServe(t, serveFlags{store: dir, addr: "127.0.0.1:0", poll: time.Second})
	const trials = 40
	e := nb201TableExperiment(trials)
	cleanup, err := applyExecutor(context.Background(), &e, "embedded", 2)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	count := regexp.MustCompile(`<td class="num trial-count">(\d+)</td>`)
	seen := map[int]bool{}
	look := func() {
		r, err := http.Get(u.String())
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if m := count.FindSubmatch(b); m != nil {
			n, _ := strconv.Atoi(string(m[1]))
			seen[n] = true
		}
	}
	done := make(chan error, 1)
	go func() { _, err := engine.Run(context.Background(), e, engine.Options{Store: st}); done <- err }()
	for running := true; running; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			running = false
		case <-time.After(20 * time.Millisecond):
			look()
		}
	}
	look()
	between := 0
	for n := range seen {
		if n > 0 && n < trials {
			between++
		}
	}
	t.Logf("trial counts seen: %d distinct, %d between", len(seen), between)
	if !seen[trials] || between == 0 {
		t.Fatalf("trial counts the dashboard showed: %v; want some between 0 and %d, then %d", seen, trials, trials)
	}
}
