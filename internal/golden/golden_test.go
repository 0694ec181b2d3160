package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// recorder captures failures instead of failing the enclosing test.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }
func (r *recorder) Fatal(...any)          { r.failed = true }
func (r *recorder) Name() string          { return "TestRecorder" }

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	os.MkdirAll("testdata", 0o755)
	os.WriteFile(filepath.Join("testdata", "a.txt"), []byte("same\n"), 0o644)

	r := &recorder{TB: t}
	Check(r, "a.txt", "same\n")
	if r.failed {
		t.Fatal("equal texts failed")
	}
	r = &recorder{TB: t}
	Check(r, "a.txt", "other\n")
	if !r.failed {
		t.Fatal("different texts passed")
	}
	r = &recorder{TB: t}
	Check(r, "missing.txt", "x")
	if !r.failed {
		t.Fatal("a missing golden file passed")
	}

	*update = true
	defer func() { *update = false }()
	Check(t, "sub/new.txt", "written\n")
	if b, err := os.ReadFile(filepath.Join("testdata", "sub", "new.txt")); err != nil || string(b) != "written\n" {
		t.Fatalf("-update wrote %q, %v", b, err)
	}
}
