package store

import (
	"bufio"
	"database/sql"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary act as a helper process: with
// HWNAS_STORE_HELPER set it runs that helper instead of the tests.
func TestMain(m *testing.M) {
	switch os.Getenv("HWNAS_STORE_HELPER") {
	case "":
		os.Exit(m.Run())
	case "writer":
		os.Exit(helperWriter())
	default:
		fmt.Fprintln(os.Stderr, "unknown helper", os.Getenv("HWNAS_STORE_HELPER"))
		os.Exit(2)
	}
}

// helperWriter writes HWNAS_N trials (forever if 0) to experiment HWNAS_NAME
// of the store HWNAS_DIR, printing "committed SEQ" after each one is durable.
func helperWriter() int {
	dir, name := os.Getenv("HWNAS_DIR"), os.Getenv("HWNAS_NAME")
	n, _ := strconv.Atoi(os.Getenv("HWNAS_N"))
	s, err := Open(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer s.Close()
	e, err := s.Experiment(name, "spec", "hash", 1)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for i := 0; n == 0 || i < n; i++ {
		key := fmt.Sprintf("%s-net%d", name, i)
		if err := s.PutAccuracy(AccuracyKey{key, "mnist", "f", 1}, map[string]float64{"accuracy": 0.5}, 1); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if err := s.PutTrial(Trial{Experiment: e.ID, Seq: i, Genome: []int{i}, NetworkKey: key, Status: Trained,
			Metrics: map[string]float64{"accuracy": float64(i)}}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Printf("committed %d\n", i)
	}
	return 0
}

func helper(t *testing.T, dir, name string, n int) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "HWNAS_STORE_HELPER=writer", "HWNAS_DIR="+dir, "HWNAS_NAME="+name, "HWNAS_N="+strconv.Itoa(n))
	return cmd
}

func TestRoundTrip(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	e, err := s.Experiment("fnas", "experiment fnas {}", "abc", 7)
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.Experiment("fnas", "experiment fnas {}", "abc", 7)
	if err != nil || again.ID != e.ID {
		t.Fatalf("same name/hash/seed gave id %d (err %v), want %d", again.ID, err, e.ID)
	}
	other, _ := s.Experiment("fnas", "experiment fnas {}", "abc", 8)
	if other.ID == e.ID {
		t.Fatal("another seed reused the experiment")
	}
	trials := []Trial{
		{Experiment: e.ID, Seq: 0, Genome: []int{1, 2}, NetworkKey: "k0", Network: "4 layers", Design: "d0",
			Metrics: map[string]float64{"accuracy": 0.9, "latency_ms": 3.5}, Status: Trained, HardwareS: 0.001, EvalS: 12},
		{Experiment: e.ID, Seq: 1, Genome: []int{0, 0}, NetworkKey: "k1", Metrics: map[string]float64{"latency_ms": 30},
			Status: Pruned},
		{Experiment: e.ID, Seq: 2, Genome: []int{2, 2}, NetworkKey: "k2", Metrics: map[string]float64{}, Status: Failed,
			Error: "exit status 1: out of memory"},
	}
	for _, tr := range trials {
		if err := s.PutTrial(tr); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Trials(e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(trials) {
		t.Fatalf("got %d trials, want %d", len(got), len(trials))
	}
	for i := range got {
		got[i].Created = time.Time{}
		if !reflect.DeepEqual(got[i], trials[i]) {
			t.Errorf("trial %d:\n got %+v\nwant %+v", i, got[i], trials[i])
		}
	}
	list, err := s.Experiments("fnas")
	if err != nil || len(list) != 2 {
		t.Fatalf("Experiments = %v, %v; want 2", list, err)
	}
	if err := s.SetMeta(e.ID, `{"objectives":[]}`); err != nil {
		t.Fatal(err)
	}
	list, _ = s.Experiments("fnas")
	for _, x := range list {
		if want := map[bool]string{true: `{"objectives":[]}`, false: "{}"}[x.ID == e.ID]; x.Meta != want {
			t.Errorf("experiment %d meta %q, want %q", x.ID, x.Meta, want)
		}
	}
}

func TestPutTrialRejects(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cases := []struct {
		name  string
		trial Trial
		want  string
	}{
		{"status", Trial{Status: "done"}, `unknown status "done"`},
		{"nan", Trial{Status: Trained, Metrics: map[string]float64{"accuracy": math.NaN()}}, "metric accuracy = NaN is not a finite number"},
		{"inf", Trial{Status: Trained, Metrics: map[string]float64{"latency_ms": math.Inf(1)}}, "metric latency_ms = +Inf"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := s.PutTrial(c.trial)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
	if _, err := s.Experiment("", "", "", 0); err == nil {
		t.Fatal("empty experiment name accepted")
	}
}

func TestCaches(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ak := AccuracyKey{"net", "mnist", "train=6000 epochs=1", 1}
	if _, _, ok, err := s.Accuracy(ak); ok || err != nil {
		t.Fatalf("empty cache hit: %v %v", ok, err)
	}
	if err := s.PutAccuracy(ak, map[string]float64{"accuracy": 0.97}, 42); err != nil {
		t.Fatal(err)
	}
	m, evalS, ok, err := s.Accuracy(ak)
	if !ok || err != nil || m["accuracy"] != 0.97 || evalS != 42 {
		t.Fatalf("Accuracy = %v %v %v %v", m, evalS, ok, err)
	}
	for _, miss := range []AccuracyKey{{"net", "mnist", "train=6000 epochs=1", 2}, {"net", "cifar", "train=6000 epochs=1", 1},
		{"net", "mnist", "train=6000 epochs=2", 1}, {"other", "mnist", "train=6000 epochs=1", 1}} {
		if _, _, ok, _ := s.Accuracy(miss); ok {
			t.Errorf("%+v hit the cache of %+v", miss, ak)
		}
	}
	hk := HardwareKey{"net", "PYNQ-Z1 int16", "fpga-1"}
	if err := s.PutHardware(hk, "pipeline tm=3", map[string]float64{"latency_ms": 4.8}); err != nil {
		t.Fatal(err)
	}
	d, hm, ok, err := s.Hardware(hk)
	if !ok || err != nil || d != "pipeline tm=3" || hm["latency_ms"] != 4.8 {
		t.Fatalf("Hardware = %q %v %v %v", d, hm, ok, err)
	}
	if _, _, ok, _ := s.Hardware(HardwareKey{"net", "PYNQ-Z1 int16", "fpga-2"}); ok {
		t.Error("a new model version hit the old estimate")
	}
	a, h, err := s.CacheCounts()
	if a != 1 || h != 1 || err != nil {
		t.Fatalf("CacheCounts = %d %d %v", a, h, err)
	}
}

func TestMigratesForward(t *testing.T) {
	dir := t.TempDir()
	// Build a version-1 store by hand, as an older hwnas would have left it.
	db, err := sql.Open("sqlite", filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`CREATE TABLE schema_version (version INTEGER NOT NULL)`, `INSERT INTO schema_version VALUES (1)`, migrations[0],
		`INSERT INTO experiments(name, spec, hash, seed, created) VALUES ('old', 's', 'h', 1, '2026-01-01T00:00:00Z')`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := s.Version(); v != SchemaVersion || err != nil {
		t.Fatalf("version = %d %v, want %d", v, err, SchemaVersion)
	}
	if list, err := s.Experiments("old"); err != nil || len(list) != 1 {
		t.Fatalf("old experiment lost in migration: %v %v", list, err)
	}
	s.Close()

	// A store from a newer hwnas is refused with a clear message.
	db, _ = sql.Open("sqlite", filepath.Join(dir, FileName))
	db.Exec(`UPDATE schema_version SET version = 99`)
	db.Close()
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "schema version 99 is newer") {
		t.Fatalf("err = %v, want a newer-schema error", err)
	}

	// A version no hwnas wrote is refused, not a panic.
	db, _ = sql.Open("sqlite", filepath.Join(dir, FileName))
	if _, err := db.Exec(`UPDATE schema_version SET version = -3`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "store "+filepath.Join(dir, FileName)+": schema version -3 is not one hwnas wrote") {
		t.Fatalf("err = %v, want a clear error for schema version -3", err)
	}
}

// TestKillLosesNothing kills a writer with SIGKILL mid-run: every trial it
// reported as committed is in the store, and the store is intact.
func TestKillLosesNothing(t *testing.T) {
	dir := t.TempDir()
	cmd := helper(t, dir, "killed", 0)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	last := -1
	for sc.Scan() && last < 20 {
		fmt.Sscanf(sc.Text(), "committed %d", &last)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	for sc.Scan() { // lines already written before the kill count too
		fmt.Sscanf(sc.Text(), "committed %d", &last)
	}
	cmd.Wait()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.IntegrityCheck(); err != nil {
		t.Fatal(err)
	}
	es, err := s.Experiments("killed")
	if err != nil || len(es) != 1 {
		t.Fatalf("experiments = %v %v", es, err)
	}
	trials, err := s.Trials(es[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(trials) < last+1 {
		t.Fatalf("%d trials stored, but the writer reported %d committed", len(trials), last+1)
	}
}

// TestTwoProcesses runs two writers on one store at once: neither fails on a
// lock and every write of both is there.
func TestTwoProcesses(t *testing.T) {
	dir := t.TempDir()
	const n = 60
	var wg sync.WaitGroup
	errs := make([]error, 2)
	outs := make([][]byte, 2)
	for p := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := helper(t, dir, fmt.Sprintf("proc%d", p), n)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			outs[p], errs[p] = cmd.Output()
			if errs[p] != nil {
				errs[p] = fmt.Errorf("%w: %s", errs[p], stderr.String())
			}
		}()
	}
	wg.Wait()
	for p, err := range errs {
		if err != nil {
			t.Fatalf("process %d: %v", p, err)
		}
	}
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.IntegrityCheck(); err != nil {
		t.Fatal(err)
	}
	for p := range 2 {
		es, err := s.Experiments(fmt.Sprintf("proc%d", p))
		if err != nil || len(es) != 1 {
			t.Fatalf("process %d experiments = %v %v", p, es, err)
		}
		trials, _ := s.Trials(es[0].ID)
		if len(trials) != n {
			t.Errorf("process %d: %d trials stored, want %d", p, len(trials), n)
		}
	}
	if a, _, _ := s.CacheCounts(); a != 2*n {
		t.Errorf("accuracy cache holds %d entries, want %d", a, 2*n)
	}
}

// TestBusy: the driver's busy error is recognised by its code, wrapped or
// not, and a write that finds the store locked waits for the lock rather
// than failing.
func TestBusy(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rawOpen := func() *sql.DB {
		db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, FileName)+"?_pragma=busy_timeout(0)")
		if err != nil {
			t.Fatal(err)
		}
		db.SetMaxOpenConns(1)
		t.Cleanup(func() { db.Close() })
		return db
	}
	holder := rawOpen()
	if _, err := holder.Exec("BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	_, lockErr := rawOpen().Exec("BEGIN IMMEDIATE")
	if lockErr == nil {
		t.Fatal("a second writer got the lock")
	}
	_, syntaxErr := holder.Exec("NOT SQL")
	for _, c := range []struct {
		err  error
		want bool
	}{
		{lockErr, true},
		{fmt.Errorf("put trial: %w", lockErr), true},
		{syntaxErr, false},
		{nil, false},
	} {
		if got := busy(c.err); got != c.want {
			t.Errorf("busy(%v) = %v, want %v", c.err, got, c.want)
		}
	}

	time.AfterFunc(200*time.Millisecond, func() { holder.Exec("COMMIT") })
	if _, err := s.Experiment("busy", "", "", 0); err != nil {
		t.Fatalf("writing to a store locked for 200 ms: %v", err)
	}
}

func BenchmarkPutTrial(b *testing.B) {
	s, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	e, _ := s.Experiment("bench", "", "", 0)
	for i := 0; b.Loop(); i++ {
		if err := s.PutTrial(Trial{Experiment: e.ID, Seq: i, Genome: []int{1, 2, 3}, Status: Trained,
			Metrics: map[string]float64{"accuracy": 0.9, "latency_ms": 4}}); err != nil {
			b.Fatal(err)
		}
	}
}
