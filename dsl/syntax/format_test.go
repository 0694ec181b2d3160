package syntax

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/internal/golden"
)

// TestFormatExamples: formatting every example is idempotent and keeps every
// comment (dsl's TestFormatKeepsHash: and changes no hash).
func TestFormatExamples(t *testing.T) {
	files, _ := filepath.Glob("../../examples/*.hwnas")
	if len(files) < 5 {
		t.Fatalf("only %d examples", len(files))
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := Parse(path, string(src))
			if err != nil {
				t.Fatal(err)
			}
			once := Format(f)
			f2, err := Parse(path, once)
			if err != nil {
				t.Fatalf("formatted text does not parse: %v\n%s", err, once)
			}
			if twice := Format(f2); twice != once {
				t.Errorf("not idempotent:\n--- once\n%s\n--- twice\n%s", once, twice)
			}
			if a, b := len(f.Comments), len(f2.Comments); a != b {
				t.Errorf("%d comments became %d", a, b)
			}
		})
	}
}

// TestFormatGolden pins the canonical layout of a messy file.
func TestFormatGolden(t *testing.T) {
	src, err := os.ReadFile("testdata/format/messy.hwnas")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse("messy.hwnas", string(src))
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "format/messy.golden", Format(f))
}

func TestFormatKeepsCommentsInsideInlineBlocks(t *testing.T) {
	src := "space s {\n  input 8x8x1\n  conv { kernel in {3, 5}  # small kernels\n    filters = 8 }\n  head gap, dense(2)\n}\n"
	f, err := Parse("c.hwnas", src)
	if err != nil {
		t.Fatal(err)
	}
	out := Format(f)
	if !strings.Contains(out, "# small kernels") {
		t.Fatalf("comment lost:\n%s", out)
	}
	f2, _ := Parse("c.hwnas", out)
	if Format(f2) != out {
		t.Errorf("not idempotent:\n%s", out)
	}
}

func TestFormatHeaderComment(t *testing.T) {
	src := "space s { input 8x8x1  # the input\n  conv { filters = 2 } head gap, dense(2) }  # end\n"
	f, err := Parse("h.hwnas", src)
	if err != nil {
		t.Fatal(err)
	}
	want := "space s {\n  input 8x8x1  # the input\n  conv { filters = 2 }\n  head gap, dense(2)\n}  # end\n"
	if got := Format(f); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
