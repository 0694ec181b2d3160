package kernel

import (
	"context"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/engine/store"
)

// oneshotDecls is a one-shot search whose children the embedded executor's
// workers score, with the supernet the kernel trains and sends them.
const oneshotDecls = `space mobile {
  input 28x28x1
  conv { kernel = 3  filters = 8  stride = 4 }
  repeat 2 {
    choice {
      mbconv { expand in {1, 3}  kernel in {3, 5}  filters = 8 }
      skip
    }
  }
  head gap, dense(10)
}
dataset mnist {
  source = builtin("mnist")
  train = 600  val = 200  test = 200  epochs = 1  batch = 32  optimizer = adam  lr = 0.01
}
evaluator shared supernet { epochs = 1  bn_batches = 3 }
experiment oneshotq {
  space = mobile  dataset = mnist  evaluator = shared
  maximize accuracy
  strategy random
  budget 6 trials
  retrain 1
  seed 3
  executor = "embedded"
}
`

// TestDSLSupernetExecutorEmbedded: a cell runs a one-shot search with
// executor "embedded": the kernel trains the supernet (its epoch shows in
// the progress), the workers score the children and retrain the best.
func TestDSLSupernetExecutorEmbedded(t *testing.T) {
	evaluated := helperWorkers(t)
	s := newTestSession(t)
	var r record
	if _, err := s.Execute(context.Background(), oneshotDecls, r.output()); err != nil {
		t.Fatalf("one-shot run with executor embedded: %v\n%s", err, strings.Join(r.msgs, "\n"))
	}
	if all := strings.Join(r.msgs, "\n"); !strings.Contains(all, "supernet epoch 1/1") {
		t.Errorf("no supernet epoch in the cell's output:\n%s", all)
	}
	o, err := s.dsl.outcome("oneshotq")
	if err != nil || o.Counts.Inherited == 0 || o.Counts.Retrained != 1 {
		t.Fatalf("outcome %v: counts %+v, want inherited children and 1 retrained", err, o.Counts)
	}
	want := o.Counts.Inherited + o.Counts.Retrained
	if n, err := waitEvaluated(evaluated, want); n < want {
		t.Errorf("the workers evaluated %d requests (%v), want %d", n, err, want)
	}
	for _, tr := range o.Trials {
		if tr.Status == store.Failed {
			t.Errorf("trial %d failed: %s", tr.ID, tr.Error)
		}
	}
}
