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
		"--mode multi":                 `--mode "multi": want shared or pipeline`,
		"nosuch":                       `no experiment "nosuch"`,
		"--check 5 --measured " + good: "--check compares a model table",
	} {
		_, err := runCLI(t, append([]string{"lut", lutSpecFile}, strings.Fields(args)...)...)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", args, err, want)
		}
	}
}
