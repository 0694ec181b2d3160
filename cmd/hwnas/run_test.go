package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/report"
)

// The built-in demo is examples/fnas_mnist.hwnas: one source of truth.
func TestDemoMatchesExample(t *testing.T) {
	b, err := os.ReadFile("../../examples/fnas_mnist.hwnas")
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != demoSpec {
		t.Fatal("cmd/hwnas/demo/fnas_mnist.hwnas differs from examples/fnas_mnist.hwnas: copy the example over it")
	}
	if _, err := loadRunSpec(""); err != nil {
		t.Fatalf("the built-in demo does not check: %v", err)
	}
}

const tableSpec = `
space nb201 = benchmark("nasbench201")
evaluator tab table { benchmark = "nasbench201"  split = "cifar10" }
experiment nbz {
  space = nb201
  evaluator = tab
  platform = "ZCU102"
  maximize accuracy
  minimize latency
  require dsp <= 2000
  strategy nsga2 { population = 8 }
  budget 16 trials
  parallel 2
  seed 3
}
experiment other {
  space = nb201
  evaluator = tab
  platform = "PYNQ-Z1"
  maximize accuracy
  budget 4 trials
}
`

func TestRunResultsPlot(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "nb.hwnas")
	os.WriteFile(spec, []byte(tableSpec), 0o644)
	st := filepath.Join(dir, "store")

	out, err := runCLI(t, "run", spec, "-e", "nbz", "--store", st, "--json")
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	var j report.JSONOutcome
	if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &j); err != nil {
		t.Fatalf("run --json: %v\n%s", err, out)
	}
	c, sum := j.Counts, 0
	for _, n := range c {
		sum += n // every status and resumed: they add up to the trials
	}
	if len(j.Trials) != 16 || sum != 16 || c["looked_up"] != 16 || len(j.Pareto) == 0 || j.SpecHash == "" {
		t.Fatalf("run --json: %d trials, counts %v, pareto %v, hash %q", len(j.Trials), c, j.Pareto, j.SpecHash)
	}
	if acc := j.Trials[0].Metrics["accuracy"]; acc <= 0 || acc > 1 {
		t.Fatalf("accuracy %g is not a fraction", acc)
	}

	// Again: everything comes from the store; a new seed is a new run.
	out, err = runCLI(t, "run", spec, "-e", "nbz", "--store", st)
	if err != nil || !strings.Contains(out, "(16 resumed from the store)") || !strings.Contains(out, "Pareto front") ||
		!strings.Contains(out, "nbz-pareto.svg") {
		t.Fatalf("re-run: %v\n%s", err, out)
	}
	out, err = runCLI(t, "run", spec, "-e", "nbz", "--store", st, "--seed", "4", "--budget", "8", "--parallel", "1")
	if err != nil || strings.Contains(out, "resumed") || !strings.Contains(out, "8 trials") {
		t.Fatalf("new seed: %v\n%s", err, out)
	}

	out, err = runCLI(t, "results", "nbz", "--store", st, "--format", "csv")
	if err != nil || len(strings.Split(strings.TrimSpace(out), "\n")) != 9 { // the latest run: 8 trials + header
		t.Fatalf("results csv: %v\n%s", err, out)
	}
	out, err = runCLI(t, "results", "--store", st)
	if err != nil || strings.Count(out, "nbz ") != 2 || !strings.Contains(out, "spec hash") {
		t.Fatalf("results list: %v\n%s", err, out)
	}
	out, err = runCLI(t, "results", "nbz", "--store", st)
	if err != nil || !strings.Contains(out, "All trials") {
		t.Fatalf("results table: %v\n%s", err, out)
	}
	// Another board: --rescore re-scores the stored trials, training nothing.
	os.WriteFile(spec, []byte(strings.Replace(tableSpec, `platform = "ZCU102"`, `platform = "ZC706"`, 1)), 0o644)
	out, err = runCLI(t, "run", spec, "-e", "nbz", "--store", st, "--rescore")
	if err != nil || !strings.Contains(out, "8 trials: 0 trained") {
		t.Fatalf("rescore: %v\n%s", err, out)
	}

	png := filepath.Join(dir, "front.png")
	if out, err = runCLI(t, "plot", "nbz", "--store", st, "-o", png); err != nil {
		t.Fatalf("plot: %v\n%s", err, out)
	}
	if fi, err := os.Stat(png); err != nil || fi.Size() < 1000 {
		t.Fatalf("plot file: %v", err)
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "nb.hwnas")
	os.WriteFile(spec, []byte(tableSpec), 0o644)
	st := filepath.Join(dir, "store")
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"run", spec, "--store", st}, 2, "declares 2 experiments and runs none: pick one with -e (nbz, other)"},
		{[]string{"run", spec, "-e", "nope", "--store", st}, 2, `no experiment "nope" (declared: nbz, other)`},
		{[]string{"run", spec, "-e", "nbz", "--budget", "0", "--store", st}, 2, "--budget 0"},
		{[]string{"run", spec, "-e", "nbz", "--executor", "carrier-pigeon", "--store", st}, 2, `unknown executor "carrier-pigeon"`},
		{[]string{"run", spec, "-e", "nbz", "--executor", "embedded", "--workers", "-1", "--store", st}, 2, "--workers -1"},
		{[]string{"run", filepath.Join(dir, "missing.hwnas"), "--store", st}, 1, "no such file"},
		{[]string{"results", "nbz", "--store", filepath.Join(dir, "nostore")}, 1, "no result store"},
		{[]string{"results", "nbz", "--store", st, "--format", "xml"}, 2, `--format "xml"`},
		{[]string{"plot", "nbz", "--store", st, "-o", filepath.Join(dir, "x.gif")}, 1, ""},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args[:2], " "), func(t *testing.T) {
			out, err := runCLI(t, c.args...)
			if exitCode(err) != c.code || err != nil && !strings.Contains(err.Error(), c.want) {
				t.Fatalf("exit %d (%v), want %d with %q\n%s", exitCode(err), err, c.code, c.want, out)
			}
		})
	}
}

