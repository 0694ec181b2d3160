package dsl

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/dsl/syntax"
)

// FuzzParseCheck: parsing, checking, completing and rendering the errors of
// any input never panics and never hangs. (syntax's FuzzParse checks that
// formatting what parses is stable.)
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
		_ = Complete(src, len(src)/2)
		_, _ = IsComplete(src)
		file, err := syntax.Parse("fuzz.hwnas", src)
		if err != nil {
			_ = render(err)
			return
		}
		if _, err := Check(file); err != nil {
			_ = render(err)
		}
	})
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
	f, err := syntax.Parse("big.hwnas", bigSpec(1000))
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		_ = syntax.Format(f)
	}
}
