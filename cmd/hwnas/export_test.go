package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/export/onnx"
	"github.com/hwnas/hwnas/internal/hwnastest"
	"github.com/hwnas/hwnas/report"
)

// runTiny runs exportSpec into a new store and returns the spec and store paths.
func runTiny(t *testing.T) (spec, st string) {
	t.Helper()
	dir := t.TempDir()
	spec, st = filepath.Join(dir, "tiny.hwnas"), filepath.Join(dir, "store")
	os.WriteFile(spec, []byte(hwnastest.ExportSpec), 0o644)
	if out, err := runCLI(t, "run", spec, "--store", st); err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	return spec, st
}

// TestExportTrial: a trained trial is exported with its weights retrained
// bit for bit (export checks the accuracy); its HLS C++ passes C simulation;
// python3-onnx's checker accepts the ONNX file, and the reference evaluator
// runs it on MNIST images.
func TestExportTrial(t *testing.T) {
	spec, st := runTiny(t)
	path, hlsDir := filepath.Join(t.TempDir(), "t1.onnx"), filepath.Join(t.TempDir(), "hls")
	out, err := runCLI(t, "export", "tiny", "1", "--spec", spec, "--store", st, "--onnx", path, "--hls", hlsDir)
	if err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	if !strings.Contains(out, "16-bit fixed point") {
		t.Errorf("export --hls did not say what it wrote:\n%s", out)
	}
	if _, err := exec.LookPath("g++"); err != nil && os.Getenv("CI") == "true" {
		t.Fatal("CI=true and g++ is missing")
	} else if err == nil {
		if o, err := exec.Command("make", "-s", "-C", hlsDir, "csim").CombinedOutput(); err != nil || !strings.Contains(string(o), "10 images, 0 outputs differ") {
			t.Fatalf("make csim: %v\n%s", err, o)
		}
	}
	for _, f := range []string{"README.md", "design.json", "hwnas_engine.h"} {
		if _, err := os.Stat(filepath.Join(hlsDir, f)); err != nil {
			t.Error(err)
		}
	}
	if !strings.Contains(out, "trained again with the run's seed") || !strings.Contains(out, "as stored") {
		t.Errorf("export did not say the weights were retrained:\n%s", out)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Without --spec, export rebuilds the experiment from the spec the
	// store kept with the run: the same model, byte for byte.
	stored := filepath.Join(t.TempDir(), "stored.onnx")
	if out, err := runCLI(t, "export", "tiny", "1", "--store", st, "--onnx", stored); err != nil {
		t.Fatalf("export without --spec: %v\n%s", err, out)
	}
	if b2, err := os.ReadFile(stored); err != nil || !bytes.Equal(b, b2) {
		t.Errorf("export without --spec wrote another model (%v)", err)
	}
	m, err := onnx.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	// The run measured test_accuracy on the test subset the engine draws
	// with the seed + 2 (engine.TrainEvaluator); the exported model, given
	// those raw images, must classify them the same.
	sub := hwnastest.MNISTTest(t, 100, 2+2)
	logits, dims, err := m.Run(sub.X, []int{100, 1, 28, 28})
	if err != nil || dims[0] != 100 || dims[1] != 10 {
		t.Fatalf("running the export: %v, output %v", err, dims)
	}
	correct := 0
	for i := range 100 {
		z := logits[i*10 : (i+1)*10]
		best := 0
		for k, v := range z {
			if v > z[best] {
				best = k
			}
		}
		if best == int(sub.Y[i]) {
			correct++
		}
	}
	res, err := runCLI(t, "results", "tiny", "--store", st, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var j report.JSONOutcome
	if err := json.Unmarshal([]byte(res), &j); err != nil || len(j.Trials) != 2 {
		t.Fatalf("results --format json: %v\n%s", err, res)
	}
	if got, want := float64(correct)/100, j.Trials[1].Metrics["test_accuracy"]; got != want {
		t.Errorf("the exported model classifies %v of the run's test images right; the run measured %v", got, want)
	}
	py := hwnastest.NeedPython(t, "onnx")
	if o, err := exec.Command(py, "-c", "import sys, onnx; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)", path).CombinedOutput(); err != nil {
		t.Fatalf("onnx checker: %v\n%s", err, o)
	}
}

// TestExportErrors: every bad request is one clear line.
func TestExportErrors(t *testing.T) {
	spec, st := runTiny(t)
	other := filepath.Join(t.TempDir(), "other.hwnas")
	os.WriteFile(other, []byte(strings.Replace(hwnastest.ExportSpec, "train = 300", "train = 200", 1)), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"tiny", "0", "--spec", spec, "--store", st}, "nothing to write"},
		{[]string{"tiny", "x", "--spec", spec, "--store", st, "--onnx", "a.onnx"}, `trial id "x"`},
		{[]string{"tiny", "7", "--spec", spec, "--store", st, "--onnx", "a.onnx"}, "has no trial 7 (stored: 2 trials, ids 0 to 1)"},
		{[]string{"tiny", "0", "--spec", other, "--store", st, "--onnx", "a.onnx"}, "not the one the stored run came from"},
		{[]string{"nope", "0", "--spec", spec, "--store", st, "--onnx", "a.onnx"}, `no experiment "nope"`},
	} {
		out, err := runCLI(t, append([]string{"export"}, c.args...)...)
		if err == nil || !strings.Contains(err.Error()+out, c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("export %v: %v %s, want one line with %q", c.args, err, out, c.want)
		}
	}
}

// coexploreSpec searches two boards, their partition, tiling and
// precision with the network.
const coexploreSpec = `
space tinyspace {
  input 28x28x1
  batchnorm = true
  repeat 3 {
    conv { kernel in {3, 5}  filters in {4, 8}  stride in {1, 2} }
  }
  head flatten, dense(10)
}
dataset small {
  source = builtin("mnist")
  train = 300  val = 100  test = 100
  epochs = 1  batch = 32
}
experiment co {
  space = tinyspace  dataset = small
  hardware search {
    devices in {"ZCU102", "ZC706"}
    link = 10 Gb/s
    precision in {int8, int16}
    partition = true
    tiling = true
  }
  maximize accuracy
  maximize throughput
  reward mnasnet { metric = latency  target = 1 ms }
  strategy coexplore { hidden = 8  hw_tries = 4 }
  budget 4 trials
  seed 5
}
`

// TestExportCoexplore: a co-exploration trial, whose design comes from its
// hardware genes, exports as HLS C++ that passes C simulation.
func TestExportCoexplore(t *testing.T) {
	dir := t.TempDir()
	spec, st := filepath.Join(dir, "co.hwnas"), filepath.Join(dir, "store")
	os.WriteFile(spec, []byte(coexploreSpec), 0o644)
	if out, err := runCLI(t, "run", spec, "--store", st); err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	hlsDir := filepath.Join(dir, "hls")
	var out string
	var err error
	for id := range 4 {
		if out, err = runCLI(t, "export", "co", strconv.Itoa(id), "--spec", spec, "--store", st, "--hls", hlsDir); err == nil && strings.Contains(out, "trained again") {
			break
		}
	}
	if err != nil || !strings.Contains(out, "trained again") {
		t.Fatalf("no trial exported with trained weights: %v\n%s", err, out)
	}
	if o, err := exec.Command("make", "-s", "-C", hlsDir, "csim").CombinedOutput(); err != nil || !strings.Contains(string(o), "0 outputs differ") {
		t.Fatalf("make csim: %v\n%s\n%s", err, out, o)
	}
}
