//go:build unix

package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestReadOnlySpecs: check, fmt and run refuse a spec that is a pipe or a
// device, and fmt reads standard input only up to the size limit, instead
// of hanging on the pipe or reading /dev/zero until memory runs out.
func TestReadOnlySpecs(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo.hwnas")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFO here:", err)
	}
	for _, c := range []struct {
		args []string
		code int // a file that cannot be read is 1 for run too, as docs/cli.md says
	}{
		{[]string{"check", fifo}, 1}, {[]string{"check", "/dev/zero"}, 1}, {[]string{"fmt", fifo}, 1},
		{[]string{"fmt", "-d", "/dev/zero"}, 1}, {[]string{"run", "--store", t.TempDir(), fifo}, 1},
	} {
		path := c.args[len(c.args)-1]
		_, err := runCLI(t, c.args...)
		if want := path + " is not a regular file"; exitCode(err) != c.code || err.Error() != want {
			t.Errorf("hwnas %v: exit %d, %v; want %d, %q", c.args, exitCode(err), err, c.code, want)
		}
	}
	zero, err := os.Open("/dev/zero")
	if err != nil {
		t.Skip(err)
	}
	defer zero.Close()
	rootCmd.SetIn(zero)
	defer rootCmd.SetIn(nil)
	_, err = runCLI(t, "fmt")
	if want := "hwnas fmt: standard input is more than the limit of 1048576 bytes for a spec"; exitCode(err) != 1 || err.Error() != want {
		t.Errorf("hwnas fmt < /dev/zero: exit %d, %v; want %q", exitCode(err), err, want)
	}
}
