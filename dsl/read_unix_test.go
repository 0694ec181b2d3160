//go:build unix

package dsl

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/hwnas/hwnas/dsl/syntax"
)

// TestReadRefusesNonRegular: a spec, or an import, that is a device, a
// pipe, a directory or larger than syntax.MaxSourceBytes is refused before
// it is read. Reading it whole would hang on a pipe without a writer and
// read /dev/zero, or a huge sparse file, until memory runs out.
func TestReadRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.hwnas")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFO here:", err)
	}
	huge := filepath.Join(dir, "huge.hwnas")
	if err := os.WriteFile(huge, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, 8<<30); err != nil { // sparse: 8 GiB of zeros on no disk
		t.Fatal(err)
	}
	tooBig := "is 8589934592 bytes, more than the limit of 1048576 for a spec"
	for _, c := range []struct{ path, problem string }{
		{fifo, "is not a regular file"},
		{"/dev/zero", "is not a regular file"},
		{huge, tooBig},
		{dir, "is a directory"},
	} {
		want := c.path + " " + c.problem
		if _, err := ReadFile(c.path); err == nil || err.Error() != want {
			t.Errorf("ReadFile(%s): %v, want %s", c.path, err, want)
		}
		if _, err := Load(c.path); err == nil || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("Load(%s): %v, want %s", c.path, err, want)
		}
		_, err := LoadSource("main.hwnas", "import \""+c.path+"\"\n", ReadFile)
		if err == nil || !strings.Contains(err.Error(), "main.hwnas:1:1: error: cannot import \""+c.path+"\": "+want) {
			t.Errorf("import %s: %v", c.path, err)
		}
		if _, err := NewSession(dir).Add("import \"" + c.path + "\"\n"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("session import %s: %v", c.path, err)
		}
	}
}

// TestReadSourceLimit: standard input is read up to the limit and no further.
func TestReadSourceLimit(t *testing.T) {
	zero, err := os.Open("/dev/zero")
	if err != nil {
		t.Skip(err)
	}
	defer zero.Close()
	want := "standard input is more than the limit of 1048576 bytes for a spec"
	if _, err := ReadSource("standard input", zero); err == nil || err.Error() != want {
		t.Errorf("ReadSource(/dev/zero) = %v, want %s", err, want)
	}
	b, err := ReadSource("x", strings.NewReader(strings.Repeat(" ", syntax.MaxSourceBytes)))
	if err != nil || len(b) != syntax.MaxSourceBytes {
		t.Errorf("a source of exactly the limit: %d bytes, %v", len(b), err)
	}
}
