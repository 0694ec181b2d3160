package dsl

import (
	"strings"
	"testing"
)

const fidelitySpec = `
space s { input 28x28x1  conv { kernel in {3, 5}  filters = 8 }  head gap, dense(10) }
dataset d { source = builtin("mnist")  train = 600  epochs = 1 }
experiment e {
  space = s  dataset = d
  maximize accuracy
  FIDELITY
  budget 10 trials
}
`

func TestFidelity(t *testing.T) {
	s, err := LoadSource("t.hwnas", strings.Replace(fidelitySpec, "FIDELITY", "fidelity asha { max_epochs = 27  eta = 3 }", 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := LoadSource("t.hwnas", strings.Replace(fidelitySpec, "FIDELITY", "", 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := s.Experiments["e"].Fidelity
	if got == nil || *got != (Fidelity{Kind: "asha", MinEpochs: 1, MaxEpochs: 27, Eta: 3}) {
		t.Errorf("fidelity %+v", got)
	}
	if plain.Experiments["e"].Fidelity != nil || plain.Experiments["e"].Hash() == s.Experiments["e"].Hash() {
		t.Error("the schedule is not part of the experiment or its hash")
	}
	hb, err := LoadSource("t.hwnas", strings.Replace(fidelitySpec, "FIDELITY", "fidelity hyperband { max_epochs = 27  eta = 3 }", 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := hb.Experiments["e"].Fidelity; got == nil || *got != (Fidelity{Kind: "hyperband", MinEpochs: 1, MaxEpochs: 27, Eta: 3}) {
		t.Errorf("hyperband %+v", got)
	}
	if hb.Experiments["e"].Hash() == s.Experiments["e"].Hash() {
		t.Error("hyperband and asha hash the same")
	}
	for _, c := range []struct{ fid, want string }{
		{"fidelity hyperbnd { }", "unknown fidelity schedule hyperbnd (did you mean hyperband?); want asha or hyperband"},
		{"fidelity hyperband { min_epochs = 3  max_epochs = 3 }", "fidelity hyperband: max_epochs 3 must exceed min_epochs 3"},
		{"fidelity hyperband { brackets = 3 }", "brackets"},
		{"fidelity asha { min_epochs = 9  max_epochs = 3 }", "max_epochs 3 must exceed min_epochs 9"},
		{"fidelity asha { eta = 1 }", "eta must be a whole number of at least 2"},
		{"fidelity asha { rungs = 3 }", "rungs"},
		{"fidelity asha { }\n  fidelity asha { }", "fidelity is given twice"},
	} {
		_, err := LoadSource("t.hwnas", strings.Replace(fidelitySpec, "FIDELITY", c.fid, 1), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.fid, err, c.want)
		}
	}
	table := `space nb = benchmark("nasbench201")
evaluator tab table { benchmark = "nasbench201" }
experiment e { space = nb  evaluator = tab  maximize accuracy  fidelity asha { }  budget 3 trials }`
	if _, err := LoadSource("t.hwnas", table, nil); err == nil || !strings.Contains(err.Error(), "the NAS-Bench-201 table has only each network's final (200-epoch) figures") {
		t.Errorf("asha with a table: %v", err)
	}
	table = strings.Replace(table, "fidelity asha", "fidelity hyperband", 1)
	if _, err := LoadSource("t.hwnas", table, nil); err == nil || !strings.Contains(err.Error(), "fidelity hyperband needs accuracies after each rung's epochs") {
		t.Errorf("hyperband with a table: %v", err)
	}
	for ev, want := range map[string]string{
		`evaluator x command { run = "./train.sh" }`: "",
		`evaluator x train`:                          "",
		`evaluator x supernet { epochs = 2 }`:        "needs the train or a command evaluator, not supernet",
	} {
		src := strings.Replace(fidelitySpec, "FIDELITY", "evaluator = x\n  fidelity asha { }", 1) + ev + "\n"
		_, err := LoadSource("t.hwnas", src, nil)
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("asha with %s: error %v, want %q", ev, err, want)
		}
	}
}

func TestFidelityCompletionAndDocs(t *testing.T) {
	src := "experiment e { fidelity "
	if cs := Complete(src, len(src)); len(cs) != 2 || cs[0].Text != "asha" || cs[1].Text != "hyperband" {
		t.Errorf("completions after fidelity: %+v", cs)
	}
	for _, kind := range FidelityKinds {
		src = "experiment e { fidelity " + kind + " { max"
		if cs := Complete(src, len(src)); len(cs) != 1 || cs[0].Text != "max_epochs" {
			t.Errorf("completions in fidelity %s: %+v", kind, cs)
		}
	}
	if d := Doc("hyperband"); !strings.Contains(d, "Hyperband's brackets") {
		t.Errorf("Doc(hyperband) = %q", d)
	}
	if d := Doc("eta"); !strings.Contains(d, "default 3") {
		t.Errorf("Doc(eta) = %q", d)
	}
}
