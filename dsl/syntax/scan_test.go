package syntax

import (
	"errors"
	"strings"
	"testing"
)

// TestScanStopsOnJunk: a binary file given by mistake yields a handful of
// errors and a hint, not one error (with its source line) per bad byte.
func TestScanStopsOnJunk(t *testing.T) {
	junk := strings.Repeat("\x00\xff\x01 ", 500)
	_, err := Parse("model.bin", junk)
	var el ErrorList
	if !errors.As(err, &el) {
		t.Fatalf("error %v is not an ErrorList", err)
	}
	if len(el) != MaxLexErrors+1 {
		t.Fatalf("%d errors, want %d and a last one", len(el), MaxLexErrors+1)
	}
	last := el[len(el)-1].Error()
	if !strings.Contains(last, "error: too many errors; is this a spec file?") {
		t.Errorf("last error %q", last)
	}
	// A file with a few bad characters still has each one reported.
	if _, err := Parse("t.hwnas", "run a $ b $\n"); err == nil || strings.Count(render(err), "unexpected character") != 2 {
		t.Errorf("two bad characters: %v", err)
	}
}

// TestScanQuoteHint: single or curly quotes around a string say how to write it.
func TestScanQuoteHint(t *testing.T) {
	for _, src := range []string{"platform p from 'ZCU102'\n", "platform p from \u201cZCU102\u201d\n"} {
		if _, err := Parse("t.hwnas", src); err == nil || !strings.Contains(err.Error(), `write strings in straight double quotes`) {
			t.Errorf("%q: %v", src, err)
		}
	}
}
