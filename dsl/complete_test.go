package dsl

import (
	"sort"
	"strings"
	"testing"
)

func TestComplete(t *testing.T) {
	src := `platform pynq from "PYNQ-Z1"
space fnas { input 28x28x1 conv { filters = 4 } head gap, dense(10) }
dataset mnist { source = builtin("mnist") }
experiment e {
  space = fnas
  |
}
`
	tests := []struct {
		src  string
		want []string // must all be offered
		not  []string // must not be offered
	}{
		{src, []string{"maximize", "require", "strategy", "budget", "hardware"}, []string{"input", "import"}},
		{strings.Replace(src, "|", "max|", 1), []string{"maximize"}, []string{"minimize"}},
		{strings.Replace(src, "|", "maximize |", 1), []string{"accuracy", "latency", "throughput"}, []string{"maximize"}},
		{strings.Replace(src, "|", "maximize accuracy, l|", 1), []string{"latency", "lut"}, []string{"accuracy"}},
		{strings.Replace(src, "|", "platform = |", 1), []string{"pynq", `"PYNQ-Z1"`, `"ZCU102"`}, []string{"fnas"}},
		{strings.Replace(src, "|", "dataset = |", 1), []string{"mnist"}, []string{"pynq"}},
		{strings.Replace(src, "|", "strategy |", 1), []string{"reinforce", "nsga2", "random"}, nil},
		{strings.Replace(src, "|", "strategy reinforce { hi|", 1), []string{"hidden"}, []string{"lr"}},
		{strings.Replace(src, "|", "strategy nsga2 { population = 3 |", 1), []string{"crossover", "population"}, []string{"hidden"}},
		{"|", []string{"platform", "space", "experiment", "import", "run"}, []string{"maximize"}},
		{"platform p from |", []string{`"PYNQ-Z1"`, `"ZC706"`}, nil},
		{"platform p from \"ZC706\" { |", []string{"clock", "precision", "dsp"}, []string{"kernel"}},
		{"platform p from \"ZC706\" { precision = |", []string{"int8", "int16", "fp32"}, nil},
		{"space s { |", []string{"input", "repeat", "conv", "head", "cell"}, []string{"clock"}},
		{"space s { repeat 4 { conv { k|", []string{"kernel"}, []string{"filters", "units"}},
		{"space s { repeat 4 { conv { kernel in {3, 5}  |", []string{"filters", "stride"}, []string{"units"}},
		{"space s { cell { ops in {none, |", []string{"skip", "conv3x3"}, nil},
		{"experiment e { } run |", nil, []string{"platform"}},
		{"platform p from \"ZC|", []string{"ZC706", "ZCU102", "ZCU104"}, []string{"PYNQ-Z1", `"ZC706"`}},
		{"experiment e { platform = \"pyn|", []string{"PYNQ-Z1"}, nil},
		{"pool p { \"ZCU102\" x 2, \"Z|", []string{"ZC706"}, nil},
		{"dataset d { source = builtin(\"mn|", nil, []string{"PYNQ-Z1", "mnist"}},
		{"experiment e { }\nrun |", []string{"e"}, nil},
	}
	for _, tt := range tests {
		off := strings.Index(tt.src, "|")
		src := strings.Replace(tt.src, "|", "", 1)
		got := map[string]bool{}
		for _, c := range Complete(src, off) {
			got[c.Text] = true
			if c.End != off || c.Start > off || !strings.HasPrefix(strings.ToLower(c.Text), strings.ToLower(strings.TrimPrefix(src[c.Start:c.End], `"`))) {
				t.Errorf("%q: completion %+v does not replace the word at the cursor", tt.src, c)
			}
		}
		for _, w := range tt.want {
			if !got[w] {
				t.Errorf("%q: missing %s; got %v", tt.src, w, keys(got))
			}
		}
		for _, w := range tt.not {
			if got[w] {
				t.Errorf("%q: offers %s", tt.src, w)
			}
		}
	}
	if Complete("abc", 10) != nil || Complete("abc", -1) != nil {
		t.Error("out-of-range offsets must give nothing")
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestDoc(t *testing.T) {
	for word, want := range map[string]string{
		"require":   "hard constraint",
		"latency":   "latency (ms)",
		"accuracy":  "fraction",
		"MHz":       "frequency",
		"conv":      "kernel, filters, stride",
		"reinforce": "REINFORCE",
		"hidden":    "LSTM units",
		"PYNQ-Z1":   "220 DSP",
		"pynq":      "PYNQ-Z1",
		"conv3x3":   "cell edge op",
	} {
		if got := Doc(word); !strings.Contains(got, want) {
			t.Errorf("Doc(%q) = %q, want it to contain %q", word, got, want)
		}
	}
	if Doc("nonsense_word") != "" {
		t.Error("unknown words have no doc")
	}
}

func TestIsComplete(t *testing.T) {
	tests := []struct {
		src      string
		complete bool
		indent   string
	}{
		{"space s {", false, "  "},
		{"space s { repeat 2 {", false, "    "},
		{"space s { }", true, ""},
		{"run x", true, ""},
		{"# just { a comment", true, ""},
		{`dataset d { source = builtin("mnist"`, false, "    "},
		{"space s { } }", true, ""},
	}
	for _, tt := range tests {
		c, in := IsComplete(tt.src)
		if c != tt.complete || in != tt.indent {
			t.Errorf("IsComplete(%q) = %v %q, want %v %q", tt.src, c, in, tt.complete, tt.indent)
		}
	}
}

// TestDocFollowsBlock: a strategy parameter is documented as the strategy
// whose block the cursor is in has it. population is 20 for evolution and 50
// for nsga2; hidden is a parameter of reinforce and of coexplore. Before,
// help showed the first strategy in name order that had the word.
func TestDocFollowsBlock(t *testing.T) {
	src := `experiment e {
  strategy nsga2 { crossover = 0.8  popu|lation = 60 }
}
experiment f {
  strategy reinforce { hid|den = 32 }
}
experiment g {
  strategy evolution { population = 10 }
  budget 3 tri|als
}
`
	var offs []int
	for strings.Contains(src, "|") {
		offs = append(offs, strings.Index(src, "|"))
		src = strings.Replace(src, "|", "", 1)
	}
	for i, want := range []string{
		"population (strategy nsga2, default 50) — parents kept per generation",
		"hidden (strategy reinforce, default 32) — LSTM units",
		Doc("trials"),
	} {
		if got := DocAt(src, offs[i]); !strings.HasPrefix(got, want) {
			t.Errorf("DocAt(%q) = %q, want %q…", src[offs[i]-4:offs[i]+4], got, want)
		}
		if got := NewSession(".").DocAt(src, offs[i]); !strings.HasPrefix(got, want) {
			t.Errorf("Session.DocAt(%q) = %q, want %q…", src[offs[i]-4:offs[i]+4], got, want)
		}
	}
	// A completion's doc follows the block too.
	cs := Complete("experiment e { strategy nsga2 { pop", 35)
	if want := "population (strategy nsga2, default 50)"; len(cs) != 1 || !strings.HasPrefix(cs[0].Doc, want) {
		t.Errorf("completions %+v, want population with doc %s…", cs, want)
	}
	// Without a block, a parameter of several strategies names them all.
	if got := Doc("population"); !strings.Contains(got, "evolution (default 20)") || !strings.Contains(got, "nsga2 (default 50)") {
		t.Errorf("Doc(population) = %q", got)
	}
	if got, want := Doc("embed"), "embed (strategy coexplore, reinforce; default 20) — embedding size per decision (FNAS 20)"; got != want {
		t.Errorf("Doc(embed) = %q, want %q", got, want)
	}
	if got := Doc("hidden"); !strings.Contains(got, "bananas (default 20)") || !strings.Contains(got, "reinforce (default 32)") {
		t.Errorf("Doc(hidden) = %q", got)
	}
}
