package kernel

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/kernel/core"
)

func TestSplitGo(t *testing.T) {
	tests := []struct {
		src  string
		want string // chunks as kind:line:src joined by " | "
		err  string
	}{
		{"x := 1\ny := 2", "s:1:x := 1\ny := 2", ""},
		{"import \"fmt\"\nfunc f() int { return 1 }\nx := f()\nfmt.Println(x)", "d:1:import \"fmt\" | d:2:func f() int { return 1 } | s:3:x := f()\nfmt.Println(x)", ""},
		{"var m []int; m = append(m, 1)", "d:1:var m []int | s:1:m = append(m, 1)", ""},
		{"func (t T) M() {}\nfunc() { }()", "d:1:func (t T) M() {} | s:2:func() { }()", ""},
		{"type T struct {\n\tA int\n}\nT{1}", "d:1:type T struct {\n\tA int\n} | s:4:T{1}", ""},
		{"for i := 0; i < 2; i++ { x += i }\nx", "b:1:for i := 0; i < 2; i++ { x += i } | s:2:x", ""},
		{"a := 1; if a > 0 {\n} else {\n}; b := 2\nc := 3", "s:1:a := 1 | b:1:if a > 0 {\n} else {\n} | s:3:b := 2\nc := 3", ""},
		{"L:\nfor {\n\tbreak L\n}\n{ y := 1 }", "b:1:L:\nfor {\n\tbreak L\n} | b:5:{ y := 1 }", ""},
		{"", "", ""},
		{"package main", "", "no package clause"},
		{"func main() {}", "", "func main is not allowed"},
		{"x := `unterminated", "", "not terminated"},
	}
	for _, tt := range tests {
		chunks, err := splitGo(tt.src)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want %q", tt.src, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.src, err)
			continue
		}
		var got []string
		for _, c := range chunks {
			k := "s"
			if c.decl {
				k = "d"
			} else if c.block {
				k = "b"
			}
			got = append(got, fmt.Sprintf("%s:%d:%s", k, c.line, c.src))
		}
		if g := strings.Join(got, " | "); g != tt.want {
			t.Errorf("%q:\n got %q\nwant %q", tt.src, g, tt.want)
		}
	}
}

func FuzzSplitGo(f *testing.F) {
	for _, s := range []string{"x := 1", "func f() {}\nf()", "import (\"a\"; b \"c\")", "}{)(", "`"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		chunks, err := splitGo(src)
		if err != nil {
			return
		}
		for _, c := range chunks {
			if !strings.Contains(src, c.src) {
				t.Fatalf("chunk %q is not part of the source", c.src)
			}
		}
		lastExpr(src)
		g := &goSession{known: map[string]bool{}}
		g.learn(src, true)
		g.learn(src, false)
		for _, u := range g.undefinedNames(src, false) {
			if u.line < 1 || u.col < 1 {
				t.Fatalf("undefined %s at %d:%d", u.name, u.line, u.col)
			}
		}
		goComplete(src)
		braceComplete(src)
	})
}

func TestLastExpr(t *testing.T) {
	tests := []struct {
		src, before, expr, callee string
		call, ok                  bool
	}{
		{"x := 1\nx + 1", "x := 1\n", "x + 1", "", false, true},
		{"fmt.Println(1)", "", "fmt.Println(1)", "fmt.Println", true, true},
		{"f()()", "", "f()()", "", true, true},
		{"x := 1", "", "", "", false, false},
		{"(len(s))", "", "(len(s))", "len", true, true},
	}
	for _, tt := range tests {
		b, e, c, call, ok := lastExpr(tt.src)
		if b != tt.before || e != tt.expr || c != tt.callee || call != tt.call || ok != tt.ok {
			t.Errorf("%q: got (%q, %q, %q, %v, %v)", tt.src, b, e, c, call, ok)
		}
	}
}

func TestRelocate(t *testing.T) {
	tests := []struct {
		msg  string
		line int
		decl bool
		want string
	}{
		{"1:28: undefined: zz", 3, false, "line 3:1: undefined: zz"},
		{"_.go:2:5: expected ';'", 3, true, "line 4:5: expected ';'"},
		{"1:18: undefined: Pt", 2, true, "line 2:5: undefined: Pt"},
		{"no position", 1, false, "no position"},
	}
	for _, tt := range tests {
		if got := relocate(tt.msg, tt.line, tt.decl); got != tt.want {
			t.Errorf("relocate(%q) = %q, want %q", tt.msg, got, tt.want)
		}
	}
}

