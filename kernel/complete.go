package kernel

import (
	"fmt"
	"go/scanner"
	"go/token"
	"reflect"
	"sort"
	"strings"

	"github.com/hwnas/hwnas/dsl"
	"github.com/hwnas/hwnas/kernel/core"
)

var goKeywords = []string{"break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough",
	"for", "func", "go", "goto", "if", "import", "interface", "map", "package", "range", "return", "select",
	"struct", "switch", "type", "var", "true", "false", "nil", "len", "cap", "append", "make", "new", "panic",
	"print", "println", "copy", "delete", "string", "int", "int64", "float64", "bool", "byte", "rune", "error", "any"}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// wordBefore returns the start of the identifier (with dots when dotted) ending at cursor.
func wordBefore(code string, cursor int, dotted bool) int {
	i := cursor
	for i > 0 && (isIdentByte(code[i-1]) || dotted && code[i-1] == '.') {
		i--
	}
	return i
}

// Complete returns matches for the identifier before cursor.
func (s *Session) Complete(code string, cursor int) core.Completion {
	cursor = min(max(cursor, 0), len(code))
	kind, _, _ := classify(code)
	lineStart := strings.LastIndexByte(code[:cursor], '\n') + 1
	line := code[lineStart:cursor]
	if strings.HasPrefix(strings.TrimSpace(line), "%") && !strings.Contains(strings.TrimSpace(line), " ") {
		start := lineStart + strings.Index(line, "%")
		prefix := code[start+1 : cursor]
		var m []string
		for _, n := range magicNames {
			if strings.HasPrefix(n, strings.TrimPrefix(prefix, "%")) {
				m = append(m, "%"+n)
			}
		}
		if strings.HasPrefix("%go", prefix) {
			m = append(m, "%%go")
		}
		return core.Completion{Matches: m, CursorStart: start, CursorEnd: cursor}
	}
	if kind == goCell {
		return s.completeGo(code, cursor)
	}
	m, start, end := s.dsl.complete(code, cursor)
	return core.Completion{Matches: m, CursorStart: start, CursorEnd: end}
}

func (s *Session) completeGo(code string, cursor int) core.Completion {
	start := wordBefore(code, cursor, true)
	word := code[start:cursor]
	if pkg, prefix, ok := strings.Cut(word, "."); ok && !strings.Contains(prefix, ".") {
		var cands []string
		if syms, _ := s.goS.members(pkg); syms != nil {
			for name := range syms {
				if !strings.HasPrefix(name, "_") {
					cands = append(cands, name)
				}
			}
		} else if v, ok := s.goS.global(pkg); ok && v.IsValid() {
			cands = fieldsAndMethods(v)
		}
		return core.Completion{Matches: filterPrefix(cands, prefix), CursorStart: start + len(pkg) + 1, CursorEnd: cursor}
	}
	cands := append(s.goS.names(), goKeywords...)
	return core.Completion{Matches: filterPrefix(cands, word), CursorStart: start, CursorEnd: cursor}
}

// fieldsAndMethods lists the exported fields and methods of a value.
func fieldsAndMethods(v reflect.Value) []string {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	var out []string
	t := v.Type()
	if t.Kind() == reflect.Struct {
		for i := range t.NumField() {
			if t.Field(i).IsExported() {
				out = append(out, t.Field(i).Name)
			}
		}
	}
	pt := reflect.PointerTo(t)
	for i := range pt.NumMethod() {
		out = append(out, pt.Method(i).Name)
	}
	return out
}

