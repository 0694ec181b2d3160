package kernel

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/arch/nb201"
	"github.com/hwnas/hwnas/fpga"
)

// goCase is one %%go cell run in order in one session: its result, a
// substring of its output, or a substring of its error.
type goCase struct {
	code   string
	result string // text/plain of the execute_result, "" for none
	out    string // substring of the published messages
	err    string // substring of the error and its traceback
}

func runGoCases(t *testing.T, s *Session, cases []goCase) {
	t.Helper()
	for _, tt := range cases {
		var r record
		res, err := s.Execute(context.Background(), tt.code, r.output())
		if tt.err != "" {
			if err == nil || !strings.Contains(fmt.Sprint(traceback(err), err), tt.err) {
				t.Errorf("%q: error %v, want %q", tt.code, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.code, err)
			continue
		}
		got := ""
		if res != nil && res.Data != nil {
			got, _ = res.Data["text/plain"].(string)
		}
		if got != tt.result {
			t.Errorf("%q: result %q, want %q", tt.code, got, tt.result)
		}
		if tt.out != "" && !strings.Contains(strings.Join(r.msgs, "\n"), tt.out) {
			t.Errorf("%q: output %v, want %q", tt.code, r.msgs, tt.out)
		}
	}
}

// TestGoTopLevelBlocks: variables that a multi-value := defines inside a
// top-level block are visible in that block, and the block runs once.
func TestGoTopLevelBlocks(t *testing.T) {
	s := newTestSession(t)
	runGoCases(t, s, []goCase{
		{"%%go\nimport \"strconv\"\nfor _, e := range []string{\"1\"} { v, err := strconv.Atoi(e); fmt.Println(v, err) }", "", `"text":"1 \u003cnil\u003e\n"`, ""},
		{"%%go\nif true { v, err := strconv.Atoi(\"2\"); fmt.Println(v, err) }", "", `"text":"2 \u003cnil\u003e\n"`, ""},
		{"%%go\nswitch v, err := strconv.Atoi(\"3\"); {\ncase err == nil:\n\tfmt.Println(v)\n}", "", `"text":"3\n"`, ""},
		{"%%go\nn := 0\nfor i := 0; i < 3; i++ { v, _ := strconv.Atoi(\"4\"); n += v }\nn", "12", "", ""},
		{"%%go\nn", "12", "", ""},
		{"%%go\nouter:\nfor i := 0; i < 3; i++ {\n\tfor {\n\t\tn++\n\t\tcontinue outer\n\t}\n}\nn", "15", "", ""},
		{"%%go\n{\n\tw, ok := map[string]int{\"a\": 1}[\"a\"]\n\tfmt.Println(w, ok)\n}", "", `"text":"1 true\n"`, ""},
		{"%%go\nx := 1\nif x > 0 {\n\tnoSuchName()\n}", "", "", "line 4:2: undefined: noSuchName"},
		// One frame, placed in the cell: none of the made function's call.
		{"%%go\nfor i := 0; i < 1; i++ {\n\tvar a []int\n\t_ = a[3]\n}", "", "", "[panic: reflect: slice index out of range   line 2:5: panic: main(...)]"},
	})
	for _, m := range s.Complete("%%go\n_hwnas", len("%%go\n_hwnas")).Matches {
		t.Errorf("completion offers the internal function %s", m)
	}
}

// TestGoFPGAExports: a %%go cell reaches the FPGA model and the networks it
// takes through the hwnas package, enough for a per-layer roofline, and gets
// what the compiled model gives.
func TestGoFPGAExports(t *testing.T) {
	n, err := arch.Zoo("lenet5")
	if err != nil {
		t.Fatal(err)
	}
	p, err := fpga.Lookup("ZCU102")
	if err != nil {
		t.Fatal(err)
	}
	_, want, err := fpga.Optimize(n, p, fpga.Options{Goal: fpga.MaxThroughput, Precision: fpga.Int8})
	if err != nil {
		t.Fatal(err)
	}
	cell, err := nb201.CellString([]int{3, 3, 1, 3, 1, 1})
	if err != nil {
		t.Fatal(err)
	}
	c, err := nb201.Network(cell)
	if err != nil {
		t.Fatal(err)
	}
	s := newTestSession(t)
	runGoCases(t, s, []goCase{
		{"%%go\nn, err := hwnas.Zoo(\"lenet5\")\np, err := hwnas.Lookup(\"ZCU102\")\nprec, err := hwnas.ParsePrecision(\"int8\")\n" +
			"d, r, err := hwnas.Optimize(n, p, hwnas.Options{Goal: hwnas.MaxThroughput, Precision: prec})\nerr", "<nil>", "", ""},
		{"%%go\nr.LatencyMs", fmt.Sprint(want.LatencyMs), "", ""},
		{"%%go\nagain, err := hwnas.Estimate(n, p, d)\nagain.LatencyMs == r.LatencyMs", "true", "", ""},
		{"%%go\nvar roof []string\nfor _, l := range r.Layers {\n\tif l.Bytes > 0 {\n\t\troof = append(roof, fmt.Sprintf(\"%s %.3g %.3g\", l.Op, 2*float64(l.MACs)/float64(l.Bytes), l.GOPS))\n\t}\n}\nlen(roof) > 0", "true", "", ""},
		{"%%go\nvar lr hwnas.LayerReport = r.Layers[0]\nlr.Index", "0", "", ""},
		{"%%go\nmode, err := hwnas.ParseMode(\"pipeline\")\n_, pr, err := hwnas.Optimize(n, p, hwnas.Options{Goal: hwnas.MinLatency, Mode: mode})\npr.Mode.String()", `"pipeline"`, "", ""},
		{"%%go\nc, err := hwnas.NB201(\"" + cell + "\")\nc.MACs()", fmt.Sprint(c.MACs()), "", ""},
		{"%%go\nvar net *hwnas.Network = c\nlen(hwnas.ZooNames()) > 0 && net != nil", "true", "", ""},
		{"%%go\n_, err = hwnas.Zoo(\"nosuch\")\nerr != nil", "true", "", ""},
	})
}

// TestGoYaegiDiagnoses: failures that yaegi v0.16.1 reports wrongly (an
// undefined name as "constant definition loop", a package not imported as
// a nil pointer dereference) name what is missing, at its cell position;
// a variable yaegi cannot type says how to write it instead.
func TestGoYaegiDiagnoses(t *testing.T) {
	s := newTestSession(t)
	const hint = "cannot work out the type of this top-level variable"
	runGoCases(t, s, []goCase{
		{"%%go\nvar rows strings.Builder", "", "", `line 2:10: undefined: strings (the package is not imported: add import "strings")`},
		{"%%go\nx := 1\nvar b2 strings.Builder\nb2.WriteString(\"a\")", "", "", "line 3:8: undefined: strings"},
		{"%%go\nimport \"strings\"\nvar rows strings.Builder\nrows.WriteString(\"ok\")\nrows.String()", `"ok"`, "", ""},
		{"%%go\nvar p Pt\np", "", "", "line 2:7: undefined: Pt"},
		{"%%go\np := Pt{X: 1}", "", "", "line 2:6: undefined: Pt"},
		{"%%go\nfunc norm(p Pt) int { return p.X }", "", "", "line 2:13: undefined: Pt"},
		{"%%go\ntype Pt struct{ X int }", "", "", ""},
		{"%%go\np := Pt{X: 1}\np.X", "1", "", ""},
		{"%%go\nvar u Pt2\nvar w = Qt{}", "", "", "line 2:7: undefined: Pt2"},
		{"%%go\nps := hwnas.Platforms()\nvar q0 = ps[1]", "", "", "line 3:5: constant definition loop: the Go interpreter (yaegi v0.16.1) " + hint},
		{"%%go\nq := hwnas.Platform(hwnas.Platforms()[1])\nq.Name != \"\"", "true", "", ""},
		{"%%go\nvar q2 hwnas.Platform\nq2 = hwnas.Platforms()[1]\nq2.Name == q.Name", "true", "", ""},
		{"%%go\nvar r rand.Rand", "", "", `undefined: rand (the package is not imported: add import "crypto/rand" or import "math/rand"`},
	})
}

func TestPackageName(t *testing.T) {
	for path, want := range map[string]string{"strings": "strings", "math/rand": "rand", "math/rand/v2": "rand", "hwnas/display": "display", "v2": "v2"} {
		if got := packageName(path); got != want {
			t.Errorf("packageName(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestUndefinedNames(t *testing.T) {
	g := &goSession{known: map[string]bool{"S": true, "fmt": true}}
	for _, tt := range []struct {
		src  string
		decl bool
		want string
	}{
		{"v := S{A: 1}\nfmt.Println(v.B, len(\"x\"))", false, ""},
		{"x := y + z\n_ = x", false, "y@1:6 z@1:10"},
		{"type T struct{ A Missing }\nfunc (T) M(a int) int { return a }", true, "Missing@1:18"},
		{"lbl:\nfor { break lbl }", false, ""},
		{"}{", false, ""},
	} {
		var got []string
		for _, u := range g.undefinedNames(tt.src, tt.decl) {
			got = append(got, fmt.Sprintf("%s@%d:%d", u.name, u.line, u.col))
		}
		if s := strings.Join(got, " "); s != tt.want {
			t.Errorf("undefinedNames(%q) = %q, want %q", tt.src, s, tt.want)
		}
	}
}

// TestGoTopLevelIndex: x := s[i] at the top level, where s is a container
// of a compiled package, defines x (yaegi alone fails to type it).
func TestGoTopLevelIndex(t *testing.T) {
	s := newTestSession(t)
	runGoCases(t, s, []goCase{
		{"%%go\nq := hwnas.Platforms()[1]\nq.Name == hwnas.Platforms()[1].Name", "true", "", ""},
		{"%%go\no := &hwnas.Outcome{Trials: []hwnas.Trial{{ID: 7, Metrics: map[string]float64{\"accuracy\": 0.5}}}}\nt := o.Trials[0]\nt.ID", "7", "", ""},
		{"%%go\nacc := o.Trials[0].Metrics[\"accuracy\"]\nacc * 2", "1", "", ""},
		{"%%go\nps := hwnas.Platforms()\na, b := ps[0], ps[1]\nb.Name == q.Name && a.Name != b.Name", "true", "", ""},
		{"%%go\nimport \"strings\"\nw := strings.Fields(\"a b c\")[2]\nw", `"c"`, "", ""},
		{"%%go\nal := ps[0].Aliases[0]\nal != \"\"", "true", "", ""},
		{"%%go\nfor i := range ps[:2] { z := ps[i]; fmt.Print(z.Name != \"\") }", "", `"text":"truetrue"`, ""},
		{"%%go\nzz := ps[99]", "", "", "index out of range"},
	})
}

func TestTypedDefines(t *testing.T) {
	s := newTestSession(t)
	if _, err := s.Execute(context.Background(), "%%go\nimport \"strings\"\nps := hwnas.Platforms()\nxs := []int{1}\nm := map[string][]string{}", (&record{}).output()); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ src, want string }{
		{"q := ps[1]", "q := hwnas.Platform(ps[1])"},
		{"q := hwnas.Platforms()[i]\nx := 1", "q := hwnas.Platform(hwnas.Platforms()[i])\nx := 1"},
		{"a, b := ps[0].Aliases[0], strings.Fields(\"a\")[0]", "a, b := string(ps[0].Aliases[0]), string(strings.Fields(\"a\")[0])"},
		{"q := f()[0]", ""}, // not a dotted callee: no rewrite
		{"q := ps[g()]", "q := hwnas.Platform(ps[g()])"},
		{"q := ps[g()].Name", ""}, // not an index at the top
		{"q = ps[1]", ""},
		{"}{", ""},
	} {
		got, ok := s.goS.typedDefines(tt.src)
		if !ok {
			got = ""
		}
		if got != tt.want {
			t.Errorf("typedDefines(%q) = %q, want %q", tt.src, got, tt.want)
		}
	}
	names := map[reflect.Type]string{reflect.TypeFor[fpga.Platform](): "hwnas.Platform"}
	for _, tt := range []struct {
		t    reflect.Type
		want string
	}{
		{reflect.TypeFor[map[string][]*fpga.Platform](), "map[string][]*hwnas.Platform"},
		{reflect.TypeFor[[3]error](), "[3]error"},
		{reflect.TypeFor[fpga.Report](), ""},
	} {
		if got, _ := typeName(tt.t, names); got != tt.want {
			t.Errorf("typeName(%v) = %q, want %q", tt.t, got, tt.want)
		}
	}
}
