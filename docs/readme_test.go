package docs

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadme checks the README: its set-up commands come first, exactly as
// CI runs them; its first spec is valid and runs; the picture it shows exists.
func TestReadme(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	_, setup, ok := strings.Cut(readme, "\n## Set-up\n")
	if !ok {
		t.Fatal(`README.md has no "## Set-up" section`)
	}
	_, block, _ := strings.Cut(setup, "```sh\n")
	block, _, _ = strings.Cut(block, "```")
	lines := strings.Split(strings.TrimSpace(block), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "go run ./cmd/hwnas run ") || !strings.HasPrefix(lines[1], "go test ./... ") {
		t.Errorf("the first block of Set-up must be `go run ./cmd/hwnas run` then `go test ./...`, got:\n%s", block)
	}

	_, spec, ok := strings.Cut(readme, "```\n# first.hwnas\n")
	if !ok {
		t.Fatal("README.md has no first spec (a block starting with # first.hwnas)")
	}
	spec, _, _ = strings.Cut(spec, "```")
	dir := t.TempDir()
	file := filepath.Join(dir, "first.hwnas")
	if err := os.WriteFile(file, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := hwnasBinary(t)
	if out, err := exec.Command(bin, "check", file).CombinedOutput(); err != nil {
		t.Fatalf("hwnas check of the README's first spec: %v\n%s", err, out)
	}
	run := exec.Command(bin, "run", file, "--budget", "8", "--store", filepath.Join(dir, "store"))
	if out, err := run.CombinedOutput(); err != nil || !strings.Contains(string(out), "Pareto front") {
		t.Fatalf("hwnas run of the README's first spec: %v\n%s", err, out)
	}

	for _, img := range []string{"docs/img/pareto-nb201-zcu102.svg"} {
		if !strings.Contains(readme, "("+img+")") {
			t.Errorf("README.md does not show %s", img)
		}
		b, err := os.ReadFile(filepath.Join("..", img))
		if err != nil || !strings.Contains(string(b), "<svg") {
			t.Errorf("%s: not an SVG (%v)", img, err)
		}
	}
}