func filterPrefix(cands []string, prefix string) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range cands {
		if strings.HasPrefix(c, prefix) && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

// Inspect documents the name under the cursor.
func (s *Session) Inspect(code string, cursor, detail int) (map[string]any, bool) {
	cursor = min(max(cursor, 0), len(code))
	start := wordBefore(code, cursor, true)
	end := cursor
	for end < len(code) && isIdentByte(code[end]) {
		end++
	}
	if start > 0 && code[start-1] == '%' {
		start--
	}
	word := strings.Trim(code[start:end], ".")
	if word == "" {
		return nil, false
	}
	if text := dsl.DocAt(code, cursor); text != "" { // a setting is documented by the block it is in
		return map[string]any{"text/plain": text}, true
	}
	text, ok := s.doc(word)
	if !ok {
		return nil, false
	}
	return map[string]any{"text/plain": text}, true
}

// doc finds documentation for a magic, a DSL name, a Go global or a Go package member.
func (s *Session) doc(word string) (string, bool) {
	if name, ok := strings.CutPrefix(word, "%"); ok {
		if m, ok := magicTable[name]; ok {
			return m.usage, true
		}
		if name == "%go" {
			return "%%go — the rest of the cell is Go code run by yaegi", true
		}
		return "", false
	}
	if d, ok := s.dsl.doc(word); ok {
		return d, true
	}
	if word == "display" {
		return displayDoc, true
	}
	if pkg, name, ok := strings.Cut(word, "."); ok {
		if syms, path := s.goS.members(pkg); syms != nil {
			if v, ok := syms[name]; ok {
				return fmt.Sprintf("%s.%s (package %s)\n%s", pkg, name, path, describe(v)), true
			}
		}
		return "", false
	}
	if v, ok := s.goS.global(word); ok {
		return fmt.Sprintf("%s: %s", word, describe(v)), true
	}
	if _, path := s.goS.members(word); path != "" {
		return fmt.Sprintf("package %s (import %q)", word, path+"/"+word), true
	}
	return "", false
}

// describe renders a value's type, and its value when it is not a function.
func describe(v reflect.Value) string {
	if !v.IsValid() {
		return "invalid value"
	}
	t := v.Type()
	if t.Kind() == reflect.Func {
		return t.String()
	}
	if t.Kind() == reflect.Pointer && v.IsNil() && t.Elem().Kind() != reflect.Struct {
		return "type " + t.Elem().String()
	}
	if v.CanInterface() {
		return fmt.Sprintf("%s = %v", t, v.Interface())
	}
	return t.String()
}

// IsComplete reports whether a cell is ready to run.
func (s *Session) IsComplete(code string) (string, string) {
	kind, body, _ := classify(code)
	switch kind {
	case goCell:
		return goComplete(body)
	case magicCell, pageCell:
		return "complete", ""
	}
	if st, indent := braceComplete(code); st != "complete" {
		return st, indent
	}
	if ok, indent := dsl.IsComplete(code); !ok {
		return "incomplete", indent
	}
	return "complete", ""
}

// goComplete checks bracket balance and unterminated literals of Go code.
func goComplete(src string) (string, string) {
	fset := token.NewFileSet()
	file := fset.AddFile("cell", -1, len(src))
	var sc scanner.Scanner
	unterminated := false
	sc.Init(file, []byte(src), func(_ token.Position, msg string) {
		if strings.Contains(msg, "not terminated") {
			unterminated = true
		}
	}, 0)
	depth := 0
	for {
		_, tok, _ := sc.Scan()
		if tok == token.EOF {
			break
		}
		switch tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			depth--
			if depth < 0 {
				return "invalid", ""
			}
		}
	}
	if unterminated || depth > 0 {
		return "incomplete", strings.Repeat("\t", max(depth, 0))
	}
	return "complete", ""
}

// braceComplete checks the brace balance of DSL code, skipping "strings"
// and # comments.
func braceComplete(src string) (string, string) {
	depth, inStr := 0, false
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case inStr:
			if c == '\\' {
				i++
			} else if c == '"' {
				inStr = false
			} else if c == '\n' {
				return "invalid", ""
			}
		case c == '"':
			inStr = true
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '{' || c == '(':
			depth++
		case c == '}' || c == ')':
			depth--
			if depth < 0 {
				return "invalid", ""
			}
		}
	}
	if inStr {
		return "invalid", ""
	}
	if depth > 0 {
		return "incomplete", strings.Repeat("  ", depth)
	}
	return "complete", ""
}
