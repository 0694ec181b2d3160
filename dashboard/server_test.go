package dashboard

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/internal/golden"
)

var (
	fixtureOnce sync.Once
	fixtureDir  string
)

// fixture is a store holding one finished nb201 run of 64 trials, trial 5
// stored as failed; tests must not write to it.
func fixture(t *testing.T) string {
	t.Helper()
	fixtureOnce.Do(func() {
		dir, err := mkdirTemp()
		if err != nil {
			t.Fatal(err)
		}
		st := runNB201(t, dir)
		es, _ := st.Experiments("")
		ts, _ := st.Trials(es[0].ID)
		ts[5].Status, ts[5].Error, ts[5].Metrics = store.Failed, "evaluator: exit status 1: <out of memory>", nil
		if err := st.PutTrial(ts[5]); err != nil {
			t.Fatal(err)
		}
		fixtureDir = dir
	})
	if fixtureDir == "" {
		t.Fatal("no fixture store")
	}
	return fixtureDir
}

// get serves one request and returns the status and body.
func get(t *testing.T, h http.Handler, target string, edit func(*http.Request)) (int, string, http.Header) {
	t.Helper()
	r := httptest.NewRequest("GET", target, nil)
	r.Host = "127.0.0.1:8080" // as a browser on this machine sends it
	if edit != nil {
		edit(r)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	b, _ := io.ReadAll(w.Result().Body)
	return w.Code, string(b), w.Result().Header
}

func TestPages(t *testing.T) {
	h, err := New(Options{Store: fixture(t)})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		target string
		code   int
		want   []string
	}{
		{"/", 200, []string{`<a href="/experiments/1">nb201_zcu102</a>`, `<td class="num trial-count">64</td>`, `<span class="status ended">ended</span>`,
			"63 looked up, 0 pruned, 1 failed", "table:nasbench201:cifar10"}},
		{"/experiments/1", 200, []string{`<span id="trial-count">64</span>`, "<svg", "<title>trial 0: ", "Best accuracy so far", "Hypervolume against trials", "experiment nb201_zcu102 {", "space nb201 = benchmark(&#34;nasbench201&#34;)",
			`<option value="failed">failed</option>`, `data-status="failed"`,
			// the reason is shown, escaped
			`<div class="reason">evaluator: exit status 1: &lt;out of memory&gt;</div>`,
			`<a href="/experiments/1/trials/63">63</a>`, "maximize accuracy, minimize latency_ms; subject to dsp &lt;= 2000"}},
		{"/experiments/1/trials/5", 200, []string{"trial 5", "failed: evaluator: exit status 1: &lt;out of memory&gt;", `<code id="genome">`}},
		// the network and the FPGA report, derived again from the stored spec
		{"/experiments/1/trials/0", 200, []string{`<code id="genome">`, "latency (ms)", "fpga-model/", `<table id="layers"`,
			`<table id="fpga-layers"`, "ZCU102 · shared · int16", `<td class="bound compute">compute</td>`}},
		{"/experiments/9", 404, []string{`no stored run "9"`}},
		{"/experiments/x", 404, []string{`no stored run "x"`}},
		{"/experiments/1/trials/640", 404, []string{`run nb201_zcu102 has no trial "640"`}},
		{"/static/app.js", 200, []string{"function poll"}},
		{"/static/style.css", 200, []string{"table.data"}},
		{"/nothing", 404, nil},
		{"/static/layout.html", 404, nil}, // templates are not served
	}
	for _, c := range cases {
		code, body, hdr := get(t, h, c.target, nil)
		if code != c.code {
			t.Errorf("GET %s: %d, want %d\n%s", c.target, code, c.code, body)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(body, w) {
				t.Errorf("GET %s: no %q in\n%s", c.target, w, body)
			}
		}
		if csp := hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
			t.Errorf("GET %s: Content-Security-Policy %q", c.target, csp)
		}
	}
}

// TestStampFollowsWrites: the stamp pages poll changes when a trial is
// stored, and only then.
func TestStampFollowsWrites(t *testing.T) {
	dir := t.TempDir()
	h, err := New(Options{Store: dir})
	if err != nil {
		t.Fatal(err)
	}
	stamp := func() string {
		code, body, _ := get(t, h, "/api/stamp", nil)
		if code != 200 {
			t.Fatalf("/api/stamp: %d %s", code, body)
		}
		return body
	}
	empty := stamp()
	if code, body, _ := get(t, h, "/", nil); code != 200 || !strings.Contains(body, "No run is stored yet") {
		t.Fatalf("empty store: %d\n%s", code, body)
	}
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	e, _ := st.Experiment("x", "experiment x {}", "h", 1)
	created := stamp()
	if created == empty {
		t.Error("the stamp did not change when a run was stored")
	}
	for i := range 3 {
		if err := st.PutTrial(store.Trial{Experiment: e.ID, Seq: i, Metrics: map[string]float64{"accuracy": 0.5}, Status: store.Trained}); err != nil {
			t.Fatal(err)
		}
		if s := stamp(); s == created || s != stamp() {
			t.Errorf("after trial %d: stamp %s (before %s), want a new, stable one", i, s, created)
		} else {
			created = s
		}
	}
	if code, body, _ := get(t, h, "/experiments/1", nil); code != 200 || !strings.Contains(body, `<span id="trial-count">3</span>`) || !strings.Contains(body, "running") {
		t.Errorf("the running run's page: %d\n%s", code, body)
	}
}

