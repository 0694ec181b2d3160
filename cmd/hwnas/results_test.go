package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io/fs"
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

// TestResultsReadOnlyStore: hwnas results reads a store made read-only
// (chmod -R a-w, as on read-only media) and writes nothing to it: no
// migration, no -wal or -shm file, even as root, whom the mode does not stop.
func TestResultsReadOnlyStore(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "nb.hwnas")
	os.WriteFile(spec, []byte(tableSpec), 0o644)
	st := filepath.Join(dir, "store")
	if out, err := runCLI(t, "run", spec, "-e", "other", "--store", st); err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	listing := func() string {
		var b strings.Builder
		filepath.WalkDir(st, func(p string, d fs.DirEntry, err error) error {
			info, _ := d.Info()
			fmt.Fprintf(&b, "%s %v %d %v\n", p, info.Mode(), info.Size(), info.ModTime())
			return nil
		})
		return b.String()
	}
	filepath.WalkDir(st, func(p string, d fs.DirEntry, err error) error { return os.Chmod(p, 0o555) })
	t.Cleanup(func() {
		filepath.WalkDir(st, func(p string, d fs.DirEntry, err error) error { return os.Chmod(p, 0o755) })
	})
	before := listing()
	for args, want := range map[string]string{"results --store " + st: "other", "results other --format csv --store " + st: "0,trained,"} {
		out, err := runCLI(t, strings.Fields(args)...)
		if err != nil || !strings.Contains(out, want) {
			t.Fatalf("%s: %v\n%s", args, err, out)
		}
	}
	if after := listing(); after != before {
		t.Fatalf("hwnas results wrote to the store:\nbefore\n%s\nafter\n%s", before, after)
	}
}
