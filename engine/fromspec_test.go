package engine

import (
	"context"
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
