package hwnastest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// Browser is what the browser tests drive: a python3 that imports
// selenium, Debian's headless Chromium and its chromedriver.
type Browser struct {
	Python, Chromium, Driver string
}

// ErrNoBrowser is wrapped by FindBrowser's error when a part is missing.
var ErrNoBrowser = errors.New("no headless browser to test with")

// FindBrowser finds python3 with selenium ($HWNAS_PYTHON, python3 or
// /usr/bin/python3), chromium and chromedriver (on PATH or in /usr/bin).
func FindBrowser() (Browser, error) {
	var b Browser
	py, err := FindPython("selenium")
	if err != nil {
		return b, fmt.Errorf("%w: no python3 imports selenium; install chromium chromium-driver python3-selenium", ErrNoBrowser)
	}
	b.Python = py
	for _, f := range []struct {
		dst   *string
		names []string
	}{{&b.Chromium, []string{"chromium", "/usr/bin/chromium", "chromium-browser"}}, {&b.Driver, []string{"chromedriver", "/usr/bin/chromedriver"}}} {
		for _, n := range f.names {
			if p, err := exec.LookPath(n); err == nil {
				*f.dst = p
				break
			}
		}
		if *f.dst == "" {
			return b, fmt.Errorf("%w: none of %v found; install chromium chromium-driver python3-selenium", ErrNoBrowser, f.names)
		}
	}
	return b, nil
}

// NeedBrowser returns FindBrowser's browser, or ends t without one: it
// skips, except under CI=true, where the browser tests must run and it
// fails t.
func NeedBrowser(t testing.TB) Browser {
	t.Helper()
	b, err := FindBrowser()
	switch {
	case err == nil:
	case os.Getenv("CI") == "true":
		t.Fatalf("CI=true and the browser tests cannot run: %v", err)
	default:
		t.Skipf("browser tests: %v", err)
	}
	return b
}
