package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// runCLI runs hwnas with args and returns stdout and the error.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	if sub, _, err := rootCmd.Find(args); err == nil && sub != nil {
		sub.Flags().VisitAll(func(f *pflag.Flag) {
			_ = f.Value.Set(f.DefValue)
			f.Changed = false
		})
	}
	var out bytes.Buffer
	rootCmd.SetOut(&out)
	rootCmd.SetErr(&out)
	rootCmd.SetArgs(args)
	defer rootCmd.SetArgs(nil)
	err := rootCmd.Execute()
	return out.String(), err
}

func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if err != nil {
		return 1
	}
	return 0
}

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
