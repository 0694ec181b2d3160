package kernel

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hwnas/hwnas/internal/hwnastest"
)

// These tests drive the kernel with the real Jupyter client (Debian's
// python3-jupyter-client, python3-nbclient, python3-jupyter-kernel-test).
// Without them they skip, except under CI=true, where they fail.

var (
	jupyterOnce sync.Once
	jupyterEnv  []string
	jupyterPy   string
	jupyterErr  error
	jupyterDir  string // removed by TestMain
)

// setupJupyter builds hwnas, installs its kernelspec under a temporary
// prefix and returns the environment that points Jupyter at it.
func setupJupyter(t testing.TB) (python string, env []string) {
	t.Helper()
	jupyterOnce.Do(func() {
		jupyterPy, jupyterErr = hwnastest.FindPython("jupyter_client", "jupyter_kernel_test", "nbclient", "nbformat")
		if jupyterErr != nil {
			return
		}
		dir, err := os.MkdirTemp("", "hwnas-jupyter-")
		if err != nil {
			jupyterErr = err
			return
		}
		jupyterDir = dir
		env, err := hwnastest.InstallKernel(dir)
		if err != nil {
			jupyterErr = err
			return
		}
		jupyterEnv = append(env, "HWNAS_STORE="+filepath.Join(dir, "store"))
	})
	hwnastest.NeedJupyter(t, jupyterErr)
	return jupyterPy, jupyterEnv
}

func runPython(t testing.TB, timeout time.Duration, args ...string) (string, error) {
	t.Helper()
	py, env := setupJupyter(t)
	cmd := exec.Command(py, args...)
	cmd.Dir = "testdata"
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return "", err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return out.String(), err
	case <-time.After(timeout):
		cmd.Process.Kill()
		<-done
		return out.String(), fmt.Errorf("timed out after %v", timeout)
	}
}

// TestJupyterKernelTests runs the jupyter_kernel_test suite against hwnas.
func TestJupyterKernelTests(t *testing.T) {
	out, err := runPython(t, 3*time.Minute, "-m", "unittest", "-v", "test_hwnas_kernel")
	if err != nil && onlyTimeouts(out) {
		// jupyter_kernel_test reads each IOPub message with a 0.1 s timeout;
		// on a loaded machine the client itself can miss that. Such a run is
		// retried once; an assertion failure never is.
		t.Logf("retrying after client timeouts only:\n%s", lastLines(out, 6))
		out, err = runPython(t, 3*time.Minute, "-m", "unittest", "-v", "test_hwnas_kernel")
	}
	if err != nil {
		t.Fatalf("jupyter_kernel_test: %v\n%s", err, out)
	}
	if m := regexp.MustCompile(`skipped=(\d+)`).FindStringSubmatch(out); m != nil {
		t.Errorf("jupyter_kernel_test skipped %s tests; every test applies to hwnas:\n%s", m[1], out)
	}
	t.Logf("%s", lastLines(out, 4))
}

// onlyTimeouts reports whether a unittest run failed only by queue timeouts.
func onlyTimeouts(out string) bool {
	return strings.Contains(out, "_queue.Empty") && !strings.Contains(out, "AssertionError") && !strings.Contains(out, "ValidationError")
}

// TestNotebook executes a notebook with nbclient and checks its outputs.
func TestNotebook(t *testing.T) {
	out, err := runPython(t, 3*time.Minute, "notebook_check.py")
	if err != nil {
		t.Fatalf("notebook: %v\n%s", err, out)
	}
	t.Logf("%s", lastLines(out, 3))
}

var benchLine = regexp.MustCompile(`median_ms=([\d.]+) p90_ms=([\d.]+) rss_mb=([\d.]+)`)

// TestRoundTripAndMemory measures with the real client and checks the idle
// resident memory (< 50 MB) and a loose round-trip bound; the 5 ms target is
// checked by BenchmarkJupyterRoundTrip, away from parallel test load.
func TestRoundTripAndMemory(t *testing.T) {
	median, p90, rss := jupyterRoundTrip(t, 100)
	t.Logf("real client: median %.2f ms, p90 %.2f ms, idle RSS %.1f MB", median, p90, rss)
	if rss >= 50 {
		t.Errorf("idle kernel RSS %.1f MB, want < 50 MB", rss)
	}
	if median >= 25 {
		t.Errorf("median round trip %.2f ms: far above the 5 ms target", median)
	}
}

// BenchmarkJupyterRoundTrip reports the median execute_request-to-idle time
// of a trivial cell with the real jupyter_client, and the idle RSS.
func BenchmarkJupyterRoundTrip(b *testing.B) {
	for range b.N {
		median, p90, rss := jupyterRoundTrip(b, 300)
		b.ReportMetric(median, "median-ms")
		b.ReportMetric(p90, "p90-ms")
		b.ReportMetric(rss, "idle-RSS-MB")
		if median >= 5 {
			b.Errorf("median round trip %.2f ms, want < 5 ms", median)
		}
		if rss >= 50 {
			b.Errorf("idle RSS %.1f MB, want < 50 MB", rss)
		}
	}
}

func jupyterRoundTrip(t testing.TB, cells int) (median, p90, rss float64) {
	t.Helper()
	out, err := runPython(t, 3*time.Minute, "bench_roundtrip.py", strconv.Itoa(cells))
	if err != nil {
		t.Fatalf("bench_roundtrip.py: %v\n%s", err, out)
	}
	m := benchLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("bench_roundtrip.py printed no figures:\n%s", out)
	}
	median, _ = strconv.ParseFloat(m[1], 64)
	p90, _ = strconv.ParseFloat(m[2], 64)
	rss, _ = strconv.ParseFloat(m[3], 64)
	return median, p90, rss
}

func lastLines(s string, n int) string {
	lines := regexp.MustCompile(`\n`).Split(s, -1)
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	return b.String()
}

func TestMain(m *testing.M) {
	code := m.Run()
	if jupyterDir != "" {
		os.RemoveAll(jupyterDir)
	}
	os.Exit(code)
}

// TestLifecycle interrupts through interrupt_request and SIGINT, restarts
// and shuts the kernel down with jupyter_client's KernelManager.
func TestLifecycle(t *testing.T) {
	out, err := runPython(t, 3*time.Minute, "lifecycle_check.py")
	if err != nil {
		t.Fatalf("lifecycle: %v\n%s", err, out)
	}
	t.Logf("%s", lastLines(out, 4))
}
