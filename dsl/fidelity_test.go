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
	for _, c := range []struct{ fid, want string }{
		{"fidelity hyperbnd { }", "unknown fidelity schedule hyperbnd; want asha"},
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
	if cs := Complete(src, len(src)); len(cs) != 1 || cs[0].Text != "asha" {
		t.Errorf("completions after fidelity: %+v", cs)
	}
	src = "experiment e { fidelity asha { max"
	if cs := Complete(src, len(src)); len(cs) != 1 || cs[0].Text != "max_epochs" {
		t.Errorf("completions in fidelity asha: %+v", cs)
	}
	if d := Doc("eta"); !strings.Contains(d, "default 3") {
		t.Errorf("Doc(eta) = %q", d)
	}
}
