// Package docs holds the reference pages of hwnas; its test checks that
// cli.md documents every command and flag of the real command line.
package docs

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hwnas/hwnas/internal/hwnastest"
)

var (
	commandLine = regexp.MustCompile(`^  ([a-z][a-z0-9-]*)\s{2,}\S`)
	flagLine    = regexp.MustCompile(`^\s+(?:-[a-zA-Z], )?--([a-z][a-z0-9-]*)`)
)

var (
	buildOnce sync.Once
	binDir    string // removed by TestMain
	binPath   string
	binErr    error
)

// hwnasBinary builds cmd/hwnas once for the package's tests.
func hwnasBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "hwnas-docs-"); binErr != nil {
			return
		}
		binPath, binErr = hwnastest.BuildHwnas(binDir)
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// helpOf runs `hwnas ARGS... --help` and returns its sub-commands and flags.
func helpOf(t *testing.T, bin string, args []string) (cmds, flags []string) {
	t.Helper()
	out, err := exec.Command(bin, append(args, "--help")...).CombinedOutput()
	if err != nil {
		t.Fatalf("hwnas %s --help: %v\n%s", strings.Join(args, " "), err, out)
	}
	section := ""
	for _, line := range strings.Split(string(out), "\n") {
		switch {
		case strings.HasSuffix(line, ":") && !strings.HasPrefix(line, " "):
			section = line
		case line == "":
			section = ""
		case section == "Available Commands:":
			if m := commandLine.FindStringSubmatch(line); m != nil {
				cmds = append(cmds, m[1])
			}
		case section == "Flags:":
			if m := flagLine.FindStringSubmatch(line); m != nil && m[1] != "help" {
				flags = append(flags, m[1])
			}
		}
	}
	return cmds, flags
}

// sectionOf returns the part of doc under "## hwnas TOP", up to the next "## ".
func sectionOf(doc, top string) string {
	_, after, ok := strings.Cut(doc, "\n## hwnas "+top+"\n")
	if !ok {
		return ""
	}
	if i := strings.Index(after, "\n## "); i >= 0 {
		after = after[:i]
	}
	return after
}

// TestCLIDocumented walks the real binary's help, command by command, and
// checks that cli.md names every command ("hwnas run", "hwnas kernel
// install") and, in the section of its top-level command, every flag.
func TestCLIDocumented(t *testing.T) {
	raw, err := os.ReadFile("cli.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	bin := hwnasBinary(t)
	seen := 0
	var walk func(path []string)
	walk = func(path []string) {
		cmds, flags := helpOf(t, bin, path)
		if len(path) > 0 {
			seen++
			name := "hwnas " + strings.Join(path, " ")
			if !strings.Contains(doc, name) {
				t.Errorf("docs/cli.md does not mention %q", name)
			}
			// Flags of cobra's generated help and completion commands are not ours.
			if path[0] != "completion" && path[0] != "help" {
				sec := sectionOf(doc, path[0])
				if sec == "" {
					t.Errorf("docs/cli.md has no section \"## hwnas %s\"", path[0])
				}
				for _, f := range flags {
					if !strings.Contains(sec, "--"+f) {
						t.Errorf("docs/cli.md, section hwnas %s: flag --%s of %q is not documented", path[0], f, name)
					}
				}
			}
		}
		for _, c := range cmds {
			if c == "help" && len(path) > 0 {
				continue
			}
			walk(append(append([]string{}, path...), c))
		}
	}
	walk(nil)
	if seen < 10 {
		t.Fatalf("found only %d commands in the help output; the parser no longer matches cobra's layout", seen)
	}
}
