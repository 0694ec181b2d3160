package dsl

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestSession(t *testing.T) {
	dir := t.TempDir()
	lib := "platform pynq from \"PYNQ-Z1\"\n"
	if err := os.WriteFile(filepath.Join(dir, "lib.hwnas"), []byte(lib), 0o644); err != nil {
		t.Fatal(err)
	}
	s := NewSession(dir)
	steps := []struct {
		src                    string
		declared, run, changed []string
		err                    string
	}{
		{src: `import "lib.hwnas"`},
		{src: "space s { input 28x28x1 conv { filters in {4, 8} } head gap, dense(10) }\ndataset d { source = builtin(\"mnist\") }", declared: []string{"s", "d"}},
		{src: "experiment e { space = s platform = pynq dataset = d maximize accuracy require latency <= 8 ms budget 5 trials }", declared: []string{"e"}, run: []string{"e"}},
		{src: "experiment f { space = s dataset = d maximize accuracy budget 5 trials }\nrun e", declared: []string{"f"}, run: []string{"f", "e"}},
		// Redefining s changes e and f, which depend on it.
		{src: "space s { input 28x28x1 conv { filters in {4, 16} } head gap, dense(10) }", declared: []string{"s"}, changed: []string{"e", "f"}},
		// An error changes nothing and names the cell.
		{src: "experiment g { space = nope }", err: "cell[6]:1:24: error: unknown space nope"},
		{src: "run g", err: "unknown experiment g"},
		{src: "run f", run: []string{"f"}},
		{src: "space t { input 8x8x1 skip head dense(2) }\nspace t { input 8x8x1 skip head dense(3) }", err: "t is already declared"},
	}
	for i, st := range steps {
		res, err := s.Add(st.src)
		if st.err != "" {
			if err == nil || !strings.Contains(render(err), st.err) {
				t.Errorf("step %d: err %v, want %q", i, err, st.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if !eq(res.Declared, st.declared) || !eq(res.Run, st.run) || !eq(res.Changed, st.changed) {
			t.Errorf("step %d: declared %v run %v changed %v; want %v %v %v", i, res.Declared, res.Run, res.Changed, st.declared, st.run, st.changed)
		}
	}
	if got := s.Spec().Spaces["s"].Space.Decisions()[0].Choices; !reflect.DeepEqual(got, []string{"4", "16"}) {
		t.Errorf("redefined space has choices %v", got)
	}
	if _, ok := s.Spec().Experiments["g"]; ok {
		t.Errorf("a failed cell added g")
	}
	names := map[string]bool{}
	for _, c := range s.Complete("experiment x { space = ", 23) {
		names[c.Text] = true
	}
	if !names["s"] {
		t.Errorf("session completion lacks s: %v", names)
	}
	if _, err := s.AddNamed("In [12]", "run nope"); err == nil || !strings.HasPrefix(render(err), "In [12]:1:5: error: unknown experiment nope") {
		t.Errorf("AddNamed: %v", err)
	}
	if d := s.Doc("s"); d != "space s — 1 decisions, 2 networks" {
		t.Errorf("Doc(s) = %q", d)
	}
	if d := s.Doc("e"); !strings.Contains(d, "max accuracy") {
		t.Errorf("Doc(e) = %q", d)
	}
	if d := s.Doc("require"); !strings.Contains(d, "hard constraint") {
		t.Errorf("Doc(require) = %q", d)
	}
	s.Reset()
	if len(s.Spec().Experiments) != 0 {
		t.Errorf("reset kept experiments")
	}
}

func eq(a, b []string) bool { return len(a) == len(b) && (len(a) == 0 || reflect.DeepEqual(a, b)) }

func TestSessionDocOfDeclaredMetric(t *testing.T) {
	s := NewSession("")
	if _, err := s.Add("metric board_latency { unit = ms  goal = minimize }"); err != nil {
		t.Fatal(err)
	}
	if got, want := s.Doc("board_latency"), "metric board_latency — time in ms, goal minimize, reported by a command evaluator"; got != want {
		t.Errorf("Doc = %q, want %q", got, want)
	}
}
