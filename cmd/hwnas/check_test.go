package main

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestCheckCommand(t *testing.T) {
	examples, _ := filepath.Glob("../../examples/*.hwnas")
	out, err := runCLI(t, append([]string{"check"}, examples...)...)
	if err != nil || out != "" {
		t.Fatalf("valid examples: out %q err %v", out, err)
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.hwnas")
	os.WriteFile(bad, []byte("experiment e {\n  strategy reinforse\n}\n"), 0o644)
	junk := filepath.Join(dir, "junk.hwnas")
	os.WriteFile(junk, []byte("\x00\xff{{{\"\n\x1b[31m"), 0o644)
	for _, tt := range []struct {
		file string
		want []string
	}{
		{bad, []string{"bad.hwnas:2:12: error: unknown strategy reinforse (did you mean reinforce?)", "  2 |   strategy reinforse", "^~~~~~~~~"}},
		{junk, []string{"junk.hwnas:1:1: error: unexpected character"}},
		{filepath.Join(dir, "missing.hwnas"), []string{"missing.hwnas: no such file or directory"}},
	} {
		out, err := runCLI(t, "check", tt.file)
		if exitCode(err) != 1 || out != "" {
			t.Errorf("%s: exit %d, stdout %q", tt.file, exitCode(err), out)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: stderr lacks %q:\n%s", tt.file, w, err)
			}
		}
		if strings.Contains(err.Error(), "\x1b") {
			t.Errorf("%s: a terminal escape reached the output", tt.file)
		}
	}
}

func TestFmtCommand(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.hwnas")
	messy := "run e   # go\nexperiment e{space=s}\n"
	os.WriteFile(path, []byte(messy), 0o644)
	want := "run e  # go\n\nexperiment e {\n  space = s\n}\n"

	out, err := runCLI(t, "fmt", path)
	if err != nil || out != want {
		t.Fatalf("fmt: %v\n%q", err, out)
	}
	out, err = runCLI(t, "fmt", "-d", path)
	if exitCode(err) != 1 || !strings.Contains(out, "+3: experiment e {") || !strings.Contains(out, "-2: experiment e{space=s}") {
		t.Errorf("fmt -d: exit %d\n%s", exitCode(err), out)
	}
	if _, err := runCLI(t, "fmt", "-w", path); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != want {
		t.Errorf("fmt -w wrote %q", b)
	}
	if out, err := runCLI(t, "fmt", "-d", path); err != nil || out != "" {
		t.Errorf("formatted file still differs: %v %q", err, out)
	}
	rootCmd.SetIn(strings.NewReader(messy))
	out, err = runCLI(t, "fmt")
	rootCmd.SetIn(nil)
	if err != nil || out != want {
		t.Errorf("fmt from stdin: %v %q", err, out)
	}
	os.WriteFile(path, []byte("experiment {"), 0o644)
	if _, err := runCLI(t, "fmt", "-w", path); exitCode(err) != 1 || !strings.Contains(err.Error(), "a.hwnas:1:12: error") {
		t.Errorf("syntax error: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "experiment {" {
		t.Errorf("a file with errors was rewritten: %q", b)
	}
}

// A spec whose smallest network cannot train on this machine (here: under
// GOMEMLIMIT 1 GiB) checks with a warning saying so with both numbers.
func TestCheckWarnsTooLarge(t *testing.T) {
	old := debug.SetMemoryLimit(1 << 30)
	defer debug.SetMemoryLimit(old)
	spec := filepath.Join(t.TempDir(), "wide.hwnas")
	os.WriteFile(spec, []byte(wideSpec), 0o644)
	out, err := runCLI(t, "check", spec)
	want := "wide.hwnas:7:12: warning: experiment widex: every trial will fail: its smallest network needs 24.60 GiB for batch 64"
	if err != nil || !strings.Contains(out, want) || !strings.Contains(out, "over the memory limit of 768.0 MiB (3/4 of GOMEMLIMIT 1.00 GiB)") {
		t.Fatalf("exit %d (%v), want 0 with %q\n%s", exitCode(err), err, want, out)
	}
}

// wideSpec's one layer has 65535 or 65536 filters: tens of GiB to train.
const wideSpec = `space wide {
  input 28x28x1
  conv { kernel = 3  filters in {65535, 65536}  stride = 1 }
  head gap, dense(10)
}
dataset mnist { source = builtin("mnist")  train = 200  test = 100  epochs = 1  batch = 64 }
experiment widex { space = wide  dataset = mnist  maximize accuracy  budget 2 trials  seed 1 }
`
