package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/internal/golden"
)

const lutSpecFile = "../../examples/oneshot_mnist.hwnas"

func TestLutGolden(t *testing.T) {
	out, err := runCLI(t, "lut", lutSpecFile, "--check", "50")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "lut_oneshot_pynq.golden", out)
	out, err = runCLI(t, "lut", lutSpecFile, "--mode", "pipeline", "--check", "50")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "lut_oneshot_pynq_pipeline.golden", out)
	out, err = runCLI(t, "lut", lutSpecFile, "oneshot", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var tb struct {
		Mode      string
		Positions []struct{ Name string }
	}
	if err := json.Unmarshal([]byte(out), &tb); err != nil || tb.Mode != "shared" || len(tb.Positions) != 7 {
		t.Fatalf("--json: %v %+v", err, tb)
	}
}

// TestLutMeasured: the CSV --csv prints reads back with --measured; a bad
// row is reported at its file, line and column.
func TestLutMeasured(t *testing.T) {
	csv, err := runCLI(t, "lut", lutSpecFile, "--csv")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.csv"), filepath.Join(dir, "bad.csv")
	os.WriteFile(good, []byte(csv), 0o644)
	os.WriteFile(bad, []byte(strings.Replace(csv, "layer3,skip,0", "layer3,skip,fast", 1)), 0o644)
	out, err := runCLI(t, "lut", lutSpecFile, "--measured", good)
	if err != nil || !strings.Contains(out, "PYNQ-Z1: shared, measured") {
		t.Fatalf("--measured: %v\n%s", err, out)
	}
	if _, err := runCLI(t, "lut", lutSpecFile, "--measured", bad); err == nil || !strings.HasSuffix(err.Error(), `bad.csv:22:13: "fast" is not a number of zero or more`) {
		t.Fatalf("bad row: %v", err)
	}
	for args, want := range map[string]string{
		"--json --csv":                 "--json and --csv exclude each other",
		"--mode multi":                 `--mode "multi": want shared or pipeline (multi is a pool's)`,
		"nosuch":                       `no experiment "nosuch"`,
		"--check 5 --measured " + good: "--check compares a model table",
	} {
		_, err := runCLI(t, append([]string{"lut", lutSpecFile}, strings.Fields(args)...)...)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", args, err, want)
		}
	}
}

// TestLutPool: an experiment on a pool gets the multi-FPGA table, whose
// --check compares it with each child's own optimised partition too; a
// platform's --mode does not apply to it.
func TestLutPool(t *testing.T) {
	b, err := os.ReadFile(lutSpecFile)
	if err != nil {
		t.Fatal(err)
	}
	spec := strings.Replace(string(b), `platform = "PYNQ-Z1"`, `hardware pool { "PYNQ-Z1" x 2  link = 10 Gb/s  precision = int16 }`, 1)
	file := filepath.Join(t.TempDir(), "pool.hwnas")
	os.WriteFile(file, []byte(spec), 0o644)
	out, err := runCLI(t, "lut", file, "--check", "20")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"latency table of space mobile on PYNQ-Z1+PYNQ-Z1 link=1.25GB/s: multi, model",
		"design: layer1–layer3 on PYNQ-Z1 <96,2,7,7>; layer4–fixed on PYNQ-Z1 <48,4,7,7>",
		"latency error mean 0.00%, max 0.00%", "against each child's own optimised partition mean"} {
		if !strings.Contains(out, want) {
			t.Errorf("hwnas lut on a pool lacks %q:\n%s", want, out)
		}
	}
	if _, err := runCLI(t, "lut", file, "--mode", "pipeline"); err == nil || !strings.Contains(err.Error(), "runs on a pool, whose table is multi") {
		t.Errorf("--mode pipeline on a pool: %v", err)
	}
}
