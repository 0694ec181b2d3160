package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/engine"
)

// TestProgressArchEpoch prints an epoch of a differentiable search as one
// line with each position's most likely candidate; with --probabilities,
// the table of every candidate's probability under it.
func TestProgressArchEpoch(t *testing.T) {
	a := &engine.ArchEpoch{Strategy: "proxyless", Sweep: "target=0.3", Epoch: 2, Epochs: 8, LatencyMs: 0.31, TargetMs: 0.3,
		Positions: []engine.ArchPosition{{Name: "layer2", Candidates: []string{"mbconv(expand=1 kernel=3)", "skip"}, Probs: []float64{0.4, 0.6}}}}
	line := "[0] proxyless target=0.3 epoch 2/8: loss 0.0000 (CE 0.0000), E[latency] 0.31 ms (target 0.3 ms), 0.0 s; layer2 skip 60%\n"
	table := "  candidate                  layer2\n" +
		"  mbconv(expand=1 kernel=3)     40%\n" +
		"  skip                          60%*\n"
	for _, c := range []struct {
		probs bool
		want  string
	}{{false, line}, {true, line + table}} {
		var b bytes.Buffer
		p := &runProgress{w: &b, probs: c.probs}
		p.event(engine.Event{Kind: engine.DiffEpoch, Arch: a, Note: a.Line(), BestTrial: -1})
		if got := b.String(); got != c.want {
			t.Errorf("probs %t: printed\n%s\nwant\n%s", c.probs, got, c.want)
		}
	}
}

// tinyDiffSpec is a proxyless search of two positions on 64 MNIST images.
const tinyDiffSpec = `
space tiny {
  input 28x28x1
  conv { kernel = 3  filters = 8  stride = 2 }
  repeat 2 {
    choice {
      mbconv { expand in {1, 3}  kernel = 3  filters = 8 }
      skip
    }
  }
  head gap, dense(10)
}
dataset mnist { source = builtin("mnist")  train = 64  val = 32  test = 32  epochs = 1  batch = 16 }
evaluator shared supernet { bn_batches = 1 }
experiment px {
  space = tiny
  dataset = mnist
  evaluator = shared
  platform = "PYNQ-Z1"
  maximize accuracy
  require latency <= 0.1 ms
  strategy proxyless { epochs = 3  warmup = 1 }
  budget 1 trial
  seed 1
}
`

// TestRunDifferentiablePrints: hwnas run prints a differentiable search's
// epochs one line each, then the distribution its child was derived from
// and a probabilities plot; a second run trains nothing and prints the
// same distribution from the store; hwnas plot --kind probabilities draws
// it, and refuses an experiment without a differentiable search.
func TestRunDifferentiablePrints(t *testing.T) {
	dir := t.TempDir()
	spec, st := filepath.Join(dir, "px.hwnas"), filepath.Join(dir, "store")
	os.WriteFile(spec, []byte(tinyDiffSpec), 0o644)
	var tables [2]string
	for run := range 2 {
		out, err := runCLI(t, "run", spec, "--store", st)
		if err != nil {
			t.Fatalf("run %d: %v\n%s", run+1, err, out)
		}
		if n, want := strings.Count(out, "proxyless epoch "), []int{3, 0}[run]; n != want {
			t.Errorf("run %d printed %d epoch lines, want %d:\n%s", run+1, n, want, out)
		}
		if strings.Contains(out, "  candidate ") && strings.Count(out, "  candidate ") != 1 {
			t.Errorf("run %d printed the table %d times, want once (the last epoch's):\n%s", run+1, strings.Count(out, "  candidate "), out)
		}
		_, after, ok := strings.Cut(out, "proxyless: p = softmax(θ) after epoch 3/3")
		tables[run], _, _ = strings.Cut(after, "experiment px")
		if !ok || !strings.Contains(tables[run], "  skip ") || !strings.Contains(out, "probabilities plot: "+filepath.Join(st, "plots", "px-probabilities.svg")) {
			t.Fatalf("run %d: no derived distribution or probabilities plot:\n%s", run+1, out)
		}
	}
	if tables[0] != tables[1] {
		t.Errorf("the re-run's distribution\n%s\ndiffers from the run's\n%s", tables[1], tables[0])
	}
	file := filepath.Join(dir, "p.svg")
	if out, err := runCLI(t, "plot", "--store", st, "--kind", "probabilities", "-o", file, "px"); err != nil {
		t.Fatalf("plot: %v\n%s", err, out)
	}
	if b, err := os.ReadFile(file); err != nil || !strings.Contains(string(b), "layer2, epoch 3: skip") {
		t.Errorf("the probabilities plot lacks layer2's last epoch: %v", err)
	}
	os.WriteFile(spec, []byte(tableSpec), 0o644)
	if out, err := runCLI(t, "run", spec, "-e", "nbz", "--store", st); err != nil {
		t.Fatalf("run nbz: %v\n%s", err, out)
	}
	if _, err := runCLI(t, "plot", "--store", st, "--kind", "probabilities", "nbz"); exitCode(err) != 1 || !strings.Contains(err.Error(), "experiment nbz has no differentiable search") {
		t.Errorf("plot of nbz's probabilities: %v", err)
	}
}
