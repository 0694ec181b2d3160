package syntax

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/internal/golden"
)

// render prints err as the command line does.
func render(err error) string {
	var b strings.Builder
	PrintError(&b, err)
	return b.String()
}

// TestGrammar pins the grammar: a change to a production shows up here.
func TestGrammar(t *testing.T) {
	golden.Check(t, "grammar.ebnf", Grammar()+"\n")
}

// TestErrorIsOneLine: Error() is the position and message; PrintError adds
// the source line and a caret as wide as the problem.
func TestErrorIsOneLine(t *testing.T) {
	_, err := Parse("t.hwnas", "platform p {\n  clock 100 MHz\n}\n")
	var el ErrorList
	if !errors.As(err, &el) || len(el) != 1 {
		t.Fatalf("err %v, want one error", err)
	}
	const first = `t.hwnas:2:9: error: unexpected number 100, expected = or in after clock`
	if got := el[0].Error(); got != first {
		t.Errorf("Error() = %q, want %q", got, first)
	}
	want := first + "\n  2 |   clock 100 MHz\n    |         ^~~\n"
	if got := render(err); got != want {
		t.Errorf("PrintError wrote\n%s\nwant\n%s", got, want)
	}
	two := ErrorList{el[0], NewError("a\nb\n", Pos{Filename: "u", Offset: 2, Line: 2, Column: 1}, Pos{}, "second")}
	if got := two.Error(); got != first+" (and 1 more errors)" {
		t.Errorf("ErrorList.Error() = %q", got)
	}
	if got := render(two); got != want+"\nu:2:1: error: second\n  2 | b\n    | ^\n" {
		t.Errorf("PrintError of two errors wrote\n%s", got)
	}
	if got := render(errors.New("plain")); got != "plain\n" {
		t.Errorf("PrintError of another error wrote %q", got)
	}
}

// TestUnitsSorted: Units is sorted, as the "units are …" hint lists it.
func TestUnitsSorted(t *testing.T) {
	if !slices.IsSorted(Units()) || !slices.IsSorted(Keywords()) {
		t.Errorf("units %v or keywords %v not sorted", Units(), Keywords())
	}
}

// TestTokens: Tokens drops whitespace and comments and lexes what does not
// parse.
func TestTokens(t *testing.T) {
	var got []string
	for _, tok := range Tokens("x = 28x28x1 # c\n  \"open 5 GB/s {") {
		got = append(got, tok.Text)
	}
	want := []string{"x", "=", "28x28x1", `"open 5 GB/s {`}
	if !slices.Equal(got, want) {
		t.Errorf("Tokens = %q, want %q", got, want)
	}
}
