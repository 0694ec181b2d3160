package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestResultsListFormats: with no NAME, --format csv and json list the stored
// runs in that format (scripts read them), not as the table.
func TestResultsListFormats(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "nb.hwnas")
	os.WriteFile(spec, []byte(tableSpec), 0o644)
	st := filepath.Join(dir, "store")
	if out, err := runCLI(t, "run", spec, "-e", "other", "--store", st); err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}

	out, err := runCLI(t, "results", "--store", st, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var runs []struct {
		Experiment string `json:"experiment"`
		Seed       int64  `json:"seed"`
		Trials     int    `json:"trials"`
		SpecHash   string `json:"spec_hash"`
		Created    string `json:"created"`
	}
	if err := json.Unmarshal([]byte(out), &runs); err != nil {
		t.Fatalf("results --format json: %v\n%s", err, out)
	}
	if len(runs) != 1 || runs[0].Experiment != "other" || runs[0].Trials != 4 || runs[0].SpecHash == "" || runs[0].Created == "" {
		t.Fatalf("runs %+v", runs)
	}

	out, err = runCLI(t, "results", "--store", st, "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) != 2 || strings.Join(rows[0], ",") != "experiment,seed,trials,spec_hash,created" || rows[1][0] != "other" || rows[1][2] != "4" {
		t.Fatalf("results --format csv: %v\n%s", err, out)
	}

	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	if out, err := runCLI(t, "results", "--store", empty, "--format", "json"); err != nil || strings.TrimSpace(out) != "[]" {
		t.Fatalf("empty store as json: %v %q", err, out)
	}
}
