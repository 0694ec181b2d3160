package engine

import (
	"os"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/internal/hwnastest"
)

// A metric the spec declares is what a command evaluator reports: the
// objectives, constraints and front read it, and a trial whose evaluator
// leaves it out fails saying so. The echo helper (TestMain) reports
// "layers", the number of layers of the network it was sent.
func TestDeclaredMetricFromCommand(t *testing.T) {
	t.Setenv("HWNAS_CMD_HELPER", "echo")
	src := `
metric layers { goal = minimize }
metric board_latency { unit = ms  goal = minimize }
space s { input 28x28x1  repeat 1..3 { conv { kernel = 3  filters in {2, 4} } }  head gap, dense(10) }
evaluator board command { run = "SELF" }
experiment e { space = s  evaluator = board  maximize accuracy  minimize layers  require layers <= 3  strategy grid  budget 12 trials }
experiment missing { space = s  evaluator = board  minimize board_latency  budget 2 trials }
`
	src = strings.ReplaceAll(src, "SELF", os.Args[0])
	st := hwnastest.OpenStore(t, t.TempDir())
	out, _ := runSpec(t, st, "d.hwnas", src, "e")
	feasible, infeasible := 0, 0
	for _, tr := range out.Trials {
		n, ok := tr.Metrics["layers"]
		if tr.Status != store.Trained && tr.Status != store.Cached || !ok {
			t.Fatalf("trial %s: no layers metric", trialLine(&tr))
		}
		if tr.Feasible != (n <= 3) {
			t.Errorf("trial %s: feasible %v with %g layers", trialLine(&tr), tr.Feasible, n)
		}
		if tr.Feasible {
			feasible++
		} else {
			infeasible++
		}
	}
	if feasible == 0 || infeasible == 0 || len(out.Pareto) == 0 {
		t.Fatalf("%d feasible, %d infeasible, front %v: the constraint and front are not tested", feasible, infeasible, out.Pareto)
	}
	missing, _ := runSpec(t, st, "d.hwnas", src, "missing")
	for _, tr := range missing.Trials {
		if tr.Status != store.Failed || !strings.Contains(tr.Error, `reported no "board_latency", which the experiment reads`) {
			t.Errorf("trial %s: want failed for the unreported metric", trialLine(&tr))
		}
	}
}
