package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/dsl"
	"github.com/hwnas/hwnas/internal/hwnastest"
)

// Every example experiment builds; those without training run a few trials,
// and those with training run a few trials on a fake evaluator.
func TestExamplesBuildAndRun(t *testing.T) {
	files, _ := filepath.Glob("../examples/*.hwnas")
	if len(files) == 0 {
		t.Fatal("no examples found")
	}
	for _, f := range files {
		spec, err := dsl.Load(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, name := range spec.Order {
			t.Run(filepath.Base(f)+"/"+name, func(t *testing.T) {
				e, err := FromSpec(spec, name)
				if err != nil {
					t.Fatal(err)
				}
				if _, ok := e.Evaluator.(*TrainEvaluator); ok {
					e.Evaluator = &fakeEval{}
				}
				if _, ok := e.Evaluator.(CommandEvaluator); ok {
					e.Evaluator = &fakeEval{}
				}
				if sv, ok := e.Evaluator.(*SupernetEvaluator); ok { // a real supernet, kept small
					sv.Epochs, sv.BNBatches, e.Retrain = 1, 1, 1
					e.Fidelity.Train, e.Fidelity.Val, e.Fidelity.Test = 64, 32, 32
				}
				e.Budget.Trials = 6
				out, err := Run(context.Background(), e, Options{Store: hwnastest.OpenStore(t, t.TempDir())})
				if err != nil {
					t.Fatal(err)
				}
				if len(out.Trials) == 0 {
					t.Fatal("no trials")
				}
				for _, tr := range out.Trials {
					if tr.Status == "failed" && !strings.Contains(tr.Error, "CUDA") {
						t.Errorf("trial %s", trialLine(&tr))
					}
				}
			})
		}
	}
}

func TestFromSpecErrors(t *testing.T) {
	spec, err := dsl.LoadSource("t.hwnas", `
space nb201 = benchmark("nasbench201")
evaluator tab table { benchmark = "nasbench201" }
experiment a { space = nb201  evaluator = tab  maximize accuracy  budget 3 trials }
experiment b { space = nb201  evaluator = tab  maximize accuracy  budget 3 trials }
`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := FromSpec(spec, "c"); err == nil || !strings.Contains(err.Error(), `no experiment "c" (declared: a, b)`) {
		t.Fatalf("err = %v", err)
	}
	if _, err := Selected(spec, ""); err == nil || !strings.Contains(err.Error(), "pick one with -e") {
		t.Fatalf("err = %v", err)
	}
	if names, err := Selected(spec, "b"); err != nil || len(names) != 1 || names[0] != "b" {
		t.Fatalf("Selected = %v, %v", names, err)
	}
}

// tiling = false in a hardware search leaves the tile genes out: every
// candidate is estimated with the tiling the optimiser finds for it.
func TestHardwareSearchTiling(t *testing.T) {
	for _, tiling := range []bool{true, false} {
		spec, err := dsl.LoadSource("t.hwnas", fmt.Sprintf(`
space nb201 = benchmark("nasbench201")
experiment e {
  space = nb201  evaluator = table
  hardware search { devices in {"ZCU102", "ZC706"}  link = 10 Gb/s  tiling = %v }
  maximize accuracy  minimize latency  budget 4 trials
}
`, tiling), nil)
		if err != nil {
			t.Fatal(err)
		}
		e, err := FromSpec(spec, "e")
		if err != nil {
			t.Fatal(err)
		}
		var genes []string
		for _, d := range e.Hardware.Genes {
			genes = append(genes, d.Name)
		}
		if want := map[bool]string{true: "hw.stages hw.tm hw.tn hw.tr hw.tc", false: "hw.stages"}[tiling]; strings.Join(genes, " ") != want {
			t.Errorf("tiling = %v: hardware genes %v, want %s", tiling, genes, want)
		}
		out, err := Run(context.Background(), e, Options{Store: hwnastest.OpenStore(t, t.TempDir())})
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range out.Trials {
			if tr.Status == "failed" || (!tiling && strings.Count(tr.Design, ";") < 10) {
				t.Errorf("tiling = %v: %s", tiling, trialLine(&tr))
			}
		}
	}
}
