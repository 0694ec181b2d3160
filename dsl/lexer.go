package dsl

import (
	"github.com/alecthomas/participle/v2/lexer"
)

// Limits that keep a hostile input from exhausting the parser: participle
// recurses once per nesting level and Go cannot recover a stack overflow.
const (
	MaxSourceBytes = 1 << 20 // bytes of one file
	MaxNesting     = 32      // depth of nested {…} and (…)
)

// The rules are tried in order and the first match wins (participle's simple
// lexer is not longest-match): dimensions before numbers, known units before
// identifiers, multi-character punctuation before single characters. Invalid
// catches any other character so that the parser, not the lexer, reports it
// at its position.
var lexDef = lexer.MustSimple([]lexer.SimpleRule{
	{Name: "Comment", Pattern: `#[^\n]*`},
	{Name: "Dims", Pattern: `\d+x\d+(?:x\d+)?`},
	{Name: "Number", Pattern: `\d+(?:\.\d+)?(?:[eE][-+]?\d+)?`},
	{Name: "String", Pattern: `"(?:\\.|[^"\\\n])*"`},
	{Name: "BadString", Pattern: `"[^\n]*`},
	{Name: "Unit", Pattern: `[GM][Bb]/s|%`}, // units that are not words; the others are Idents matched by name
	{Name: "Ident", Pattern: `[A-Za-z_][A-Za-z0-9_]*`},
	{Name: "Punct", Pattern: `->|\.\.|<=|>=|==|[{}(),=<>*\-+/]`},
	{Name: "Whitespace", Pattern: `[ \t\r\n]+`},
	{Name: "Invalid", Pattern: `.|\n`},
})

var tokType = lexDef.Symbols()

// scan lexes src completely and reports what the grammar cannot say well:
// unterminated strings, characters outside the language, and nesting deeper
// than MaxNesting. It also returns the comments, which the formatter keeps.
func scan(filename, src string) (comments []lexer.Token, errs ErrorList) {
	lx, err := lexDef.LexString(filename, src)
	if err != nil {
		errs.add(newError(src, lexer.Position{Filename: filename, Line: 1, Column: 1}, lexer.Position{}, "%v", err))
		return nil, errs
	}
	depth := 0
	for {
		t, err := lx.Next()
		if err != nil {
			errs.add(newError(src, lexer.Position{Filename: filename, Line: 1, Column: 1}, lexer.Position{}, "%v", err))
			return comments, errs
		}
		if t.EOF() {
			return comments, errs
		}
		switch t.Type {
		case tokType["Comment"]:
			comments = append(comments, t)
		case tokType["BadString"]:
			errs.add(newError(src, t.Pos, endOf(t), "unterminated string: add the closing \""))
		case tokType["Invalid"]:
			errs.add(newError(src, t.Pos, endOf(t), "unexpected character %q", t.Value))
		case tokType["Punct"]:
			switch t.Value {
			case "{", "(":
				depth++
				if depth > MaxNesting {
					errs.add(newError(src, t.Pos, endOf(t), "nesting deeper than %d levels", MaxNesting))
					return comments, errs
				}
			case "}", ")":
				depth--
			}
		}
	}
}

// endOf returns the position just after token t.
func endOf(t lexer.Token) lexer.Position {
	p := t.Pos
	for _, r := range t.Value {
		p.Offset += len(string(r))
		if r == '\n' {
			p.Line++
			p.Column = 1
		} else {
			p.Column++
		}
	}
	return p
}
