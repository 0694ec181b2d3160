package dsl

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/dsl/syntax"
	"github.com/hwnas/hwnas/internal/golden"
)

// render prints err as the command line does: every error with its source
// line and caret.
func render(err error) string {
	var b strings.Builder
	syntax.PrintError(&b, err)
	return b.String()
}

// TestErrorRendering pins the rendered errors of every file in
// testdata/errors: file:line:col, the source line and the caret.
func TestErrorRendering(t *testing.T) {
	files, _ := filepath.Glob("testdata/errors/*.hwnas")
	if len(files) == 0 {
		t.Fatal("no test files")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			_, err := Load(f)
			if err == nil {
				t.Fatal("no error")
			}
			var el syntax.ErrorList
			if !errors.As(err, &el) {
				t.Fatalf("error is %T, not an ErrorList: %v", err, err)
			}
			golden.Check(t, strings.TrimSuffix(f, ".hwnas")[len("testdata/"):]+".golden", render(err))
		})
	}
}

// TestExamples parses and checks every example and checks what the engine
// relies on.
func TestExamples(t *testing.T) {
	files, _ := filepath.Glob("../examples/*.hwnas")
	if len(files) < 5 {
		t.Fatalf("only %d examples", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			s, err := Load(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range s.Order {
				e := s.Experiments[n]
				if e.Hash() == "" || !strings.HasPrefix(e.Source, "experiment "+n) || !strings.HasSuffix(e.Source, "}") {
					t.Errorf("%s: hash %q source %q", n, e.Hash(), e.Source)
				}
				if e.Space == nil || e.Evaluator == nil || e.Trials+int(e.TimeMs) == 0 {
					t.Errorf("%s: incomplete %+v", n, e)
				}
				// What the store keeps checks on its own, to the same experiment.
				alone, err := LoadSource(filepath.Join(filepath.Dir(f), "standalone.hwnas"), e.Standalone, nil)
				if err != nil {
					t.Errorf("%s: the standalone spec does not check: %v\n%s", n, err, e.Standalone)
				} else if a := alone.Experiments[n]; a == nil || a.Hash() != e.Hash() || a.Standalone != e.Standalone {
					t.Errorf("%s: the standalone spec checks to another experiment\n%s", n, e.Standalone)
				}
			}
		})
	}
}

func TestFNASExample(t *testing.T) {
	s, err := Load("../examples/fnas_mnist.hwnas")
	if err != nil {
		t.Fatal(err)
	}
	e := s.Experiments["fnas"]
	if got := len(e.Space.Space.Decisions()); got != 8 {
		t.Fatalf("decisions %d", got)
	}
	size := int64(1)
	for _, d := range e.Space.Space.Decisions() {
		size *= int64(len(d.Choices))
	}
	if size != 6561 {
		t.Errorf("FNAS space has %d genomes, want 3^8 = 6561", size)
	}
	if e.Platform == nil || e.Platform.Device.ClockMHz != 100 || e.Platform.Catalog != "PYNQ-Z1" || e.Platform.Device.DSP != 220 {
		t.Errorf("platform %+v", e.Platform)
	}
	if len(e.Constraints) != 1 || e.Constraints[0] != (Constraint{Metric: "latency", Op: "<=", Limit: 3}) {
		t.Errorf("constraints %+v", e.Constraints)
	}
	if e.Strategy.Kind != "reinforce" || e.Strategy.Params["hidden"] != 32 || e.Trials != 30 || e.Seed != 1 {
		t.Errorf("strategy %+v trials %d seed %d", e.Strategy, e.Trials, e.Seed)
	}
	if e.Dataset.Train != 4000 || e.Dataset.Builtin != "mnist" || e.Dataset.Epochs != 2 {
		t.Errorf("dataset %+v", e.Dataset)
	}
	if len(s.Runs) != 1 || s.Runs[0] != "fnas" {
		t.Errorf("runs %v", s.Runs)
	}
	n, err := e.Space.Space.Decode(make([]int, 8))
	if err != nil || n.Classes != 10 {
		t.Errorf("decode: %v", err)
	}
}

