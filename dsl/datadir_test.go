package dsl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDataDir: the directory of a data set an experiment trains on must
// exist, resolved as imports are: relative to the spec file's directory, or
// in a session to the session's directory. Before, a missing directory
// passed check and every trial failed; and a relative path was read
// relative to the working directory, wherever the spec was.
func TestDataDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "specs", "data", "mnist"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "specs", "data", "file"), nil, 0o644)
	spec := func(path string) string {
		return `space s { input 28x28x1 conv { filters = 4 } head gap, dense(10) }
dataset d { source = idx("` + path + `") }
dataset unused { source = cifar10("not/downloaded") }
experiment e { space = s  dataset = d  maximize accuracy  budget 2 trials }
`
	}
	file := filepath.Join(dir, "specs", "x.hwnas")
	for _, c := range []struct{ path, err string }{
		{"data/mnist", ""},
		{filepath.Join(dir, "specs", "data", "mnist"), ""},
		{"data/nope", `x.hwnas:2:26: error: directory "data/nope" does not exist (looked for ` + filepath.Join(dir, "specs", "data", "nope") + `); experiment e trains on dataset d`},
		{"data/file", `x.hwnas:2:26: error: "data/file" is not a directory (looked for ` + filepath.Join(dir, "specs", "data", "file") + `); experiment e trains on dataset d`},
	} {
		os.WriteFile(file, []byte(spec(c.path)), 0o644)
		s, err := Load(file)
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%s: %v", c.path, err)
		case c.err == "" && s.Datasets["d"].Path != filepath.Join(dir, "specs", "data", "mnist"):
			t.Errorf("%s: the engine would read %s", c.path, s.Datasets["d"].Path)
		case c.err != "" && (err == nil || !strings.Contains(render(err), c.err)):
			t.Errorf("%s: %v, want %s", c.path, err, c.err)
		}
	}
	// A spec read as a file elsewhere, or a session, resolves the same path
	// relative to its own directory.
	sess := NewSession(filepath.Join(dir, "specs"))
	if res, err := sess.Add(spec("data/mnist")); err != nil || res.Spec.Datasets["d"].Path != filepath.Join(dir, "specs", "data", "mnist") {
		t.Errorf("session: %v", err)
	}
	if _, err := NewSession(dir).Add(spec("data/mnist")); err == nil || !strings.Contains(err.Error(), `directory "data/mnist" does not exist`) {
		t.Errorf("session in another directory: %v", err)
	}
}

// TestDataDirHash: the hash takes the path as written, so a spec hashes
// alike wherever it is checked from, though the path the engine reads is
// resolved against where the spec is.
func TestDataDirHash(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "specs", "data"), 0o755)
	src := `space s { input 28x28x1 conv { filters = 4 } head gap, dense(10) }
dataset d { source = idx("data") }
experiment e { space = s  dataset = d  maximize accuracy  budget 2 trials }
`
	os.WriteFile(filepath.Join(dir, "specs", "x.hwnas"), []byte(src), 0o644)
	t.Chdir(dir)
	var hashes []string
	for _, f := range []string{"specs/x.hwnas", filepath.Join(dir, "specs", "x.hwnas")} {
		s, err := Load(f)
		if err != nil {
			t.Fatal(err)
		}
		if want := filepath.Join(filepath.Dir(f), "data"); s.Datasets["d"].Path != want {
			t.Errorf("Load(%s): path %s, want %s", f, s.Datasets["d"].Path, want)
		}
		hashes = append(hashes, s.Experiments["e"].Hash())
	}
	if hashes[0] != hashes[1] {
		t.Errorf("hash differs: %s and %s", hashes[0], hashes[1])
	}
}
