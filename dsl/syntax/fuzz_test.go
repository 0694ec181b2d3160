package syntax

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzParse: parsing, lexing and formatting any input never panics, never
// hangs, and formatting a file that parses gives a file that parses to the
// same layout. (dsl's FuzzParseCheck checks what parses as well.)
func FuzzParse(f *testing.F) {
	paths, _ := filepath.Glob("../../examples/*.hwnas")
	for _, p := range append(paths, "testdata/format/messy.hwnas") {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	f.Add(strings.Repeat("{", 100))
	f.Fuzz(func(t *testing.T, src string) {
		_ = Tokens(src)
		file, err := Parse("fuzz.hwnas", src)
		if err != nil {
			_ = render(err)
			return
		}
		out := Format(file)
		f2, err := Parse("fuzz.hwnas", out)
		if err != nil {
			t.Fatalf("formatted text does not parse: %v\n--- input\n%q\n--- formatted\n%s", err, src, out)
		}
		if again := Format(f2); again != out {
			t.Fatalf("format not idempotent\n--- once\n%s\n--- twice\n%s", out, again)
		}
	})
}

func TestLimits(t *testing.T) {
	_, err := Parse("big.hwnas", strings.Repeat(" ", MaxSourceBytes+1))
	if err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("oversized input: %v", err)
	}
	deep := "space s " + strings.Repeat("{ repeat 1 ", 50000) + strings.Repeat("}", 50000)
	start := time.Now()
	_, err = Parse("deep.hwnas", deep)
	if err == nil || !strings.Contains(err.Error(), "nesting deeper") {
		t.Errorf("deep input: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("deep input took %v", d)
	}
	sets := "space s { input 8x8x1 conv { filters in " + strings.Repeat("{", 40) + "1" + strings.Repeat("}", 40) + " } head dense(2) }"
	if _, err := Parse("sets.hwnas", sets); err == nil {
		t.Errorf("deep sets accepted")
	}
}
