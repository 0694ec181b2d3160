package kernel

import (
	"testing"

	"github.com/hwnas/hwnas/kernel/internal/kerneltest"
)

// os.Stdout, os.Stderr and log in a %%go cell reach the notebook as stream
// messages; os.Stderr and os.Stdout used to be the kernel's own.
func TestGoCellStdio(t *testing.T) {
	_, c := startKernel(t)
	code := "%%go\nimport \"os\"\nimport \"log\"\nfmt.Fprintln(os.Stderr, \"to stderr\")\nfmt.Fprintln(os.Stdout, \"to stdout\")\nlog.SetFlags(0)\nlog.Print(\"logged\")"
	r, out := c.Execute(code, nil)
	if v := kerneltest.Decode(t, r); v["status"] != "ok" {
		t.Fatalf("reply %v", v)
	}
	got := map[string]string{}
	for _, m := range out {
		if m.Header.MsgType == "stream" {
			v := kerneltest.Decode(t, m)
			got[v["name"].(string)] += v["text"].(string)
		}
	}
	if got["stderr"] != "to stderr\nlogged\n" || got["stdout"] != "to stdout\n" {
		t.Errorf("streams %q, want stderr %q and stdout %q", got, "to stderr\nlogged\n", "to stdout\n")
	}
}

// A %%go cell that recurses without end is stopped with an error; it used
// to kill the kernel (fatal error: stack overflow).
func TestGoCellEndlessRecursion(t *testing.T) {
	_, c := startKernel(t)
	r, _ := c.Execute("%%go\nfunc down(n int) int { return down(n+1) + 1 }\ndown(0)", nil)
	if v := kerneltest.Decode(t, r); v["status"] != "error" || v["ename"] != "StackOverflow" {
		t.Fatalf("reply %v, want a StackOverflow error", v)
	}
	r, _ = c.Execute("%%go\n6 * 7", nil)
	if v := kerneltest.Decode(t, r); v["status"] != "ok" {
		t.Fatalf("after the overflow: reply %v", v)
	}
}
