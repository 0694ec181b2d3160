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

// BudgetEnv caps the trials of every experiment (and the images of every
// data set at 50 per trial) while the notebooks run under test; 0 runs them
// as written. The test default keeps all the notebooks to a few minutes on
// two cores.
const BudgetEnv = "HWNAS_NOTEBOOK_BUDGET"

const defaultBudget = 4

// jupyter is what running a notebook needs: a python3 with nbclient and an
// environment whose JUPYTER_PATH holds a freshly built hwnas kernelspec.
type jupyter struct {
	python string
	env    []string
}

// setup builds hwnas into dir and installs its kernelspec there. Without a
// usable python it skips, or fails under CI=true.
func setup(t *testing.T, dir string) jupyter {
	t.Helper()
	py, err := hwnastest.FindPython("nbclient", "nbformat", "jupyter_client")
	hwnastest.NeedJupyter(t, err)
	env, err := hwnastest.InstallKernel(dir)
	if err != nil {
		t.Fatal(err)
	}
	return jupyter{python: py, env: env}
}

// budget reads BudgetEnv, defaulting to defaultBudget.
func budget(t *testing.T) int {
	s := os.Getenv(BudgetEnv)
	if s == "" {
		return defaultBudget
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a number of trials >= 0 (0 runs the notebooks as written)", BudgetEnv, s)
	}
	return n
}

// TestNotebooks executes every notebook of this directory in the hwnas
// kernel, each with a store of its own, and fails on any error output or
// text on stderr.
func TestNotebooks(t *testing.T) {
	nbs, err := filepath.Glob("*.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	if len(nbs) < 6 {
		t.Fatalf("found %d notebooks (%v), want the six of the course", len(nbs), nbs)
	}
	dir := t.TempDir()
	j := setup(t, dir)
	b := budget(t)
	for _, nb := range nbs {
		t.Run(strings.TrimSuffix(nb, ".ipynb"), func(t *testing.T) {
			env := append(append([]string{}, j.env...), "HWNAS_STORE="+filepath.Join(dir, "store-"+nb), fmt.Sprintf("%s=%d", BudgetEnv, b))
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, j.python, filepath.Join("testdata", "run_notebook.py"), nb, strconv.Itoa(b))
			cmd.Env = env
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Run(); err != nil {
				t.Fatalf("%s: %v\n%s", nb, err, out.String())
			}
			t.Logf("%s", strings.TrimSpace(out.String()))
		})
	}
}
