package syntax

import (
	"runtime"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/internal/golden"
)

// longString is a spec whose one string literal has n characters, escapes
// among them.
func longString(n int) string {
	return `platform p from "` + strings.Repeat(`ab\"`, n/4) + `"` + "\n"
}

// TestLongStringLinear: a string literal costs memory in proportion to its
// length. participle's own unquoting appends one character at a time to a
// Go string (quadratic: a 300,000-character literal took about a minute);
// Parse unquotes with unquote instead, which is linear by construction.
// The test counts bytes allocated, not time, so it is deterministic.
func TestLongStringLinear(t *testing.T) {
	const n = 40_000
	src := longString(n)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f, err := Parse("long.hwnas", src)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.Decls[0].Platform.From.Text, strings.Repeat(`ab"`, n/4); got != want {
		t.Fatalf("unquoted %d bytes, want %d", len(got), len(want))
	}
	if perByte := (after.TotalAlloc - before.TotalAlloc) / uint64(len(src)); perByte > 100 {
		t.Errorf("parsing a %d-byte literal allocated %d bytes per source byte; want a constant, not a multiple of the length", len(src), perByte)
	}
}

// BenchmarkLongString parses a spec with a 300,000-character string literal.
func BenchmarkLongString(b *testing.B) {
	src := longString(300_000)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := Parse("long.hwnas", src); err != nil {
			b.Fatal(err)
		}
	}
}

// TestPrintLongLine: an error in a long line shows a window of the line
// around the problem, "…" where it is cut, and the caret under the
// problem; a long message loses its middle. Before, an error at the end of
// a 480 KB line printed the line and 480,000 spaces before the caret.
func TestPrintLongLine(t *testing.T) {
	convs := strings.Repeat("conv { filters = 8 } ", 23_000) // 483,000 bytes
	atEnd := "space s { input 8x8x1 " + convs + "head gap, dense(10) } $\n"
	atStart := "$ space s { input 8x8x1 " + convs + "}\n"
	inMiddle := "space s { input 8x8x1 " + convs + "\t\x1b[31m$ " + convs + "}\n"
	var out strings.Builder
	for _, c := range []struct{ name, src string }{{"end.hwnas", atEnd}, {"start.hwnas", atStart}, {"middle.hwnas", inMiddle}} {
		_, err := Parse(c.name, c.src)
		if err == nil {
			t.Fatalf("%s parses", c.name)
		}
		r := render(err)
		if len(r) > 1000 {
			t.Errorf("%s: the error of a %d-byte line printed %d bytes", c.name, len(c.src), len(r))
		}
		out.WriteString(r + "\n")
	}
	// A problem as wide as a 300,000-character string literal, whose value
	// the message repeats.
	lit := `"` + strings.Repeat("z", 300_000) + `"`
	src := `platform p from ` + lit + "\n"
	e := NewError(src, Pos{Filename: "lit.hwnas", Offset: 16, Line: 1, Column: 17}, Pos{Line: 1, Column: 17 + len(lit)},
		"unknown catalog platform "+lit+" (`hwnas platforms` lists them)")
	if r := render(e); len(r) > 1000 {
		t.Errorf("the error of a 300,000-character literal printed %d bytes", len(r))
	}
	out.WriteString(render(e))
	golden.Check(t, "long_line.golden", out.String())
}
