package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlotKinds: hwnas plot draws each kind of plot of stored runs to the
// file -o names (or the default), and refuses a kind it does not know or
// extra experiments for a one-experiment kind with exit code 2.
func TestPlotKinds(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "nb.hwnas")
	os.WriteFile(spec, []byte(tableSpec), 0o644)
	st := filepath.Join(dir, "store")
	if out, err := runCLI(t, "run", spec, "-e", "nbz", "--store", st); err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"nbz"}, "<title>trial 0: looked up"},
		{[]string{"--kind", "pareto", "nbz", "nbz"}, "nbz #2 front"},
		{[]string{"--kind", "best", "nbz"}, "nbz best so far"},
		{[]string{"--kind", "hypervolume", "nsga2=nbz", "nsga2=nbz", "nbz"}, "nsga2 (2 runs)"},
		{[]string{"--kind", "decisions", "nbz"}, "gene 5"},
	} {
		file := filepath.Join(dir, strings.Join(c.args, "_")+".svg")
		args := append([]string{"plot", "--store", st, "-o", file}, c.args...)
		if out, err := runCLI(t, args...); err != nil || strings.TrimSpace(out) != file {
			t.Fatalf("%v: %v\n%s", c.args, err, out)
		}
		b, err := os.ReadFile(file)
		if err != nil || !strings.Contains(string(b), c.want) {
			t.Errorf("%v: %v; the SVG lacks %q", c.args, err, c.want)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--kind", "violin", "nbz"}, `--kind "violin": want one of trials, pareto, best, hypervolume, decisions, probabilities`},
		{[]string{"nbz", "nbz"}, "--kind trials draws one experiment, got 2"},
	} {
		out, err := runCLI(t, append([]string{"plot", "--store", st}, c.args...)...)
		if exitCode(err) != 2 || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: exit %d, %v, %s; want 2 and %q", c.args, exitCode(err), err, out, c.want)
		}
	}
	if got := defaultPlotFile("hypervolume", "nsga2=by_nsga2"); got != "by_nsga2-hypervolume.svg" {
		t.Errorf("default file %s", got)
	}
}
