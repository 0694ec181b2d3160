package syntax

import (
	"runtime"
	"strings"
	"testing"
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
