package store

import (
	"bufio"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// treeState is every file under dir with its mode, size, time and content
// hash, to tell whether anything was written.
func treeState(t *testing.T, dir string) map[string]string {
	t.Helper()
	state := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		sum := [32]byte{}
		if !d.IsDir() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum = sha256.Sum256(b)
		}
		state[p] = fmt.Sprintf("%v %d %v %x", info.Mode(), info.Size(), info.ModTime(), sum)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return state
}

// chmodTree makes every file and directory under dir read-only for all
// (chmod -R a-w), or writable by its owner again.
func chmodTree(t *testing.T, dir string, readOnly bool) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		mode := fs.FileMode(0o644)
		if d.IsDir() {
			mode = 0o755
		}
		if readOnly {
			mode &^= 0o222
		}
		return os.Chmod(p, mode)
	})
}

// TestReadOnlyWritesNothing reads a store made read-only (chmod -R a-w): its
// results are all there, a write is refused, and no file is created or
// changed, even for root, whom the permissions do not stop.
func TestReadOnlyWritesNothing(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	e, _ := s.Experiment("ro", "experiment ro {}", "h", 1)
	for i := range 3 {
		if err := s.PutTrial(Trial{Experiment: e.ID, Seq: i, Metrics: map[string]float64{"accuracy": 0.5}, Status: Trained}); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	chmodTree(t, dir, true)
	t.Cleanup(func() { chmodTree(t, dir, false) })
	before := treeState(t, dir)

	r, err := OpenReadOnly(dir)
	if err != nil {
		t.Fatal(err)
	}
	es, err := r.Experiments("")
	if err != nil || len(es) != 1 {
		t.Fatalf("Experiments = %v, %v; want one", es, err)
	}
	ts, err := r.Trials(es[0].ID)
	if err != nil || len(ts) != 3 {
		t.Fatalf("Trials = %d, %v; want 3", len(ts), err)
	}
	if acts, err := r.Activities(); err != nil || acts[e.ID].Trials != 3 || acts[e.ID].Last.Before(e.Created) {
		t.Errorf("Activities = %v, %v; want 3 trials after %v", acts, err, e.Created)
	}
	if err := r.PutTrial(Trial{Experiment: e.ID, Seq: 9, Status: Trained}); !errors.Is(err, errReadOnly) {
		t.Errorf("PutTrial on a read-only store: err = %v, want %v", err, errReadOnly)
	}
	if !r.ReadOnly() {
		t.Error("ReadOnly() = false")
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	after := treeState(t, dir)
	for p, st := range after {
		if before[p] != st {
			t.Errorf("%s changed: %s, was %q", p, st, before[p])
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			t.Errorf("%s was removed", p)
		}
	}
}

// TestReadOnlySeesLiveWriter reads a store while another process writes to
// it: every commit the writer reported is visible, and no lock is taken
// that would stall the writer.
func TestReadOnlySeesLiveWriter(t *testing.T) {
	dir := t.TempDir()
	cmd := helper(t, dir, "live", 0)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	sc := bufio.NewScanner(out)
	last := -1
	for round := range 3 {
		for sc.Scan() && last < 5*(round+1) {
			fmt.Sscanf(sc.Text(), "committed %d", &last)
		}
		r, err := OpenReadOnly(dir)
		if err != nil {
			t.Fatal(err)
		}
		es, err := r.Experiments("live")
		if err != nil || len(es) != 1 {
			t.Fatalf("Experiments = %v, %v", es, err)
		}
		ts, err := r.Trials(es[0].ID)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(ts) < last+1 {
			t.Fatalf("round %d: read %d trials, the writer reported %d committed", round, len(ts), last+1)
		}
	}
}

// TestReadOnlyEmptyDir reads a directory no run has used as an empty store
// and leaves it empty.
func TestReadOnlyEmptyDir(t *testing.T) {
	dir := t.TempDir()
	for range 2 {
		r, err := OpenReadOnly(dir)
		if err != nil {
			t.Fatal(err)
		}
		if es, err := r.Experiments(""); err != nil || len(es) != 0 {
			t.Fatalf("Experiments = %v, %v; want none", es, err)
		}
		r.Close()
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("the directory holds %v, want nothing", ents)
	}
}

// TestReadOnlyRefuses names what is wrong with a store it cannot read:
// missing, older schema, newer schema.
func TestReadOnlyRefuses(t *testing.T) {
	dir := t.TempDir()
	if _, err := OpenReadOnly(filepath.Join(dir, "none")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing directory: err = %v, want no such file", err)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`CREATE TABLE schema_version (version INTEGER NOT NULL)`, `INSERT INTO schema_version VALUES (2)`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	want := fmt.Sprintf("schema version 2 is older than this hwnas reads (%d): a command that writes (hwnas run) migrates it", SchemaVersion)
	if _, err := OpenReadOnly(dir); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("old schema: err = %v, want %q", err, want)
	}
	db, _ = sql.Open("sqlite", filepath.Join(dir, FileName))
	db.Exec(`UPDATE schema_version SET version = 99`)
	db.Close()
	if _, err := OpenReadOnly(dir); err == nil || !strings.Contains(err.Error(), "schema version 99 is newer") {
		t.Errorf("new schema: err = %v, want newer", err)
	}
}
