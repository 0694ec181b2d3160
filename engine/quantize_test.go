package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/dsl"
	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/internal/hwnastest"
	"github.com/hwnas/hwnas/metric"
)

// runSpec checks the spec src (read as the file path) and runs its
// experiment name on st.
func runSpec(t *testing.T, st *store.Store, path, src, name string) (*Outcome, *dsl.Spec) {
	t.Helper()
	spec, err := dsl.LoadSource(path, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	e, err := FromSpec(spec, name)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Run(context.Background(), e, Options{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	return out, spec
}

func TestDesignBits(t *testing.T) {
	for design, want := range map[string]int{
		"fpga-model/3 mode=shared tmpl=x combine=y prec=int8 clk=100": 8,
		"fpga-model/3 mode=multi prec=int16 clk=200":                  16,
		"fpga-model/3 mode=shared prec=fp32 clk=100":                  0,
		"fpga-model/3 mode=shared prec=fp16":                          0,
		"":                                                            0,
	} {
		if got := designBits(design); got != want {
			t.Errorf("designBits(%q) = %d, want %d", design, got, want)
		}
	}
}

// quantize = true trains each network once per precision of its design and
// reports the quantized accuracy, the float one kept beside it.
func TestQuantizeToTheDesignPrecision(t *testing.T) {
	const src = `
platform p8 from "ZCU102" { precision = int8 }
space s { input 28x28x1 conv { kernel = 3  filters in {4, 8}  stride = 2 } head gap, dense(10) }
dataset d { source = builtin("mnist")  train = 600  test = 300  epochs = 1  batch = 32 }
experiment q { space = s  dataset = d  platform = p8  maximize accuracy  quantize = QUANT  strategy grid  budget 2 trials  seed 1 }
`
	st := hwnastest.OpenStore(t, t.TempDir())
	for _, c := range []struct {
		quant  string
		status store.Status
	}{{"true", store.Trained}, {"int8", store.Cached}, {"int4", store.Trained}} {
		out, _ := runSpec(t, st, "q.hwnas", strings.ReplaceAll(src, "QUANT", c.quant), "q")
		if len(out.Trials) != 2 {
			t.Fatalf("quantize = %s: %d trials", c.quant, len(out.Trials))
		}
		for _, tr := range out.Trials {
			if tr.Status != c.status {
				t.Errorf("quantize = %s: trial %s, want %s (cached per precision)", c.quant, trialLine(&tr), c.status)
			}
			_, hasFP := tr.Metrics[metric.AccuracyFP32]
			_, hasTestFP := tr.Metrics[metric.TestAccuracyFP32]
			if !hasFP || !hasTestFP || tr.Metrics[metric.Accuracy] <= 0.1 {
				t.Errorf("quantize = %s: trial %s lacks the float accuracies or learnt nothing", c.quant, trialLine(&tr))
			}
		}
	}
}
