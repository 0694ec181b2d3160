package syntax

import (
	"errors"
	"fmt"
	"strings"

	"github.com/alecthomas/participle/v2"

	"github.com/hwnas/hwnas/internal/suggest"
)

// Syntax errors in words a user knows: what was expected, and the likely
// mistake behind the error, read from the tokens around it.

// syntaxError turns a participle error into an Error at the offending token,
// naming what was expected in words a user knows.
func syntaxError(src string, err error) *Error {
	var ut *participle.UnexpectedTokenError
	if errors.As(err, &ut) {
		t := tokenOf(ut.Unexpected)
		msg := "unexpected " + describe(t)
		if ut.Expect != "" {
			msg += ", expected " + ut.Expect
		}
		if u, ok := strayUnit(src, t); ok {
			return errorf(src, u.Pos, u.end(), "unexpected name %s after a number%s", u.Text, unknownUnit(u.Text))
		}
		msg += hint(src, t)
		if t.Kind == EOF {
			return NewError(src, t.Pos, Pos{}, msg)
		}
		return NewError(src, t.Pos, t.end(), msg)
	}
	var pe participle.Error
	if errors.As(err, &pe) {
		return NewError(src, Pos(pe.Position()), Pos{}, pe.Message())
	}
	return errorf(src, Pos{Line: 1, Column: 1}, Pos{}, "%v", err)
}

// describe names a token for an error message: `end of file`, `number 12`,
// `"}"`, `name foo`.
func describe(t Token) string {
	switch t.Kind {
	case EOF:
		return "end of file"
	case Number:
		return "number " + t.Text
	case String:
		return "string " + fmt.Sprintf("%q", t.Text)
	case Unit:
		return "unit " + t.Text
	case Dims:
		return "shape " + t.Text
	case Ident:
		if keywords[t.Text] {
			return "keyword " + t.Text
		}
		return "name " + t.Text
	}
	return fmt.Sprintf("%q", t.Text)
}

// unknownUnit names a word written where a unit goes, with the nearest
// known unit or the list of them.
func unknownUnit(word string) string {
	if u, ok := suggest.Closest(word, units); ok {
		return ": unknown unit " + word + " (did you mean " + u + "?)"
	}
	return ": unknown unit " + word + "; units are " + strings.Join(units, " ")
}

// tokensBefore returns the tokens of src before the bad token, without
// whitespace and comments.
func tokensBefore(src string, bad Token) []Token {
	var out []Token
	for _, t := range tokens(bad.Pos.Filename, src) {
		if t.Pos.Offset >= bad.Pos.Offset {
			break
		}
		out = append(out, t)
	}
	return out
}

// strayUnit finds the mistake behind an error at the start of a line: a
// number followed on its line by a name that is not a unit (`<= 5 kg`) is
// read by the grammar as the start of a new setting `kg = …`, so the parse
// fails one token later. It returns that name so the error points at it.
func strayUnit(src string, bad Token) (Token, bool) {
	if bad.Kind == EOF || bad.Text == "=" || bad.Text == "in" {
		return Token{}, false
	}
	toks := tokensBefore(src, bad)
	if n := len(toks); n >= 2 {
		prev2, prev := toks[n-2], toks[n-1]
		if prev.Kind == Ident && !keywords[prev.Text] && prev2.Kind == Number && prev2.Pos.Line == prev.Pos.Line {
			return prev, true
		}
	}
	return Token{}, false
}

// before is what precedes a bad token: the token just before it, the last
// statement keyword that takes its value without = (budget, require, …),
// and the brackets still open.
type before struct {
	prev, stmt Token
	open       []Token
}

func tokensAround(src string, bad Token) before {
	var b before
	for _, t := range tokensBefore(src, bad) {
		if t.Kind == Ident && noEquals[t.Text] != "" {
			b.stmt = t
		}
		switch {
		case t.Text == "{" || t.Text == "(":
			b.open = append(b.open, t)
		case (t.Text == "}" || t.Text == ")") && len(b.open) > 0:
			b.open = b.open[:len(b.open)-1]
		}
		b.prev = t
	}
	return b
}

// innermost returns the innermost open bracket, or a zero Token.
func (b before) innermost() Token {
	if len(b.open) == 0 {
		return Token{}
	}
	return b.open[len(b.open)-1]
}

// hint explains a syntax error from the tokens before it: what the grammar
// expects at the top level, after a setting's name or a number, and which
// brace an early end of file leaves open.
func hint(src string, bad Token) string {
	b := tokensAround(src, bad)
	prev, stmt, o := b.prev, b.stmt, b.innermost()
	isIdent := bad.Kind == Ident
	switch {
	case bad.Kind == EOF && len(b.open) > 0:
		return fmt.Sprintf(": the %q on line %d is not closed", o.Text, o.Pos.Line)
	case bad.Kind == EOF:
		return ""
	case o.Text == "{" && declarations[prev.Text] && (isIdent || bad.Kind == String):
		return fmt.Sprintf(": the \"{\" on line %d is not closed before this %s", o.Pos.Line, prev.Text)
	case bad.Text == "}" && stmt.Text != "" && stmt.Pos.Line == prev.Pos.Line && (prev == stmt || prev.Kind != Ident):
		// the block ends before the statement's value is complete:
		// `budget 5 }`, `require latency < }`, `maximize }`
		return fmt.Sprintf(": %s is not complete; write it as in %s", stmt.Text, noEquals[stmt.Text])
	case prev.Text == "from" && isIdent:
		return fmt.Sprintf(": write the catalog name in quotes, from %q", bad.Text)
	case bad.Text == "=" && noEquals[prev.Text] != "":
		return fmt.Sprintf(": %s takes its value without =, as in %s", prev.Text, noEquals[prev.Text])
	case len(b.open) == 0 && isIdent:
		return "; a declaration starts with import, platform, pool, space, dataset, evaluator, experiment or run"
	case prev.Kind == Number && isIdent:
		return unknownUnit(bad.Text)
	case prev.Kind == Ident && !keywords[prev.Text] && o.Text == "{" && bad.Text != "=" && bad.Text != "in":
		return fmt.Sprintf(", expected = or in after %s", prev.Text)
	}
	return ""
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