func TestToken(t *testing.T) {
	h, err := New(Options{Store: fixture(t), Token: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		target string
		edit   func(*http.Request)
		code   int
	}{
		{"none", "/", nil, 401},
		{"none on the stamp", "/api/stamp", nil, 401},
		{"none on a script", "/static/app.js", nil, 401},
		{"wrong query", "/?token=s3cre", nil, 401},
		{"longer query", "/?token=s3cret2", nil, 401},
		{"query", "/?token=s3cret", nil, 200},
		{"bearer", "/api/stamp", func(r *http.Request) { r.Header.Set("Authorization", "Bearer s3cret") }, 200},
		{"wrong bearer", "/api/stamp", func(r *http.Request) { r.Header.Set("Authorization", "Bearer nope") }, 401},
		{"cookie", "/experiments/1", func(r *http.Request) { r.AddCookie(&http.Cookie{Name: cookieName, Value: "s3cret"}) }, 200},
		{"wrong cookie", "/experiments/1", func(r *http.Request) { r.AddCookie(&http.Cookie{Name: cookieName, Value: "x"}) }, 401},
		{"any host with the token", "/?token=s3cret", func(r *http.Request) { r.Host = "lab.example.org:8080" }, 200},
	}
	for _, c := range cases {
		code, body, hdr := get(t, h, c.target, c.edit)
		if code != c.code {
			t.Errorf("%s: GET %s: %d, want %d\n%s", c.name, c.target, code, c.code, body)
		}
		if c.name == "query" && !strings.Contains(hdr.Get("Set-Cookie"), cookieName+"=s3cret") {
			t.Errorf("a right ?token= sets no cookie: %q", hdr.Get("Set-Cookie"))
		}
	}
}

// TestLoopbackOnly: without a token, requests for another host name are
// refused (DNS rebinding), loopback names answered.
func TestLoopbackOnly(t *testing.T) {
	h, err := New(Options{Store: fixture(t)})
	if err != nil {
		t.Fatal(err)
	}
	for host, want := range map[string]int{"127.0.0.1:8080": 200, "localhost:8080": 200, "[::1]:8080": 200, "localhost": 200,
		"evil.example:8080": 403, "192.168.1.5:8080": 403} {
		if code, body, _ := get(t, h, "/", func(r *http.Request) { r.Host = host }); code != want {
			t.Errorf("Host %s: %d, want %d\n%s", host, code, want, body)
		}
	}
}

func TestLoopback(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:8080": "true", "127.0.0.2:80": "true", "localhost:0": "true", "[::1]:8080": "true",
		"0.0.0.0:8080": "false", ":8080": "false", "[::]:8080": "false", "192.168.1.2:80": "false", "lab.example.org:80": "false",
		"8080": "error",
	} {
		ok, err := Loopback(addr)
		got := fmt.Sprint(ok)
		if err != nil {
			got = "error"
		}
		if got != want {
			t.Errorf("Loopback(%q) = %v, %v; want %s", addr, ok, err, want)
		}
	}
}

func TestNewToken(t *testing.T) {
	a, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewToken()
	if len(a) != 48 || a == b {
		t.Fatalf("tokens %q and %q: want two different 48-digit ones", a, b)
	}
}

// mkdirTemp makes a directory that outlives one test, for the shared
// fixture; TestMain removes it.
func mkdirTemp() (string, error) { return os.MkdirTemp("", "hwnas-dashboard-") }

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
	os.Exit(code)
}

// TestGolden compares the list of runs and a trial's page with
// testdata/*.golden (go test ./dashboard -update rewrites them), times and
// the store's temporary path blanked.
func TestGolden(t *testing.T) {
	dir := fixture(t)
	h, err := New(Options{Store: dir})
	if err != nil {
		t.Fatal(err)
	}
	blank := strings.NewReplacer(dir, "STORE")
	times := regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d|<td>[0-9.]+(ms|s)</td>|hardware model</th><td>[^<]*`)
	for name, target := range map[string]string{"index.html": "/", "trial.html": "/experiments/1/trials/0", "failed.html": "/experiments/1/trials/5"} {
		code, body, _ := get(t, h, target, nil)
		if code != 200 {
			t.Fatalf("GET %s: %d\n%s", target, code, body)
		}
		golden.Check(t, name+".golden", times.ReplaceAllString(blank.Replace(body), "TIME"))
	}
}
