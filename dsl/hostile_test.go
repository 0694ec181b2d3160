package dsl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/dsl/syntax"
)

// A file name that is not UTF-8 can be imported, written as it is in the
// string: the unquoting used to replace the bytes by U+FFFD.
func TestImportNonUTF8Name(t *testing.T) {
	dir := t.TempDir()
	name := "\xff\xfe.hwnas"
	os.WriteFile(filepath.Join(dir, name), []byte(`platform p from "ZCU102" { clock = 100 MHz }`+"\n"), 0o644)
	for _, lit := range []string{name, `\xff\xfe.hwnas`} {
		main := filepath.Join(dir, "main.hwnas")
		os.WriteFile(main, []byte(`import "`+lit+`"`+"\n"), 0o644)
		spec, err := Load(main)
		if err != nil {
			t.Fatalf("import %q: %v", lit, err)
		}
		if _, ok := spec.Platforms["p"]; !ok {
			t.Fatalf("import %q: the platform was not declared", lit)
		}
	}
}

// Importing a file that is not a spec (here one like /etc/shadow) shows one
// error and none of the file's lines: it used to quote each line.
func TestImportNotASpec(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "shadow"), []byte("root:$6$rootsecret:20228:0:99999:7:::\nalice:$6$alicesecret:20228:0:99999:7:::\n"), 0o644)
	main := filepath.Join(dir, "main.hwnas")
	os.WriteFile(main, []byte(`import "shadow"`+"\n"), 0o644)
	_, err := Load(main)
	if err == nil {
		t.Fatal("a non-spec file imported without error")
	}
	var b strings.Builder
	syntax.PrintError(&b, err)
	out := b.String()
	if strings.Contains(out, "secret") || strings.Count(out, "error:") != 1 || !strings.Contains(out, "(is this file a spec?)") {
		t.Fatalf("errors:\n%s", out)
	}
}

// A file name holding a terminal escape sequence is printed quoted.
func TestEscapeInFileName(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "\x1b[31mred.hwnas")
	os.WriteFile(name, []byte("junk junk\n"), 0o644)
	_, err := Load(name)
	var b strings.Builder
	syntax.PrintError(&b, err)
	if out := b.String(); err == nil || strings.Contains(out, "\x1b") || !strings.Contains(out, `\x1b[31mred.hwnas":1:1: error`) {
		t.Fatalf("errors:\n%q", out)
	}
}
