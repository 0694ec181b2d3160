package dsl

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzParseCheck: parsing, checking and formatting any input never panics,
// never hangs, and formatting a file that parses gives a file that parses to
// the same layout.
func FuzzParseCheck(f *testing.F) {
	files, _ := filepath.Glob("../examples/*.hwnas")
	more, _ := filepath.Glob("testdata/errors/*.hwnas")
	for _, p := range append(files, more...) {
		b, err := os.ReadFile(p)
		if err == nil {
			f.Add(string(b))
		}
	}
	f.Add("space s { repeat 1..3 shared { choice { conv { kernel in 1..9 step 2 filters = 3 } skip } } }")
	f.Add(strings.Repeat("{", 100))
	f.Fuzz(func(t *testing.T, src string) {
		file, err := Parse("fuzz.hwnas", src)
		_ = Complete(src, len(src)/2)
		_, _ = IsComplete(src)
		if err != nil {
			_ = err.Error()
			return
		}
		if _, err := Check(file); err != nil {
			_ = err.Error()
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

// bigSpec builds a spec of about n lines: platforms, spaces, datasets and
// experiments that reference each other.
func bigSpec(n int) string {
	var b strings.Builder
	for i := 0; b.Len() == 0 || strings.Count(b.String(), "\n") < n; i++ {
		fmt.Fprintf(&b, `platform p%d from "ZCU102" {
  clock = %d MHz
  precision = int16
}
space s%d {
  input 28x28x1
  repeat 1..3 {
    conv { kernel in {3, 5, 7}  filters in 8..64 step 8 }
    optional maxpool { kernel = 2 }
  }
  head gap, dense(10)
}
dataset d%d {
  source = builtin("mnist")
  train = 1000
  epochs = 1
}
experiment e%d {
  space = s%d
  platform = p%d
  dataset = d%d
  maximize accuracy
  minimize latency
  require latency <= 8 ms  # a comment
  strategy nsga2 { population = 10 }
  budget 50 trials 1 h
  seed %d
}
`, i, 100+i, i, i, i, i, i, i, i)
	}
	return b.String()
}

func TestBigSpec(t *testing.T) {
	src := bigSpec(1000)
	s, err := LoadSource("big.hwnas", src, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Experiments) < 30 {
		t.Errorf("%d experiments", len(s.Experiments))
	}
}

// BenchmarkParseCheck1000Lines: the target is under 50 ms per 1,000 lines.
func BenchmarkParseCheck1000Lines(b *testing.B) {
	src := bigSpec(1000)
	b.SetBytes(int64(len(src)))
	for i := 0; i < b.N; i++ {
		if _, err := LoadSource("big.hwnas", src, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFormat1000Lines(b *testing.B) {
	f, err := Parse("big.hwnas", bigSpec(1000))
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		_ = Format(f)
	}
}
