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
		b := tokensAround(src, t)
		if e := b.mistake(src, t); e != nil {
			return e
		}
		msg := "unexpected " + describe(t)
		if ut.Expect != "" {
			msg += ", expected " + ut.Expect
		}
		msg += b.hint(t)
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

// around is what surrounds a bad token: the tokens before it and from it
// on, without whitespace and comments; the token just before it; the last
// statement keyword that takes its value without = (budget, require, …);
// and the brackets still open, each with the block it opens.
type around struct {
	toks, after []Token
	prev, stmt  Token
	open        []int    // indices in toks
	blocks      []string // for each open bracket: the keyword of its block, "set", or ""
}

func tokensAround(src string, bad Token) around {
	var b around
	all := tokens(bad.Pos.Filename, src)
	i := 0
	for i < len(all) && all[i].Pos.Offset < bad.Pos.Offset {
		i++
	}
	b.toks, b.after = all[:i], all[i:]
	block := "" // the last block keyword since the last bracket
	for j, t := range b.toks {
		if t.Kind == Ident && noEquals[t.Text] != "" {
			b.stmt = t
		}
		switch {
		case t.Kind == Ident && blockKeywords[t.Text]:
			block = t.Text
		case t.Text == "{" || t.Text == "(":
			if t.Text == "{" && j > 0 && (valueStart[b.toks[j-1].Text] || b.toks[j-1].Text == "{") {
				block = "set"
			}
			b.open, b.blocks, block = append(b.open, j), append(b.blocks, block), ""
		case t.Text == "}" || t.Text == ")":
			if n := len(b.open); n > 0 {
				b.open, b.blocks = b.open[:n-1], b.blocks[:n-1]
			}
			block = ""
		}
		b.prev = t
	}
	return b
}

// blockKeywords are the keywords whose statement opens a block.
var blockKeywords = map[string]bool{"experiment": true, "space": true, "repeat": true, "cell": true, "choice": true,
	"platform": true, "pool": true, "dataset": true, "evaluator": true, "metric": true, "strategy": true, "reward": true, "hardware": true, "fidelity": true}

// valueStart are the tokens a value follows: a "{" after one opens a set.
var valueStart = map[string]bool{"=": true, "in": true, ",": true, "(": true}

// innermost returns the innermost open bracket, or a zero Token, and the
// keyword of its block.
func (b around) innermost() (Token, string) {
	if n := len(b.open); n > 0 {
		return b.toks[b.open[n-1]], b.blocks[n-1]
	}
	return Token{}, ""
}

// mistake finds the mistake behind a syntax error at bad and returns an
// error at that mistake, or nil: a name after a number that is not a unit,
// a misspelt keyword, or a string written without its quotes.
func (b around) mistake(src string, bad Token) *Error {
	if u, ok := b.strayUnit(bad); ok {
		return errorf(src, u.Pos, u.end(), "unexpected name %s after a number%s", u.Text, unknownUnit(u.Text))
	}
	if w, kw, ok := b.misspelt(bad); ok {
		return errorf(src, w.Pos, w.end(), "unexpected name %s (did you mean %s?)", w.Text, kw)
	}
	return b.unquoted(src, bad)
}

// strayUnit finds the mistake behind an error at the start of a line: a
// number followed on its line by a name that is not a unit (`<= 5 kg`) is
// read by the grammar as the start of a new setting `kg = …`, so the parse
// fails one token later. It returns that name so the error points at it.
func (b around) strayUnit(bad Token) (Token, bool) {
	if bad.Kind == EOF || bad.Text == "=" || bad.Text == "in" {
		return Token{}, false
	}
	if n := len(b.toks); n >= 2 {
		prev2, prev := b.toks[n-2], b.toks[n-1]
		if prev.Kind == Ident && !keywords[prev.Text] && prev2.Kind == Number && prev2.Pos.Line == prev.Pos.Line {
			return prev, true
		}
	}
	return Token{}, false
}

// statements are the keywords that start a statement in a block, by the
// keyword of the block ("" for the top level).
var statements = map[string][]string{
	"":           sortedKeys(declarations),
	"experiment": {"budget", "fidelity", "hardware", "maximize", "minimize", "parallel", "require", "retrain", "reward", "seed", "strategy"},
	"space":      {"cell", "choice", "head", "input", "optional", "repeat"},
	"repeat":     {"cell", "choice", "head", "input", "optional", "repeat"},
	"cell":       {"edge"},
}

