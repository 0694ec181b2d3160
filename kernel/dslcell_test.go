package kernel

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hwnas/hwnas/kernel/internal/kerneltest"
)

const nb201Decls = `space nb201 = benchmark("nasbench201")
evaluator nb201_table table {
  benchmark = "nasbench201"
  split = "cifar10"
}
experiment big {
  space = nb201
  evaluator = nb201_table
  platform = "ZCU102"
  maximize accuracy
  minimize latency
  strategy random
  budget 5000 trials
  seed 3
}`

// TestDSLInterruptKeepsTrials interrupts a long run: the reply comes within
// a second, the finished trials are kept, and running again resumes them.
func TestDSLInterruptKeepsTrials(t *testing.T) {
	_, c := startKernel(t)
	// Declaring an experiment runs it; interrupt it at once and again later.
	id := c.Send(c.Shell, "execute_request", map[string]any{"code": nb201Decls, "silent": false, "store_history": true, "stop_on_error": true})
	time.Sleep(1500 * time.Millisecond)
	start := time.Now()
	c.Reply(c.CtrlC, c.Send(c.Control, "interrupt_request", map[string]any{}))
	r := c.Reply(c.ShellC, id)
	if d := time.Since(start); d > time.Second {
		t.Errorf("interrupting a run took %v, want under 1s", d)
	}
	v := kerneltest.Decode(t, r)
	if v["status"] != "error" || v["ename"] != "Interrupted" {
		t.Fatalf("interrupted run: %v", v)
	}
	m := regexp.MustCompile(`its (\d+) finished trials are kept`).FindStringSubmatch(v["evalue"].(string))
	if m == nil {
		t.Fatalf("interrupt message %q does not say what was kept", v["evalue"])
	}
	kept, _ := strconv.Atoi(m[1])
	if kept == 0 {
		t.Fatalf("no trial finished in 1.5s")
	}
	out := c.Outputs(id)
	updates := 0
	for _, o := range out {
		if o.Header.MsgType == "update_display_data" {
			updates++
		}
	}
	if updates == 0 {
		t.Errorf("no progress updates in %v", kerneltest.Types(out))
	}
	// Running again resumes every kept trial; interrupt it once it has more.
	id = c.Send(c.Shell, "execute_request", map[string]any{"code": "run big", "silent": false, "store_history": true})
	time.Sleep(800 * time.Millisecond)
	c.Reply(c.CtrlC, c.Send(c.Control, "interrupt_request", map[string]any{}))
	c.Reply(c.ShellC, id)
	var summary string
	for _, o := range c.Outputs(id) {
		if o.Header.MsgType == "display_data" && strings.Contains(string(o.Content), "resumed from the store") {
			summary = string(o.Content)
		}
	}
	m = regexp.MustCompile(`(\d+) resumed from the store`).FindStringSubmatch(summary)
	if m == nil {
		t.Fatalf("second run shows no summary: %s", summary)
	}
	if resumed, _ := strconv.Atoi(m[1]); resumed < kept {
		t.Errorf("second run resumed %d trials, want at least the %d kept", resumed, kept)
	}
	// The kernel is ready afterwards.
	if r, _ := c.Execute("%%go\n1", nil); kerneltest.Decode(t, r)["status"] != "ok" {
		t.Error("kernel not ready after interrupts")
	}
}
