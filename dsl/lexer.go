package dsl

import (
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// Limits that keep a hostile input from exhausting the parser: participle
// recurses once per nesting level and Go cannot recover a stack overflow.
const (
	MaxSourceBytes = 1 << 20 // bytes of one file
	MaxNesting     = 32      // depth of nested {…} and (…)
	MaxLexErrors   = 10      // lexical errors reported before giving up on a file
	MaxLayerSize   = 1 << 16 // a layer's filters, units, kernel or stride: a typo's extra zeros must not allocate gigabytes
)

// The token types. Keywords are Idents matched by name in the grammar, and
// so are the units that are words (ms, MHz, W, …): a keyword token type would
// fight identifiers that start with a keyword.
const (
	tComment   lexer.TokenType = -(iota + 2)
	tDims                      // 28x28x1
	tNumber                    // 12, 0.5, 1e-3
	tString                    // "text" with Go escapes
	tBadString                 // a string without its closing quote
	tUnit                      // GB/s, Gb/s, MB/s, Mb/s, %: the units that are not words
	tIdent
	tPunct // -> .. <= >= == { } ( ) , = < > * - + /
	tWhitespace
	tInvalid // any other character, reported by the checker at its position
)

var tokType = map[string]lexer.TokenType{
	"EOF": lexer.EOF, "Comment": tComment, "Dims": tDims, "Number": tNumber, "String": tString,
	"BadString": tBadString, "Unit": tUnit, "Ident": tIdent, "Punct": tPunct, "Whitespace": tWhitespace, "Invalid": tInvalid,
}

// lexDef is a hand-written lexer: linear in the input (participle's regexp
// lexer re-scans the rest of the input at every token, which costs more than
// the whole parse on a large file).
var lexDef lexDefinition

type lexDefinition struct{}

func (lexDefinition) Symbols() map[string]lexer.TokenType { return tokType }

func (d lexDefinition) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return d.LexString(filename, string(b))
}

func (lexDefinition) LexString(filename, src string) (lexer.Lexer, error) {
	return &lexState{src: src, pos: lexer.Position{Filename: filename, Line: 1, Column: 1}}, nil
}

type lexState struct {
	src string
	pos lexer.Position
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }

// digits returns the end of a run of digits starting at i.
func digits(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// Next returns the next token; it never fails.
func (l *lexState) Next() (lexer.Token, error) {
	s, i := l.src, l.pos.Offset
	if i >= len(s) {
		return lexer.EOFToken(l.pos), nil
	}
	c := s[i]
	typ, end := tInvalid, i+1
	switch {
	case c == '#':
		typ, end = tComment, i
		for end < len(s) && s[end] != '\n' {
			end++
		}
	case c == ' ' || c == '\t' || c == '\r' || c == '\n':
		typ, end = tWhitespace, i
		for end < len(s) && (s[end] == ' ' || s[end] == '\t' || s[end] == '\r' || s[end] == '\n') {
			end++
		}
	case isDigit(c):
		end = digits(s, i)
		if j := end; j+1 < len(s) && s[j] == 'x' && isDigit(s[j+1]) {
			typ, end = tDims, digits(s, j+1)
			if k := end; k+1 < len(s) && s[k] == 'x' && isDigit(s[k+1]) {
				end = digits(s, k+1)
			}
			break
		}
		typ = tNumber
		if end+1 < len(s) && s[end] == '.' && isDigit(s[end+1]) {
			end = digits(s, end+1)
		}
		if end < len(s) && (s[end] == 'e' || s[end] == 'E') {
			j := end + 1
			if j < len(s) && (s[j] == '+' || s[j] == '-') {
				j++
			}
			if j < len(s) && isDigit(s[j]) {
				end = digits(s, j)
			}
		}
	case c == '"':
		typ, end = tBadString, i+1
		for end < len(s) && s[end] != '\n' {
			if s[end] == '\\' && end+1 < len(s) && s[end+1] != '\n' {
				end += 2
				continue
			}
			if s[end] == '"' {
				typ = tString
				end++
				break
			}
			end++
		}
		if typ == tBadString {
			for end < len(s) && s[end] != '\n' {
				end++
			}
		}
	case (c == 'G' || c == 'M') && i+3 < len(s) && (s[i+1] == 'B' || s[i+1] == 'b') && s[i+2] == '/' && s[i+3] == 's' &&
		(i+4 == len(s) || !isLetter(s[i+4]) && !isDigit(s[i+4])):
		typ, end = tUnit, i+4
	case c == '%':
		typ = tUnit
	case isLetter(c):
		typ, end = tIdent, i+1
		for end < len(s) && (isLetter(s[end]) || isDigit(s[end])) {
			end++
		}
	case c == '-' && i+1 < len(s) && s[i+1] == '>', c == '.' && i+1 < len(s) && s[i+1] == '.',
		(c == '<' || c == '>' || c == '=') && i+1 < len(s) && s[i+1] == '=':
		typ, end = tPunct, i+2
	case c == '{' || c == '}' || c == '(' || c == ')' || c == ',' || c == '=' || c == '<' || c == '>' ||
		c == '*' || c == '-' || c == '+' || c == '/':
		typ = tPunct
	default:
		_, n := utf8.DecodeRuneInString(s[i:])
		end = i + n
	}
	t := lexer.Token{Type: typ, Value: s[i:end], Pos: l.pos}
	l.advance(s[i:end])
	return t, nil
}

// advance moves the position over text: lines count newlines, columns count runes.
func (l *lexState) advance(text string) {
	for _, r := range text {
		if r == '\n' {
			l.pos.Line++
			l.pos.Column = 1
		} else {
			l.pos.Column++
		}
	}
	l.pos.Offset += len(text)
}

// scan lexes src completely and reports what the grammar cannot say well:
// unterminated strings, bad escapes, characters outside the language, and
// nesting deeper than MaxNesting. It also returns the comments, which the
// formatter keeps.
func scan(filename, src string) (comments []lexer.Token, errs ErrorList) {
	lx := &lexState{src: src, pos: lexer.Position{Filename: filename, Line: 1, Column: 1}}
	depth := 0
	for {
		t, _ := lx.Next()
		if t.EOF() {
			return comments, errs
		}
		switch t.Type {
		case tComment:
			comments = append(comments, t)
		case tBadString:
			errs.add(newError(src, t.Pos, endOf(t), "unterminated string: add the closing \""))
		case tString:
			if _, err := strconv.Unquote(t.Value); err != nil {
				errs.add(newError(src, t.Pos, endOf(t), "bad escape in string (write \\\\ for a backslash)"))
			}
		case tInvalid:
			hint := ""
			if t.Value == "'" || t.Value == "‘" || t.Value == "“" {
				hint = `: write strings in straight double quotes, "…"`
			}
			errs.add(newError(src, t.Pos, endOf(t), "unexpected character %q%s", t.Value, hint))
		}
		if len(errs) >= MaxLexErrors {
			errs.add(&Error{Pos: endOf(t), Msg: "too many errors; is this a spec file?", noLine: true})
			return comments, errs
		}
		switch t.Type {
		case tPunct:
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