// misspelt finds a statement keyword written wrong: a name at the top
// level, or a name at the start of a statement in a block that the grammar
// read as a setting (`maximise accuracy` lacks its =), which is a typo of a
// keyword that starts a statement there. It returns the name and the
// keyword.
func (b around) misspelt(bad Token) (Token, string, bool) {
	word, block := bad, ""
	if len(b.open) > 0 {
		o, blk := b.innermost()
		if o.Text != "{" || b.prev.Kind != Ident || keywords[b.prev.Text] || bad.Text == "=" || bad.Text == "in" {
			return Token{}, "", false
		}
		word, block = b.prev, blk
	}
	if word.Kind != Ident || keywords[word.Text] || statements[block] == nil {
		return Token{}, "", false
	}
	kw, ok := suggest.Closest(word.Text, statements[block])
	return word, kw, ok
}

// unquoted finds a string written without its quotes, which the grammar
// reads as a name that stops at the first "-" or "/": `platform = PYNQ-Z1`,
// `idx(data/mnist)`, `from Alveo-U50`. It returns an error over the whole
// word saying how to write it.
func (b around) unquoted(src string, bad Token) *Error {
	if !wordPart(bad) || len(b.after) == 0 {
		return nil
	}
	j := len(b.toks) // the word is toks[j:], bad and what follows it unspaced
	for at := bad.Pos.Offset; j > 0 && wordPart(b.toks[j-1]) && b.toks[j-1].end().Offset == at; j-- {
		at = b.toks[j-1].Pos.Offset
	}
	start, end := bad, bad.end()
	if j < len(b.toks) {
		start = b.toks[j]
	}
	for _, t := range b.after[1:] {
		if t.Pos.Offset != end.Offset || !wordPart(t) {
			break
		}
		end = t.end()
	}
	word := src[start.Pos.Offset:end.Offset]
	afterFrom := j > 0 && b.toks[j-1].Text == "from"
	switch {
	case afterFrom && (start.Kind == Ident || start.Kind == Number):
		return errorf(src, start.Pos, end, "unexpected name %s: write the catalog name in quotes, from %q", word, word)
	case start.Kind != Ident || keywords[start.Text] || !strings.ContainsAny(word, "-/"):
		return nil
	case b.boardValue(j):
		return errorf(src, start.Pos, end, "board names are strings: write %q", word)
	case strings.Contains(word, "/"):
		return errorf(src, start.Pos, end, "paths are strings: write %q", word)
	}
	return errorf(src, start.Pos, end, "names cannot contain \"-\": write the string %q", word)
}

// wordPart reports whether t can be part of a string written without its
// quotes: `PYNQ-Z1`, `Arty-A7-50T`, `data/mnist`.
func wordPart(t Token) bool {
	return t.Kind == Ident || t.Kind == Number || t.Kind == Dims || t.Text == "-" || t.Text == "/"
}

// boardValue reports whether a value starting at toks[j] names a board: it
// is in a pool, or the value of platform or devices.
func (b around) boardValue(j int) bool {
	_, block := b.innermost()
	if block == "pool" {
		return true
	}
	key := -1 // index in toks of the setting's name
	switch {
	case j >= 2 && (b.toks[j-1].Text == "=" || b.toks[j-1].Text == "in"):
		key = j - 2
	case block == "set" && b.open[len(b.open)-1] >= 2:
		key = b.open[len(b.open)-1] - 2
	}
	return key >= 0 && (b.toks[key].Text == "platform" || b.toks[key].Text == "devices")
}

// hint explains a syntax error from the tokens before it: what the grammar
// expects at the top level, after a setting's name or a number, and which
// brace an early end of file leaves open.
func (b around) hint(bad Token) string {
	prev, stmt := b.prev, b.stmt
	o, _ := b.innermost()
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
	"dataset": true, "evaluator": true, "metric": true, "experiment": true, "run": true}

// noEquals are the keywords followed directly by their value, with an example.
var noEquals = map[string]string{
	"seed": "seed 1", "parallel": "parallel 4", "retrain": "retrain 3", "budget": "budget 30 trials", "maximize": "maximize accuracy",
	"minimize": "minimize latency", "require": "require latency <= 8 ms", "input": "input 28x28x1",
	"head": "head gap, dense(10)", "repeat": "repeat 4 { … }", "strategy": "strategy reinforce { lr = 0.1 }",
	"reward": "reward mnasnet { target = 8 ms }", "run": "run fnas", "fidelity": "fidelity asha { max_epochs = 9 }",
}
