package main

import "testing"

// TestLineDiff: a changed line shows as its old text then its new text, as
// in diff -u; unchanged lines are left out.
func TestLineDiff(t *testing.T) {
	cases := []struct{ a, b, want string }{
		{"a\nb\n", "a\nb\n", "--- f\n+++ f (formatted)\n"},
		{"x{y}\n", "x {\n  y\n}\n", "--- f\n+++ f (formatted)\n-1: x{y}\n+1: x {\n+2:   y\n+3: }\n"},
		{"keep\nold\nkeep2\n", "keep\nnew\nkeep2\n", "--- f\n+++ f (formatted)\n-2: old\n+2: new\n"},
		{"a\n", "a\nb\n", "--- f\n+++ f (formatted)\n+2: b\n"},
		{"a\nb\n", "a\n", "--- f\n+++ f (formatted)\n-2: b\n"},
	}
	for _, c := range cases {
		if got := lineDiff("f", c.a, c.b); got != c.want {
			t.Errorf("lineDiff(%q, %q) =\n%s\nwant\n%s", c.a, c.b, got, c.want)
		}
	}
}
