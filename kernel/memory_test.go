package kernel

import (
	"fmt"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/kernel/internal/kerneltest"
)

// A spec that passes check but whose networks need far more memory than
// the machine allows (here: GOMEMLIMIT 1 GiB) fails its trials with both
// numbers; it used to kill the kernel out of memory.
func TestTooLargeNetworkKeepsKernel(t *testing.T) {
	old := debug.SetMemoryLimit(1 << 30)
	defer debug.SetMemoryLimit(old)
	_, c := startKernel(t)
	cell := `space wide {
  input 28x28x1
  conv { kernel = 3  filters in {65535, 65536}  stride = 1 }
  head gap, dense(10)
}
dataset mnist { source = builtin("mnist")  train = 200  test = 100  epochs = 1  batch = 1000000000 }
experiment widex { space = wide  dataset = mnist  maximize accuracy  budget 2 trials  seed 1 }`
	_, out := c.Execute(cell, nil)
	var text strings.Builder
	for _, m := range out {
		text.Write(m.Content)
	}
	if !strings.Contains(text.String(), "over the memory limit of 768.0 MiB") {
		t.Errorf("no trial says it is over the limit:\n%s", text.String())
	}
	checkServing(t, c)
}

// A %%go cell's make of 30 GB used to be a fatal error of the Go runtime
// (the system refuses the mapping), and a cell that kept allocating had
// the kernel killed. Under GOMEMLIMIT 1 GiB (a limit of 768 MiB) the first
// is a panic of the cell, the second stops the cell; the kernel goes on.
func TestGoCellMemory(t *testing.T) {
	old := debug.SetMemoryLimit(1 << 30)
	defer debug.SetMemoryLimit(old)
	_, c := startKernel(t)
	r, _ := c.Execute("%%go\nb := make([]byte, 30<<30)\nlen(b)", nil)
	v := kerneltest.Decode(t, r)
	if v["status"] != "error" || !strings.Contains(fmt.Sprint(v["evalue"]), "make([]uint8, 32212254720) needs 30.00 GiB, over the memory limit of 768.0 MiB (3/4 of GOMEMLIMIT 1.00 GiB)") {
		t.Fatalf("huge make: %v", v)
	}
	checkServing(t, c)
	r, _ = c.Execute("%%go\nvar kept [][]byte\nfor {\n\tkept = append(kept, make([]byte, 32<<20))\n}", nil)
	v = kerneltest.Decode(t, r)
	if v["status"] != "error" || v["ename"] != "OutOfMemory" || !strings.Contains(fmt.Sprint(v["evalue"]), "the Go session was reset") {
		t.Fatalf("allocating without end: %v", v)
	}
	r, _ = c.Execute("%%go\n6 * 7", nil)
	if v := kerneltest.Decode(t, r); v["status"] != "ok" {
		t.Fatalf("after the reset: %v", v)
	}
}

// A panic in a goroutine a %%go cell started used to kill the kernel
// (yaegi runs it on a real goroutine without a recover): it is reported on
// the cell's stderr, and the kernel goes on.
func TestGoroutinePanic(t *testing.T) {
	_, c := startKernel(t)
	cell := "%%go\nimport \"time\"\nfunc index(n int) int { var s []int; return s[n] }\n" +
		"go func() { panic(\"boom\") }()\ngo index(3)\ndone := make(chan bool)\ngo func(ch chan bool, n int) {\n\tdefer close(ch)\n\tfmt.Println(\"got\", n)\n}(done, 7)\n<-done\ntime.Sleep(200 * time.Millisecond)"
	r, out := c.Execute(cell, nil)
	if v := kerneltest.Decode(t, r); v["status"] != "ok" {
		t.Fatalf("%v", v)
	}
	var text strings.Builder
	for _, m := range out {
		if m.Header.MsgType == "stream" {
			text.WriteString(fmt.Sprint(kerneltest.Decode(t, m)["text"]))
		}
	}
	for _, want := range []string{"got 7", "panic in a goroutine a cell started (its go statement is on line 4): boom",
		"panic in a goroutine a cell started (its go statement is on line 5): reflect: slice index out of range"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, text.String())
		}
	}
	checkServing(t, c)
}

// The rewrites that guard make and go statements keep what cells mean.
func TestGoCellGuardKeepsMeaning(t *testing.T) {
	_, c := startKernel(t)
	for code, want := range map[string]string{
		"%%go\nlat := []float64{1, 2}\nidx := make([]int, len(lat))\nlen(idx)":              "2",
		"%%go\nm := make(map[string]int, 4)\nm[\"a\"] = 1\nlen(m)":                          "1",
		"%%go\ntype pt struct{ x, y int }\nps := make([]pt, 3, 10)\ncap(ps)":                "10",
		"%%go\nfunc mk(n uint8) []byte { return make([]byte, n) }\nlen(mk(7))":              "7",
		"%%go\nch := make(chan int, 2)\nx := 5\ngo func(v int) { ch <- v }(x)\nx = 6\n<-ch": "5",
	} {
		r, out := c.Execute(code, nil)
		got := ""
		for _, m := range out {
			if m.Header.MsgType == "execute_result" {
				got = fmt.Sprint(kerneltest.Decode(t, m)["data"].(map[string]any)["text/plain"])
			}
		}
		if v := kerneltest.Decode(t, r); v["status"] != "ok" || got != want {
			t.Errorf("%q: %v, result %q, want %q", code, v, got, want)
		}
	}
}