func TestClassifyAndIsComplete(t *testing.T) {
	s := newTestSession(t)
	tests := []struct {
		code   string
		kind   cellKind
		status string
	}{
		{"%%go\nx := 1", goCell, "complete"},
		{"\n  %%go\nfunc f() {", goCell, "incomplete"},
		{"%%go\nx := `a", goCell, "incomplete"},
		{"%%go\n)", goCell, "invalid"},
		{"%platforms", magicCell, "complete"},
		{"display?", pageCell, "complete"},
		{"space s {\n  input 28x28x1", dslCell, "incomplete"},
		{"space s { } }", dslCell, "invalid"},
		{"platform p from \"x {", dslCell, "invalid"},
		{"# comment {\nrun x", dslCell, "complete"},
	}
	for _, tt := range tests {
		if k, _, _ := classify(tt.code); k != tt.kind {
			t.Errorf("classify(%q) = %v, want %v", tt.code, k, tt.kind)
		}
		if st, _ := s.IsComplete(tt.code); st != tt.status {
			t.Errorf("IsComplete(%q) = %s, want %s", tt.code, st, tt.status)
		}
	}
}

func newTestSession(t testing.TB) *Session {
	t.Helper()
	s, err := NewSession(SessionOptions{StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// traceback is the traceback of a cell error, or err's text.
func traceback(err error) []string {
	if ce, ok := err.(*core.CellError); ok && ce.Traceback != nil {
		return ce.Traceback
	}
	return []string{err.Error()}
}

// record collects what a cell publishes.
type record struct{ msgs []string }

func (r *record) output() *core.Output {
	return core.NewOutput(func(msgType string, content any) {
		b, _ := json.Marshal(content)
		r.msgs = append(r.msgs, msgType+" "+string(b))
	})
}

func TestGoCells(t *testing.T) {
	s := newTestSession(t)
	runGoCases(t, s, []goCase{
		{"%%go\nimport \"strings\"\nimport \"strings\"", "", "", ""},
		{"%%go\nx := 2\nx * 21", "42", "", ""},
		{"%%go\nfmt.Print(\"a\")\nfmt.Print(\"b\")", "", `stream {"name":"stdout","text":"ab"}`, ""},
		{"%%go\nfunc twice(n int) int { return 2 * n }\ntwice(x)", "4", "", ""},
		{"%%go\nfunc noop() {}\nnoop()", "", "", ""},
		{"%%go\nstrings.ToUpper(\"a\")", `"A"`, "", ""},
		{"%%go\nint(2.0)", "2", "", ""},
		{"%%go\nfmt.Println(\"x\")", "", "stream", ""},
		{"%%go\nundefinedName + 1", "", "", "line 2:1: undefined: undefinedName"},
		{"%%go\nvar a []int\n_ = a[3]", "", "", "index out of range"},
		{"%%go\nfunc main() {}", "", "", "func main is not allowed"},
		{"%%go\nerr := display.JSON(3)\nerr.Error()", `"display.JSON: application/json must be an object (a map or struct), got int"`, "", ""},
		{"%%go\nid := display.Open(\"text/plain\", \"a\")\ndisplay.Update(id, \"text/plain\", \"b\")", "", "update_display_data", ""},
		{"%%go\nx", "2", "", ""},
	})
}

func TestMagicsAndCompletion(t *testing.T) {
	s := newTestSession(t)
	for _, tt := range []struct{ code, want, err string }{
		{"%platforms pynq", "PYNQ-Z1", ""},
		{"%platforms zynq", "PYNQ-Z1", ""}, // the product line, as docs/kernel.md and notebook 01 say
		{"%platforms zynq", "ZCU102", ""},
		{"%platforms z7020", "PYNQ-Z1", ""}, // an alias
		{"%platforms nosuchboard", "", "no platform matches"},
		{"%platfroms", "", "did you mean %platforms"},
		{"%estimate alexnet on ZCU102", "latency", ""},
		{"%estimate alexnet ZCU102", "", "want MODEL on PLATFORM"},
		{"%estimate nosuch on ZCU102", "", "network nosuch"},
		{"%estimate alexnet on ZCU102 precision int3", "", "precision"},
		{"%cache", "accuracy", ""},
		{"%lut nosuch", "", "no experiment nosuch declared"},
		{"%lut e mode multi", "", `mode "multi": want shared or pipeline`},
		{"%reset now", "", "takes no arguments"},
		{"%help\nnot a magic", "", "one %magic per line"},
	} {
		var r record
		res, err := s.Execute(context.Background(), tt.code, r.output())
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want %q", tt.code, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", tt.code, err)
		}
		if got := fmt.Sprint(res.Data); !strings.Contains(got, tt.want) {
			t.Errorf("%q: %s, want %q", tt.code, got, tt.want)
		}
	}
	for _, tt := range []struct {
		code string
		want string
	}{
		{"%%go\nstrings.ToUp", "[ToUpper ToUpperSpecial]"},
		{"%res", "[%reset]"},
		{"%%g", "[%%go]"},
		{"experiment e {\n  strat", "[strategy]"},
	} {
		c := s.Complete(tt.code, len(tt.code))
		if got := fmt.Sprint(c.Matches); got != tt.want {
			t.Errorf("Complete(%q) = %s, want %s", tt.code, got, tt.want)
		}
	}
	for _, word := range []string{"%platforms", "display", "latency", "fmt.Println", "strings"} {
		if _, ok := s.Inspect(word, len(word), 0); !ok {
			t.Errorf("Inspect(%q) found nothing", word)
		}
	}
	// A strategy's parameter is documented by the strategy block it is in
	// (nsga2's population defaults to 50, evolution's to 20).
	for code, want := range map[string]string{
		"experiment e {\n  strategy nsga2 { population = 10 }":     "strategy nsga2, default 50",
		"experiment e {\n  strategy evolution { population = 10 }": "strategy evolution, default 20",
		"experiment e {\n  strategy reinforce { hidden = 10 }":     "strategy reinforce",
	} {
		word := "population"
		if !strings.Contains(code, word) {
			word = "hidden"
		}
		d, ok := s.Inspect(code, strings.Index(code, word)+2, 0)
		if got, _ := d["text/plain"].(string); !ok || !strings.Contains(got, want) {
			t.Errorf("Inspect at %s in %q = %q, want it to say %q", word, code, got, want)
		}
	}
}

func TestDSLCompletionAndDocs(t *testing.T) {
	s := newTestSession(t)
	decls := "space nb201 = benchmark(\"nasbench201\")\nevaluator nb201_table table {\n  benchmark = \"nasbench201\"\n  split = \"cifar10\"\n}"
	if _, err := s.Execute(context.Background(), decls, (&record{}).output()); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ code, want string }{
		{"experiment e {\n  space = nb", "nb201"},
		{"experiment e {\n  evaluator = nb", "nb201_table"},
		{"experiment e {\n  platform = \"ZCU1", "ZCU102"},
	} {
		c := s.Complete(tt.code, len(tt.code))
		if !strings.Contains(fmt.Sprint(c.Matches), tt.want) {
			t.Errorf("Complete(%q) = %v, want %s among them", tt.code, c.Matches, tt.want)
		}
	}
	for _, word := range []string{"nb201", "nb201_table", "experiment", "ZCU102"} {
		if d, ok := s.doc(word); !ok || d == "" {
			t.Errorf("doc(%q) found nothing", word)
		}
	}
	var r record
	if _, err := s.Execute(context.Background(), "space nb201 = benchmark(\"nasbench2O1\")", r.output()); err == nil || !strings.Contains(fmt.Sprint(traceback(err)), "^") {
		t.Errorf("bad redeclaration: %v", err)
	}
}

// FuzzCompleteInspect feeds arbitrary cells and cursors to the frontend
// helpers, which must answer without panicking whatever the text.
func FuzzCompleteInspect(f *testing.F) {
	s := newTestSession(f)
	for _, c := range []string{"%%go\nfmt.Pr", "%pla", "experiment e {\n  space = ", "display?", "%%go\nx.", "é%%go\n\"\u00e9"} {
		f.Add(c, len(c))
	}
	f.Fuzz(func(t *testing.T, code string, cursor int) {
		c := s.Complete(code, cursor)
		if c.CursorStart > c.CursorEnd || c.CursorEnd > len(code) || c.CursorStart < 0 {
			t.Fatalf("completion range %d..%d in %d bytes", c.CursorStart, c.CursorEnd, len(code))
		}
		s.Inspect(code, cursor, 0)
		st, _ := s.IsComplete(code)
		switch st {
		case "complete", "incomplete", "invalid", "unknown":
		default:
			t.Fatalf("IsComplete status %q", st)
		}
	})
}
