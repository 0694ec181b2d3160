package kernel

import (
	"runtime/debug"
	"strings"
	"testing"
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