// TestRunSpecExecutor checks that an experiment's `executor` setting is
// where its evaluations go, and that --executor overrides it: the spec names
// a NATS server where none listens, so the run must fail on it, unless the
// command line says local.
func TestRunSpecExecutor(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "ex.hwnas")
	src := strings.Replace(tableSpec, "  seed 3\n", "  seed 3\n  executor = \"nats://127.0.0.1:1\"\n", 1)
	if src == tableSpec {
		t.Fatal("the executor line was not inserted")
	}
	os.WriteFile(spec, []byte(src), 0o644)
	st := filepath.Join(dir, "store")
	out, err := runCLI(t, "run", spec, "-e", "nbz", "--budget", "4", "--store", st)
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "nats://127.0.0.1:1") {
		t.Fatalf("exit %d (%v), want 2 naming the spec's executor\n%s", exitCode(err), err, out)
	}
	out, err = runCLI(t, "run", spec, "-e", "nbz", "--budget", "4", "--store", st, "--executor", "local")
	if err != nil {
		t.Fatalf("--executor local: %v\n%s", err, out)
	}
}

// failSpec's evaluator is a program that is not there: every trial fails.
const failSpec = `
space nb201 = benchmark("nasbench201")
evaluator broken command { run = "/nonexistent/trainer --epochs 1" }
dataset cifar { source = builtin("mnist") }
experiment doomed {
  space = nb201
  evaluator = broken
  dataset = cifar
  platform = "ZCU102"
  maximize accuracy
  budget 5 trials
}
`

// A run whose every trial failed exits 1 and says why, counted by reason.
func TestRunAllTrialsFailed(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "fail.hwnas")
	os.WriteFile(spec, []byte(failSpec), 0o644)
	out, err := runCLI(t, "run", spec, "-e", "doomed", "--store", filepath.Join(dir, "store"))
	if exitCode(err) != 1 || !strings.Contains(err.Error(), "doomed: all 5 trials failed: 5 × command:/nonexistent/trainer --epochs 1 evaluator: ") ||
		!strings.Contains(err.Error(), "no such file") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("exit %d (%v), want 1 with the reasons counted on one line\n%s", exitCode(err), err, out)
	}
	if !strings.Contains(out, "5 failed") {
		t.Fatalf("the summary is not printed before the error:\n%s", out)
	}
}

// A spec that passes check but whose networks cannot train on this machine
// (here: under GOMEMLIMIT 1 GiB) fails every trial with both numbers and
// exits 1, rather than dying out of memory.
func TestRunTooLargeNetworks(t *testing.T) {
	old := debug.SetMemoryLimit(1 << 30)
	defer debug.SetMemoryLimit(old)
	dir := t.TempDir()
	spec := filepath.Join(dir, "wide.hwnas")
	os.WriteFile(spec, []byte(strings.Replace(wideSpec, "batch = 64", "batch = 1000000000", 1)), 0o644)
	out, err := runCLI(t, "run", spec, "--store", filepath.Join(dir, "store"))
	if exitCode(err) != 1 || !strings.Contains(err.Error(), "all 2 trials failed") ||
		!strings.Contains(err.Error(), "TiB for batch 1000000000") || !strings.Contains(err.Error(), "over the memory limit of 768.0 MiB") {
		t.Fatalf("exit %d (%v)\n%s", exitCode(err), err, out)
	}
}

func TestOneshotSpecMatchesExample(t *testing.T) {
	b, err := os.ReadFile("../../examples/oneshot_mnist.hwnas")
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != oneshotSpec {
		t.Fatal("cmd/hwnas/demo/oneshot_mnist.hwnas differs from examples/oneshot_mnist.hwnas: copy the example over it")
	}
}
