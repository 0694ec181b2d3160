package notebooks

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hwnas/hwnas/internal/hwnastest"
)

// browserBins are what the browser test drives besides Jupyter Notebook:
// Debian's chromium and chromium-driver.
var browserBins = []string{"/usr/bin/chromium", "/usr/bin/chromedriver"}

// TestBrowser opens every notebook in Jupyter Notebook 6 in headless
// Chromium (testdata/browser_check.py), runs all its cells from the page and
// checks what a reader sees: no error, progress updated in place, SVG plots
// and HTML tables; then Tab completion and Interrupt. The notebooks are
// shrunk by HWNAS_NOTEBOOK_BUDGET as in TestNotebooks. It needs Debian's
// jupyter-notebook, python3-selenium, chromium and chromium-driver: without
// them it skips, under CI=true it fails. Screenshots of a failure go to
// $HWNAS_BROWSER_SHOTS, else a directory the failure names.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("a real browser is slow: not with -short")
	}
	py, err := hwnastest.FindPython("selenium", "notebook", "nbformat")
	hwnastest.NeedJupyter(t, err)
	for _, bin := range browserBins {
		_, err := os.Stat(bin)
		hwnastest.Need(t, "a browser for the notebook test (Debian chromium, chromium-driver)", err)
	}
	nbs, err := filepath.Glob("*.ipynb")
	if err != nil || len(nbs) == 0 {
		t.Fatalf("no notebooks: %v", err)
	}
	dir := t.TempDir()
	env, err := hwnastest.InstallKernel(dir)
	if err != nil {
		t.Fatal(err)
	}
	shots, made := os.Getenv("HWNAS_BROWSER_SHOTS"), false
	if shots == "" {
		if shots, err = os.MkdirTemp("", "hwnas-browser-shots-"); err != nil {
			t.Fatal(err)
		}
		made = true
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(dir, "work")
	if err := os.Mkdir(work, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, nb := range nbs {
		if nbs[i], err = filepath.Abs(nb); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Minute)
	defer cancel()
	args := append([]string{filepath.Join("testdata", "browser_check.py"), work, strconv.Itoa(budget(t)), shots}, nbs...)
	cmd := exec.CommandContext(ctx, py, args...)
	cmd.Env = append(env, fmt.Sprintf("HWNAS_STORE=%s", filepath.Join(dir, "store")))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		log, _ := os.ReadFile(filepath.Join(work, "jupyter.log"))
		t.Fatalf("browser check: %v\n%s\n--- jupyter notebook log (tail) ---\n%s\nscreenshots: %s", err, out.String(), tail(string(log), 3000), shots)
	}
	t.Logf("%s", strings.TrimSpace(out.String()))
	if made {
		os.RemoveAll(shots) // nothing failed: no screenshots to keep
	}
}

// tail returns the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
