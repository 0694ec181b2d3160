package syntax

import (
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// Limits that keep a hostile input from exhausting the parser: participle
// recurses once per nesting level and Go cannot recover a stack overflow.
const (
	MaxSourceBytes = 1 << 20 // bytes of one file
	MaxNesting     = 32      // depth of nested {…} and (…)
	MaxLexErrors   = 10      // lexical errors reported before giving up on a file
)

// Kind is the kind of a token. Keywords are Idents matched by name in the
// grammar, and so are the units that are words (ms, MHz, W, …): a keyword
// kind would fight identifiers that start with a keyword.
type Kind int

// The kinds of token.
const (
	EOF        Kind = iota
	Comment         // # to the end of the line
	Dims            // 28x28x1
	Number          // 12, 0.5, 1e-3
	String          // "text" with Go escapes
	BadString       // a string without its closing quote
	Unit            // GB/s, Gb/s, MB/s, Mb/s, %: the units that are not words
	Ident           // a name, keyword or unit word
	Punct           // -> .. <= >= == { } ( ) , = < > * - + /
	Whitespace      // blanks and newlines
	Invalid         // any other character, reported by Parse at its position
)

// Token is one token of a source text.
type Token struct {
	Kind Kind
	Text string
	Pos  Pos
}

// end returns the position just after the token.
func (t Token) end() Pos {
	p := t.Pos
	p.advance(t.Text)
	return p
}

// Tokens lexes src completely and returns its tokens but whitespace and
// comments, for tools that read text which need not parse (completion).
// Lexing never fails: a character outside the language is an Invalid token.
func Tokens(src string) []Token { return tokens("", src) }

func tokens(filename, src string) []Token {
	s := scanner{src: src, pos: Pos{Filename: filename, Line: 1, Column: 1}}
	var out []Token
	for {
		t := s.next()
		switch t.Kind {
		case EOF:
			return out
		case Whitespace, Comment:
		default:
			out = append(out, t)
		}
	}
}

// scanner is a hand-written lexer: linear in the input (participle's regexp
// lexer re-scans the rest of the input at every token, which costs more than
// the whole parse on a large file).
type scanner struct {
	src string
	pos Pos
}

// next returns the next token, EOF at the end.
func (s *scanner) next() Token {
	i := s.pos.Offset
	if i >= len(s.src) {
		return Token{Kind: EOF, Pos: s.pos}
	}
	kind, end := scanToken(s.src, i)
	t := Token{Kind: kind, Text: s.src[i:end], Pos: s.pos}
	s.pos.advance(t.Text)
	return t
}

// scanToken returns the kind and end of the token at s[i:].
func scanToken(s string, i int) (Kind, int) {
	c := s[i]
	switch {
	case c == '#':
		return Comment, lineEnd(s, i)
	case isSpace(c):
		end := i
		for end < len(s) && isSpace(s[end]) {
			end++
		}
		return Whitespace, end
	case isDigit(c):
		return scanNumber(s, i)
	case c == '"':
		return scanString(s, i)
	case (c == 'G' || c == 'M') && i+3 < len(s) && (s[i+1] == 'B' || s[i+1] == 'b') && s[i+2] == '/' && s[i+3] == 's' &&
		(i+4 == len(s) || !isLetter(s[i+4]) && !isDigit(s[i+4])):
		return Unit, i + 4
	case c == '%':
		return Unit, i + 1
	case isLetter(c):
		end := i + 1
		for end < len(s) && (isLetter(s[end]) || isDigit(s[end])) {
			end++
		}
		return Ident, end
	case c == '-' && i+1 < len(s) && s[i+1] == '>', c == '.' && i+1 < len(s) && s[i+1] == '.',
		(c == '<' || c == '>' || c == '=') && i+1 < len(s) && s[i+1] == '=':
		return Punct, i + 2
	case c == '{' || c == '}' || c == '(' || c == ')' || c == ',' || c == '=' || c == '<' || c == '>' ||
		c == '*' || c == '-' || c == '+' || c == '/':
		return Punct, i + 1
	}
	_, n := utf8.DecodeRuneInString(s[i:])
	return Invalid, i + n
}

// scanNumber scans 12, 0.5, 1e-3, or the shape 28x28 or 28x28x1.
func scanNumber(s string, i int) (Kind, int) {
	end := digits(s, i)
	if j := end; j+1 < len(s) && s[j] == 'x' && isDigit(s[j+1]) {
		end = digits(s, j+1)
		if k := end; k+1 < len(s) && s[k] == 'x' && isDigit(s[k+1]) {
			end = digits(s, k+1)
		}
		return Dims, end
	}
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
	return Number, end
}

// scanString scans a string on one line; without its closing quote it is a
// BadString up to the end of the line.
func scanString(s string, i int) (Kind, int) {
	for end := i + 1; end < len(s) && s[end] != '\n'; end++ {
		switch s[end] {
		case '\\':
			if end+1 < len(s) && s[end+1] != '\n' {
				end++
			}
		case '"':
			return String, end + 1
		}
	}
	return BadString, lineEnd(s, i)
}

// errBadEscape is the message for a string that does not unquote.
const errBadEscape = `bad escape in string (write \\ for a backslash)`

// unquote returns the value of a String token: Go's double-quoted string
// syntax, with Go's escapes, in one growing buffer (linear in the literal's
// length). Unlike strconv.Unquote it keeps bytes that are not UTF-8 as they
// are: a file name need not be UTF-8, and import "<raw bytes>" must name it.
func unquote(quoted string) (string, error) {
	if len(quoted) < 2 || quoted[0] != '"' || quoted[len(quoted)-1] != '"' {
		return "", strconv.ErrSyntax
	}
	s := quoted[1 : len(quoted)-1]
	if !strings.ContainsAny(s, "\\\"\n") {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	for len(s) > 0 {
		switch s[0] {
		case '"', '\n':
			return "", strconv.ErrSyntax
		case '\\':
			v, multibyte, tail, err := strconv.UnquoteChar(s, '"')
			if err != nil {
				return "", err
			}
			if v < utf8.RuneSelf || !multibyte {
				b.WriteByte(byte(v)) // \xff is one byte, as in Go
			} else {
				b.WriteRune(v)
			}
			s = tail
		default:
			b.WriteByte(s[0])
			s = s[1:]
		}
	}
	return b.String(), nil
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }
func isSpace(c byte) bool  { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// digits returns the end of a run of digits starting at i.
func digits(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// lineEnd returns the offset of the newline ending the line of i, or len(s).
func lineEnd(s string, i int) int {
	for i < len(s) && s[i] != '\n' {
		i++
	}
	return i
}

// scan lexes src completely and reports what the grammar cannot say well:
// unterminated strings, bad escapes, characters outside the language, and
// nesting deeper than MaxNesting. It also returns the comments, which the
// formatter keeps.
func scan(filename, src string) (comments []Token, errs ErrorList) {
	s := scanner{src: src, pos: Pos{Filename: filename, Line: 1, Column: 1}}
	depth := 0
	for {
		t := s.next()
		switch t.Kind {
		case EOF:
			return comments, errs
		case Comment:
			comments = append(comments, t)
		case BadString:
			errs.Add(errorf(src, t.Pos, t.end(), "unterminated string: add the closing \""))
		case String:
			if _, err := unquote(t.Text); err != nil {
				errs.Add(errorf(src, t.Pos, t.end(), "%s", errBadEscape))
			}
		case Invalid:
			hint := ""
			if t.Text == "'" || t.Text == "‘" || t.Text == "“" {
				hint = `: write strings in straight double quotes, "…"`
			}
			errs.Add(errorf(src, t.Pos, t.end(), "unexpected character %q%s", t.Text, hint))
		}
		if len(errs) >= MaxLexErrors {
			errs.Add(&Error{Pos: t.end(), Msg: "too many errors; is this a spec file?"})
			return comments, errs
		}
		if t.Kind == Punct {
			switch t.Text {
			case "{", "(":
				depth++
				if depth > MaxNesting {
					errs.Add(errorf(src, t.Pos, t.end(), "nesting deeper than %d levels", MaxNesting))
					return comments, errs
				}
			case "}", ")":
				depth--
			}
		}
	}
}

// lexDef is the lexer participle reads through: the scanner's tokens, with
// their kinds as participle's token types, negated from -1 (its EOF) down.
// (It holds symbols so that Go initialises symbols before the parser.)
var lexDef = lexDefinition{symbols}

type lexDefinition struct{ symbols map[string]lexer.TokenType }

func tokenType(k Kind) lexer.TokenType { return lexer.TokenType(-1 - int(k)) }
func kindOf(t lexer.TokenType) Kind    { return Kind(-1 - int(t)) }

// symbols names the token types for the grammar's tags.
var symbols = func() map[string]lexer.TokenType {
	m := map[string]lexer.TokenType{}
	for k, name := range []string{"EOF", "Comment", "Dims", "Number", "String", "BadString", "Unit", "Ident", "Punct", "Whitespace", "Invalid"} {
		m[name] = tokenType(Kind(k))
	}
	return m
}()

func (d lexDefinition) Symbols() map[string]lexer.TokenType { return d.symbols }

func (d lexDefinition) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxSourceBytes+1)) // unused by Parse, bounded all the same
	if err != nil {
		return nil, err
	}
	return d.LexString(filename, string(b))
}

func (lexDefinition) LexString(filename, src string) (lexer.Lexer, error) {
	return &lexState{scanner{src: src, pos: Pos{Filename: filename, Line: 1, Column: 1}}}, nil
}

type lexState struct{ s scanner }

// Next returns the next token as participle's; it never fails.
func (l *lexState) Next() (lexer.Token, error) {
	t := l.s.next()
	return lexer.Token{Type: tokenType(t.Kind), Value: t.Text, Pos: lexer.Position(t.Pos)}, nil
}

// tokenOf converts a token of participle's back.
func tokenOf(t lexer.Token) Token {
	return Token{Kind: kindOf(t.Type), Text: t.Value, Pos: Pos(t.Pos)}
}
