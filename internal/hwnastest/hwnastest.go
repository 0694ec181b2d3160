// Package hwnastest holds what the tests of several hwnas packages share:
// building the hwnas binary, finding a python3 with the Jupyter packages,
// installing the hwnas kernelspec where such a python finds it, a result
// store that closes itself, and a fake command evaluator that trains in
// rungs (RungTrainer). Only tests import it.
//
// Of hwnas it imports engine/store, and arch and engine/nn for the export
// tests' weights, so that the internal tests of package engine can use it.
package hwnastest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/engine/store"
)

// GoTool returns the go command to build with: the one on PATH, else the
// one of the toolchain that built the running test.
func GoTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

// BuildHwnas builds cmd/hwnas into dir and returns the binary's path.
func BuildHwnas(dir string) (string, error) {
	bin := filepath.Join(dir, "hwnas")
	out, err := exec.Command(GoTool(), "build", "-o", bin, "github.com/hwnas/hwnas/cmd/hwnas").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("build hwnas: %v\n%s", err, out)
	}
	return bin, nil
}

// OpenStore opens the result store in dir and closes it when t ends.
func OpenStore(t testing.TB, dir string) *store.Store {
	t.Helper()
	s, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// ErrNoJupyter is wrapped by FindPython's error when no python3 imports the
// modules asked for.
var ErrNoJupyter = errors.New("no python3 with the Jupyter packages")

// FindPython returns a python3 that imports every one of modules: the one
// $HWNAS_PYTHON names, when set, else python3 on PATH or /usr/bin/python3.
func FindPython(modules ...string) (string, error) {
	cands := []string{"python3", "/usr/bin/python3"}
	if p := os.Getenv("HWNAS_PYTHON"); p != "" {
		cands = []string{p} // the one to use, and no other
	}
	var tried []string
	for _, c := range cands {
		p, err := exec.LookPath(c)
		if err != nil {
			continue
		}
		tried = append(tried, p)
		if exec.Command(p, "-c", "import "+strings.Join(modules, ", ")).Run() == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: none imports %s (tried %v); install python3-jupyter-client python3-nbclient python3-jupyter-kernel-test",
		ErrNoJupyter, strings.Join(modules, ", "), tried)
}

// NeedJupyter ends t when err, FindPython's or InstallKernel's, is not
// nil: a missing python3 skips t, except under CI=true, where the Jupyter
// tests must run and it fails t; any other error fails it.
func NeedJupyter(t testing.TB, err error) {
	t.Helper()
	switch {
	case err == nil:
	case !errors.Is(err, ErrNoJupyter):
		t.Fatal(err)
	case os.Getenv("CI") == "true":
		t.Fatalf("CI=true and the Jupyter tests cannot run: %v", err)
	default:
		t.Skipf("Jupyter client not available: %v", err)
	}
}

// InstallKernel builds hwnas into dir, installs its kernelspec under
// dir/prefix and returns the environment that points Jupyter at it, with
// Jupyter's data, runtime and configuration directories in dir too.
func InstallKernel(dir string) (env []string, err error) {
	bin, err := BuildHwnas(dir)
	if err != nil {
		return nil, err
	}
	prefix := filepath.Join(dir, "prefix")
	if out, err := exec.Command(bin, "kernel", "install", "--prefix", prefix).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("hwnas kernel install: %v\n%s", err, out)
	}
	return append(os.Environ(),
		"JUPYTER_PATH="+filepath.Join(prefix, "share", "jupyter"),
		"JUPYTER_DATA_DIR="+filepath.Join(dir, "data"),
		"JUPYTER_RUNTIME_DIR="+filepath.Join(dir, "runtime"),
		"JUPYTER_CONFIG_DIR="+filepath.Join(dir, "config"),
		"JUPYTER_PLATFORM_DIRS=1",
		"PYTHONDONTWRITEBYTECODE=1",
	), nil
}

// Need skips t when an external component it drives is missing (err is not
// nil), and fails it under CI=true, where .ci/run installs every one.
func Need(t testing.TB, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true and %s is missing: %v", what, err)
	}
	t.Skipf("%s not available: %v", what, err)
}
