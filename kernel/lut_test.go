package kernel

import (
	"context"
	"strings"
	"testing"
)

// TestLutMagic: %lut shows a declared experiment's latency table as text
// and HTML. The experiment's spec prunes its one trial, so nothing trains.
func TestLutMagic(t *testing.T) {
	s := newTestSession(t)
	cell := `space tiny {
  input 28x28x1
  conv { kernel = 3  filters = 8  stride = 2 }
  choice {
    mbconv { expand in {1, 3}  kernel in {3, 5}  filters = 8 }
    skip
  }
  head gap, dense(10)
}
dataset d { source = builtin("mnist")  train = 100  test = 100  epochs = 1  batch = 32 }
experiment e {
  space = tiny  platform = "PYNQ-Z1"  dataset = d
  maximize accuracy
  require latency <= 0.0001 ms
  budget 1 trials  seed 1
}`
	var r record
	if _, err := s.Execute(context.Background(), cell, r.output()); err != nil {
		t.Fatal(err)
	}
	res, err := s.Execute(context.Background(), "%lut e", r.output())
	if err != nil {
		t.Fatal(err)
	}
	text, _ := res.Data["text/plain"].(string)
	h, _ := res.Data["text/html"].(string)
	for _, want := range []string{"latency table of space tiny on PYNQ-Z1: shared, model", "layer2  mbconv(expand=3 kernel=5)", "skip", "fixed"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(h, `<table class="hwnas-lut">`) || strings.Count(h, "<tr>") != 8 {
		t.Errorf("html:\n%s", h)
	}
	pool := strings.Replace(cell, `platform = "PYNQ-Z1"`, `hardware pool { "PYNQ-Z1" x 2  link = 10 Gb/s }`, 1)
	if _, err := s.Execute(context.Background(), strings.Replace(pool, "experiment e", "experiment p", 1), r.output()); err != nil {
		t.Fatal(err)
	}
	if res, err = s.Execute(context.Background(), "%lut p", r.output()); err != nil {
		t.Fatal(err)
	}
	if text, _ := res.Data["text/plain"].(string); !strings.Contains(text, ": multi, model\npartition: ") || !strings.Contains(text, "layer2  mbconv(expand=3 kernel=5)") {
		t.Errorf("a pool's table:\n%s", text)
	}
}