// TestUnits checks canonical units and dimension errors.
func TestUnits(t *testing.T) {
	tests := []struct {
		src   string // an experiment body line
		limit float64
		err   string
	}{
		{"require latency <= 8 ms", 8, ""},
		{"require latency <= 500 us", 0.5, ""},
		{"require latency <= 2 s", 2000, ""},
		{"require latency <= 8ms", 8, ""},
		{"require accuracy >= 92 %", 0.92, ""},
		{"require accuracy >= 0.9", 0.9, ""},
		{"require energy <= 2 J", 2000, ""},
		{"require power <= 500 mW", 0.5, ""},
		{"require throughput >= 100 fps", 100, ""},
		{"require dsp <= 220", 220, ""},
		{"require latency <= 8 MHz", 0, "latency limit needs a unit of time (ns, us, ms, s, min, h); MHz is a unit of frequency"},
		{"require latency <= 8", 0, "latency limit needs a unit of time"},
		{"require dsp <= 8 W", 0, "dsp limit is a plain number; W is a unit of power"},
		{"require accuracy >= 92", 0, "not a fraction: write 92 %"},
		{"require latency <= -1 ms", 0, "must not be negative"},
	}
	for _, tt := range tests {
		src := "platform p from \"PYNQ-Z1\"\nspace s { input 28x28x1 conv { filters = 2 } head gap, dense(10) }\n" +
			"dataset d { source = builtin(\"mnist\") }\nexperiment e { space = s platform = p dataset = d maximize accuracy budget 1 trials\n" + tt.src + "\n}\n"
		s, err := LoadSource("u.hwnas", src, nil)
		if tt.err != "" {
			if err == nil || !strings.Contains(render(err), tt.err) {
				t.Errorf("%s: err %v, want %q", tt.src, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.src, err)
			continue
		}
		if got := s.Experiments["e"].Constraints[0].Limit; got < tt.limit*(1-1e-12) || got > tt.limit*(1+1e-12) {
			t.Errorf("%s: limit %g, want %g", tt.src, got, tt.limit)
		}
	}
}

func TestBandwidthUnits(t *testing.T) {
	s, err := LoadSource("b.hwnas", `pool p { "ZCU102" x 2  link = 10 Gb/s }
platform q from "ZC706" { bandwidth = 800 MB/s  clock = 0.2 GHz  static = 2500 mW }`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Pools["p"].Pool.LinkGBs; got != 1.25 || len(s.Pools["p"].Pool.Devices) != 2 {
		t.Errorf("link %g GB/s, want 1.25", got)
	}
	q := s.Platforms["q"]
	if q.Device.BandwidthGBs != 0.8 || q.Device.ClockMHz != 200 || q.Device.StaticW != 2.5 {
		t.Errorf("platform %+v", q.Device)
	}
}

// TestHashIgnoresLayout: comments, whitespace and names do not change a
// hash; any value does.
func TestHashIgnoresLayout(t *testing.T) {
	base, err := os.ReadFile("../examples/fnas_mnist.hwnas")
	if err != nil {
		t.Fatal(err)
	}
	hash := func(src string) string {
		t.Helper()
		s, err := LoadSource("h.hwnas", src, nil)
		if err != nil {
			t.Fatal(err)
		}
		return s.Experiments[s.Order[0]].Hash()
	}
	h0 := hash(string(base))
	f, _ := syntax.Parse("h.hwnas", string(base))
	formatted := syntax.Format(f)
	squashed := strings.Join(strings.Fields(stripComments(string(base))), " ")
	renamed := strings.ReplaceAll(string(base), "fnas_mnist", "other_name")
	// Raising the budget continues the same experiment.
	budget := strings.Replace(string(base), "budget 30 trials", "budget 60 trials 2 h\n  parallel 4", 1)
	// Where evaluations run does not change their results.
	executor := strings.Replace(string(base), "seed 1", "seed 1\n  executor = \"embedded\"", 1)
	for name, src := range map[string]string{"formatted": formatted, "squashed": squashed, "renamed": renamed, "budget": budget, "executor": executor} {
		if h := hash(src); h != h0 {
			t.Errorf("%s: hash %s, want %s", name, h, h0)
		}
	}
	for _, change := range [][2]string{{"train = 4000", "train = 4001"}, {"<= 3 ms", "<= 4 ms"}, {"14}", "13}"}, {"seed 1", "seed 2"}, {"clock = 100 MHz", "clock = 120 MHz"}, {"batchnorm = true", "batchnorm = false"}} {
		if h := hash(strings.Replace(string(base), change[0], change[1], 1)); h == h0 {
			t.Errorf("changing %q to %q kept the hash", change[0], change[1])
		}
	}
}

func stripComments(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if i := strings.IndexByte(l, '#'); i >= 0 {
			l = l[:i]
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// TestFormatKeepsHash: formatting an example changes no experiment's hash.
func TestFormatKeepsHash(t *testing.T) {
	files, _ := filepath.Glob("../examples/*.hwnas")
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := syntax.Parse(path, string(src))
		if err != nil {
			t.Fatal(err)
		}
		s1, err1 := LoadSource(path, string(src), os.ReadFile)
		s2, err2 := LoadSource(path, syntax.Format(f), os.ReadFile)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: check: %v / %v", path, err1, err2)
		}
		if s1.Hash() != s2.Hash() {
			t.Errorf("%s: formatting changed the spec hash", path)
		}
	}
}
