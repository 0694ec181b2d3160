package dsl_test

import (
	"reflect"
	"testing"

	"github.com/hwnas/hwnas/dsl"
)

// TestDifferentiableStrategy checks a proxyless strategy with a word
// parameter, a sweep of durations and the rest at their defaults.
func TestDifferentiableStrategy(t *testing.T) {
	src := `space s {
  input 28x28x1
  repeat 2 { choice { mbconv { expand in {1, 6}  kernel in {3, 5}  filters = 1 } skip } }
  head gap, dense(10)
}
dataset d { source = builtin("mnist") }
evaluator sn supernet { bn_batches = 5 }
experiment p { space = s  dataset = d  evaluator = sn  platform = "PYNQ-Z1"  maximize accuracy  budget 3 trials
  strategy proxyless { loss = add_linear  target in {200 us, 0.3 ms, 1 ms}  epochs = 3 } }
`
	spec, err := dsl.LoadSource("p.hwnas", src, nil)
	if err != nil {
		t.Fatal(err)
	}
	st := spec.Experiments["p"].Strategy
	want := dsl.Strategy{Kind: "proxyless", Params: map[string]float64{"loss": 1, "epochs": 3},
		Sweep: &dsl.Sweep{Param: "target", Values: []float64{0.2, 0.3, 1}}}
	if !reflect.DeepEqual(st, want) {
		t.Errorf("strategy %+v %+v, want %+v %+v", st, st.Sweep, want, want.Sweep)
	}
}
