package kernel

import (
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// FuzzGuardCell: the rewrite of any chunk never panics, keeps its lines,
// and turns a chunk that parses into one that parses.
func FuzzGuardCell(f *testing.F) {
	for _, s := range []string{"go f(x)", "go func() { go g(1, xs...) }()", "b := make([]byte, 30<<30)",
		"go println(make([]int, n))", "func f() { go h(g()) }", "x := 1", "go", "make("} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, src string, decl bool) {
		out := guardCell(src, decl, 1)
		if strings.Count(out, "\n") != strings.Count(src, "\n") {
			t.Fatalf("lines changed:\n%s\n---\n%s", src, out)
		}
		wrap := func(s string) string {
			if decl {
				return "package p;" + s
			}
			return "package p; func _() {" + s + "\n}"
		}
		if _, err := parser.ParseFile(token.NewFileSet(), "", wrap(src), 0); err != nil {
			return
		}
		if _, err := parser.ParseFile(token.NewFileSet(), "", wrap(out), 0); err != nil {
			t.Fatalf("the rewrite of a chunk that parses does not: %v\n%s\n---\n%s", err, src, out)
		}
	})
}
