package dsl

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The parser is LL(1): every alternative is picked by its first token (a
// keyword or a token type), so no branch ever needs to back up. Lookahead 0
// makes participle commit to a branch as soon as it has consumed a token.
// With its default of 1, a mistake at the second token of a repeated item
// (`conv { kernel choise {1} }`) makes the repetition back up and the error
// moves to the enclosing block; with 0 it is reported at "choise". A test
// pins that (testdata/errors/syntax_typo.golden).
var parser = participle.MustBuild[File](
	participle.Lexer(lexDef),
	participle.Elide("Comment", "Whitespace"),
	participle.Unquote("String"),
	participle.UseLookahead(0),
)

// Grammar returns the grammar in EBNF (pinned by a golden test).
func Grammar() string { return parser.String() }

// Parse parses one file. On error it returns the errors as an ErrorList (a
// syntax error stops the parse, so there is at most one of those) and the
// partial file.
func Parse(filename, src string) (*File, error) {
	if len(src) > MaxSourceBytes {
		return nil, ErrorList{{Pos: lexer.Position{Filename: filename, Line: 1, Column: 1},
			Msg: fmt.Sprintf("file is %d bytes, more than the limit of %d", len(src), MaxSourceBytes), noLine: true}}
	}
	comments, errs := scan(filename, src)
	if len(errs) > 0 {
		return &File{Name: filename, Src: src}, errs.sort()
	}
	f, err := parser.ParseString(filename, src)
	if f == nil {
		f = &File{}
	}
	f.Name, f.Src, f.Comments = filename, src, comments
	if err != nil {
		return f, ErrorList{syntaxError(src, err)}
	}
	return f, nil
}

// syntaxError turns a participle error into an Error at the offending token,
// naming what was expected in words a user knows.
func syntaxError(src string, err error) *Error {
	var ut *participle.UnexpectedTokenError
	if errors.As(err, &ut) {
		t := ut.Unexpected
		msg := "unexpected " + describe(t)
		if ut.Expect != "" {
			msg += ", expected " + ut.Expect
		}
		if u, ok := strayUnit(src, t); ok {
			return newError(src, u.Pos, endOf(u), "unexpected name %s after a number%s", u.Value, unknownUnit(u.Value))
		}
		msg += hint(src, t)
		if t.EOF() {
			return newError(src, t.Pos, lexer.Position{}, "%s", msg)
		}
		return newError(src, t.Pos, endOf(t), "%s", msg)
	}
	var pe participle.Error
	if errors.As(err, &pe) {
		return newError(src, pe.Position(), lexer.Position{}, "%s", pe.Message())
	}
	return newError(src, lexer.Position{Line: 1, Column: 1}, lexer.Position{}, "%v", err)
}

// describe names a token for an error message: `end of file`, `number 12`,
// `"}"`, `name foo`.
func describe(t lexer.Token) string {
	switch {
	case t.EOF():
		return "end of file"
	case t.Type == tNumber:
		return "number " + t.Value
	case t.Type == tString:
		return "string " + fmt.Sprintf("%q", t.Value)
	case t.Type == tUnit:
		return "unit " + t.Value
	case t.Type == tDims:
		return "shape " + t.Value
	case t.Type == tIdent:
		if keywords[t.Value] {
			return "keyword " + t.Value
		}
		return "name " + t.Value
	}
	return fmt.Sprintf("%q", t.Value)
}

// keywords are the words the grammar gives a meaning.
var keywords = map[string]bool{}

func init() {
	for _, k := range strings.Fields(`import run platform from pool space input repeat shared optional choice head
		cell edge dataset evaluator experiment maximize minimize require reward strategy budget parallel seed
		hardware search in step trials trial x`) {
		keywords[k] = true
	}
}

// hint explains a syntax error from the tokens before it: what the grammar
// expects at the top level, after a setting's name or a number, and which
// brace an early end of file leaves open.
func hint(src string, bad lexer.Token) string {
	lx, err := lexDef.LexString(bad.Pos.Filename, src)
	if err != nil {
		return ""
	}
	var prev, stmt lexer.Token // stmt: the last keyword that takes its value without =
	var open []lexer.Token
	for {
		t, err := lx.Next()
		if err != nil || t.EOF() || t.Pos.Offset >= bad.Pos.Offset {
			break
		}
		if noEquals[t.Value] != "" && t.Type == tIdent {
			stmt = t
		}
		switch {
		case t.Type == tComment || t.Type == tWhitespace:
			continue
		case t.Value == "{" || t.Value == "(":
			open = append(open, t)
		case (t.Value == "}" || t.Value == ")") && len(open) > 0:
			open = open[:len(open)-1]
		}
		prev = t
	}
	isIdent := bad.Type == tIdent
	switch {
	case bad.EOF() && len(open) > 0:
		o := open[len(open)-1]
		return fmt.Sprintf(": the %q on line %d is not closed", o.Value, o.Pos.Line)
	case bad.EOF():
		return ""
	case len(open) > 0 && open[len(open)-1].Value == "{" && declarations[prev.Value] && (isIdent || bad.Type == tString):
		o := open[len(open)-1]
		return fmt.Sprintf(": the \"{\" on line %d is not closed before this %s", o.Pos.Line, prev.Value)
	case bad.Value == "}" && stmt.Value != "" && stmt.Pos.Line == prev.Pos.Line && (prev == stmt || prev.Type != tIdent):
		// the block ends before the statement's value is complete:
		// `budget 5 }`, `require latency < }`, `maximize }`
		return fmt.Sprintf(": %s is not complete; write it as in %s", stmt.Value, noEquals[stmt.Value])
	case prev.Value == "from" && isIdent:
		return fmt.Sprintf(": write the catalog name in quotes, from %q", bad.Value)
	case bad.Value == "=" && noEquals[prev.Value] != "":
		return fmt.Sprintf(": %s takes its value without =, as in %s", prev.Value, noEquals[prev.Value])
	case len(open) == 0 && isIdent:
		return "; a declaration starts with import, platform, pool, space, dataset, evaluator, experiment or run"
	case prev.Type == tNumber && isIdent:
		return unknownUnit(bad.Value)
	case prev.Type == tIdent && !keywords[prev.Value] && len(open) > 0 && open[len(open)-1].Value == "{" &&
		bad.Value != "=" && bad.Value != "in":
		return fmt.Sprintf(", expected = or in after %s", prev.Value)
	}
	return ""
}

// unknownUnit names a word written where a unit goes, with the nearest
// known unit or the list of them.
func unknownUnit(word string) string {
	var names []string
	for u := range units {
		names = append(names, u)
	}
	sort.Strings(names)
	if dym := didYouMean(word, names); dym != "" {
		return ": unknown unit " + word + dym
	}
	return ": unknown unit " + word + "; units are " + strings.Join(names, " ")
}

// strayUnit finds the mistake behind an error at the start of a line: a
// number followed on its line by a name that is not a unit (`<= 5 kg`) is
// read by the grammar as the start of a new setting `kg = …`, so the parse
// fails one token later. It returns that name so the error points at it.
func strayUnit(src string, bad lexer.Token) (lexer.Token, bool) {
	if bad.EOF() || bad.Value == "=" || bad.Value == "in" {
		return lexer.Token{}, false
	}
	lx, err := lexDef.LexString(bad.Pos.Filename, src)
	if err != nil {
		return lexer.Token{}, false
	}
	var prev2, prev lexer.Token
	for {
		t, err := lx.Next()
		if err != nil || t.EOF() || t.Pos.Offset >= bad.Pos.Offset {
			break
		}
		if t.Type == tComment || t.Type == tWhitespace {
			continue
		}
		prev2, prev = prev, t
	}
	if prev.Type == tIdent && !keywords[prev.Value] && prev2.Type == tNumber && prev2.Pos.Line == prev.Pos.Line {
		return prev, true
	}
	return lexer.Token{}, false
}

// declarations are the keywords that start a top-level declaration; one
// followed by its name inside a block means a "}" is missing above it.
var declarations = map[string]bool{"import": true, "platform": true, "pool": true, "space": true,
	"dataset": true, "evaluator": true, "experiment": true, "run": true}

// noEquals are the keywords followed directly by their value, with an example.
var noEquals = map[string]string{
	"seed": "seed 1", "parallel": "parallel 4", "budget": "budget 30 trials", "maximize": "maximize accuracy",
	"minimize": "minimize latency", "require": "require latency <= 8 ms", "input": "input 28x28x1",
	"head": "head gap, dense(10)", "repeat": "repeat 4 { … }", "strategy": "strategy reinforce { lr = 0.1 }",
	"reward": "reward mnasnet { target = 8 ms }", "run": "run fnas",
}
