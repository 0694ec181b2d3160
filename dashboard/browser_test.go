package dashboard

import (
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hwnas/hwnas/dsl"
	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/internal/hwnastest"
)

var screenshot = flag.String("screenshot", "", "save the browser test's screenshot of a run's page to this file, relative to the package (../docs/img/dashboard.png)")

// nb201Spec is the run the browser test watches: NAS-Bench-201 accuracy
// from its table, latency from the FPGA model, so that it takes no time.
const nb201Spec = `
space nb201 = benchmark("nasbench201")
evaluator nb201_table table { benchmark = "nasbench201"  split = "cifar10" }
experiment nb201_zcu102 {
  space = nb201
  evaluator = nb201_table
  platform = "ZCU102"
  maximize accuracy
  minimize latency
  require dsp <= 2000
  strategy nsga2 { population = 16 }
  budget 64 trials
  seed 7
}
`

// runNB201 runs nb201Spec into a store in dir and returns that store.
func runNB201(t *testing.T, dir string) *store.Store {
	t.Helper()
	spec, err := dsl.LoadSource("nb201.hwnas", nb201Spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.FromSpec(spec, "nb201_zcu102")
	if err != nil {
		t.Fatal(err)
	}
	st := hwnastest.OpenStore(t, dir)
	if _, err := engine.Run(context.Background(), e, engine.Options{Store: st}); err != nil {
		t.Fatal(err)
	}
	return st
}

// replay writes the run stored in src into dst as a live run would: the
// experiment, its first trials, then (once watched is closed, so that a
// slow browser start cannot miss the run) one trial every step, then its
// wall time. Every ninth trial is stored as failed, with a reason, as an
// evaluator's crash would be.
func replay(ctx context.Context, t *testing.T, src, dst *store.Store, first int, watched <-chan struct{}, step time.Duration) {
	es, err := src.Experiments("")
	if err != nil || len(es) != 1 {
		t.Errorf("source run: %v %v", es, err)
		return
	}
	rec := es[0]
	trials, err := src.Trials(rec.ID)
	if err != nil {
		t.Error(err)
		return
	}
	live, err := dst.Experiment(rec.Name, rec.Spec, rec.Hash, rec.Seed)
	if err != nil {
		t.Error(err)
		return
	}
	var meta map[string]any
	json.Unmarshal([]byte(rec.Meta), &meta)
	wall := meta["wall_s"]
	delete(meta, "wall_s")
	running, _ := json.Marshal(meta)
	dst.SetMeta(live.ID, string(running))
	for i, tr := range trials {
		tr.Experiment, tr.Created = live.ID, time.Time{}
		if i%9 == 4 {
			tr.Status, tr.Error, tr.Metrics = store.Failed, "command evaluator: exit status 1: CUDA out of memory", map[string]float64{}
		}
		if err := dst.PutTrial(tr); err != nil {
			t.Error(err)
			return
		}
		if i == first {
			select {
			case <-ctx.Done():
				return
			case <-watched:
			}
		}
		if i >= first {
			select {
			case <-ctx.Done():
				return
			case <-time.After(step):
			}
		}
	}
	meta["wall_s"] = wall
	done, _ := json.Marshal(meta)
	dst.SetMeta(live.ID, string(done))
}

// TestBrowser opens the dashboard in headless Chromium while a run writes
// to the store: the run's trial count grows on the page without a reload,
// the table sorts and filters, a trial opens, and the console shows no
// error. Screenshots of a failure are kept (the test log says where).
func TestBrowser(t *testing.T) {
	b := hwnastest.NeedBrowser(t)
	src := runNB201(t, t.TempDir())
	liveDir := t.TempDir()
	dst := hwnastest.OpenStore(t, liveDir)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	watched := make(chan struct{})
	go func() { defer close(done); replay(ctx, t, src, dst, 6, watched, 250*time.Millisecond) }()
	defer func() { cancel(); <-done }()

	h, err := New(Options{Store: liveDir, Poll: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/experiments/") {
			once.Do(func() { close(watched) }) // the browser opened the run
		}
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()
	shots := filepath.Join(os.TempDir(), "hwnas-dashboard-screenshots")
	args := []string{"testdata/browser.py", srv.URL + "/", shots}
	if *screenshot != "" {
		abs, err := filepath.Abs(*screenshot)
		if err != nil {
			t.Fatal(err)
		}
		args = append(args, abs)
	}
	cmd := exec.CommandContext(ctx, b.Python, args...)
	cmd.Env = append(os.Environ(), "HWNAS_CHROMIUM="+b.Chromium, "HWNAS_CHROMEDRIVER="+b.Driver, "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	t.Logf("browser.py:\n%s", out)
	if err != nil {
		t.Fatalf("the browser test failed (%v); screenshots in %s", err, shots)
	}
}
