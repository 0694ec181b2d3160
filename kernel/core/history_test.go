package core

import (
	"fmt"
	"testing"
)

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pat, s string
		want   bool
	}{
		{"%%go*1 + 2", "%%go\n1 + 2", true},
		{"a?c", "abc", true},
		{"a?c", "abbc", false},
		{"*", "", true},
		{"x.y", "xzy", false},
		{"[ab]", "a", false},
		{"*(*", "f(x)", true},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pat, tt.s); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v", tt.pat, tt.s, got)
		}
	}
}

// lines renders entries as LINE:INPUT=OUTPUT.
func lines(es []histEntry) string {
	s := ""
	for _, e := range es {
		s += fmt.Sprintf(" %d:%s=%s", e.line, e.input, e.output)
	}
	return s
}

func TestHistory(t *testing.T) {
	var h history
	if got := lines(h.tail(3)); got != "" {
		t.Errorf("empty history: tail %q", got)
	}
	for i, in := range []string{"a = 1", "b", "a = 1", "print(b)", "b"} {
		h.add(histEntry{line: i + 1, input: in, output: fmt.Sprint("out", i+1)})
	}
	tests := []struct {
		name string
		got  []histEntry
		want string
	}{
		{"tail 2", h.tail(2), " 4:print(b)=out4 5:b=out5"},
		{"tail 0 is all", h.tail(0), " 1:a = 1=out1 2:b=out2 3:a = 1=out3 4:print(b)=out4 5:b=out5"},
		{"tail beyond", h.tail(9), " 1:a = 1=out1 2:b=out2 3:a = 1=out3 4:print(b)=out4 5:b=out5"},
		{"lines 2..4", h.lines(2, 4), " 2:b=out2 3:a = 1=out3"},
		{"lines from 4", h.lines(4, 0), " 4:print(b)=out4 5:b=out5"},
		{"lines empty", h.lines(4, 4), ""},
		{"search all", h.search("", 0, false), " 1:a = 1=out1 2:b=out2 3:a = 1=out3 4:print(b)=out4 5:b=out5"},
		{"search glob", h.search("*b*", 0, false), " 2:b=out2 4:print(b)=out4 5:b=out5"},
		{"search latest 2", h.search("*b*", 2, false), " 4:print(b)=out4 5:b=out5"},
		{"search unique keeps the latest", h.search("", 0, true), " 3:a = 1=out3 4:print(b)=out4 5:b=out5"},
		{"search unique, n", h.search("?", 1, true), " 5:b=out5"},
		{"search no match", h.search("zzz", 0, false), ""},
	}
	for _, tt := range tests {
		if got := lines(tt.got); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
