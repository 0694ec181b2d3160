package kernel

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/internal/hwnastest"
)

// runmodeJS is CodeMirror 5's node runmode, from Debian's libjs-codemirror.
const runmodeJS = "/usr/share/javascript/codemirror/addon/runmode/runmode.node.js"

// TestKernelJSInstalled: the kernelspec carries kernel.js with the words of
// the language filled in.
func TestKernelJSInstalled(t *testing.T) {
	dir, err := Install(InstallOptions{Binary: "/bin/true", Prefix: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "kernel.js"))
	if err != nil {
		t.Fatal(err)
	}
	js := string(b)
	for _, want := range []string{`CodeMirror.defineMode("hwnas"`, `"experiment"`, `"reinforce"`, `"GB/s"`, `"latency"`} {
		if !strings.Contains(js, want) {
			t.Errorf("kernel.js lacks %s", want)
		}
	}
	if strings.Contains(js, "{{WORDS}}") {
		t.Error("kernel.js still holds the {{WORDS}} placeholder")
	}
	if (&Session{}).Info().CodeMirror != "hwnas" {
		t.Errorf("language_info asks for CodeMirror mode %q, not the one kernel.js defines", (&Session{}).Info().CodeMirror)
	}
}

// TestKernelJSHighlights runs the installed mode on DSL, magic and %%go
// cells with CodeMirror itself (node and Debian's libjs-codemirror; without
// them it skips, under CI=true it fails).
func TestKernelJSHighlights(t *testing.T) {
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(runmodeJS)
	}
	hwnastest.Need(t, "node with CodeMirror 5 (Debian nodejs, libjs-codemirror)", err)
	dir, err := Install(InstallOptions{Binary: "/bin/true", Prefix: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs(filepath.Join("testdata", "highlight_check.js"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		cell string
		want [][2]string
	}{
		{"experiment e {  # a search\n  input 28x28x1\n  require latency <= 3 ms\n  strategy reinforce { lr = 0.1 }\n  platform = \"PYNQ-Z1\"\n}",
			[][2]string{{"keyword", "experiment"}, {"comment", "# a search"}, {"operator", "x"}, {"keyword", "require"}, {"variable-2", "latency"},
				{"operator", "<="}, {"number", "3"}, {"atom", "ms"}, {"builtin", "reinforce"}, {"string", `"PYNQ-Z1"`}}},
		{"%platforms zynq", [][2]string{{"meta", "%platforms"}}},
		{"%%go\nfor _, t := range o.Trials { // go\n\tfmt.Println(t.ID, \"x\")\n}",
			[][2]string{{"meta", "%%go"}, {"keyword", "for"}, {"keyword", "range"}, {"comment", "// go"}, {"string", `"x"`}}},
	}
	for _, c := range cases {
		cmd := exec.Command(node, script, filepath.Join(dir, "kernel.js"), runmodeJS)
		cmd.Stdin = strings.NewReader(c.cell)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("node: %v\n%s", err, stderr.String())
		}
		var got [][2]string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		for _, w := range c.want {
			if !slices.Contains(got, w) {
				t.Errorf("cell %q: no token %v in %v", c.cell, w, got)
			}
		}
		if c.cell[0] == '%' && c.cell[1] == '%' && slices.Contains(got, [2]string{"keyword", "experiment"}) {
			t.Errorf("a %%%%go cell highlighted as DSL: %v", got)
		}
	}
}
