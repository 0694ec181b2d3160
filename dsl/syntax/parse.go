package syntax

import (
	"fmt"
	"maps"
	"slices"
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
// pins that (dsl/testdata/errors/syntax_typo.golden).
var parser = participle.MustBuild[File](
	participle.Lexer(lexDef),
	participle.Elide("Comment", "Whitespace"),
	participle.Map(unquoteToken, "String"),
	participle.UseLookahead(0),
)

// unquoteToken gives a String token its value. participle.Unquote would do
// the same, but it appends one character at a time to a Go string, which is
// quadratic in the literal's length (a 300,000-character literal took about
// a minute to parse); unquote is linear. scan has already reported every
// string that does not unquote.
func unquoteToken(t lexer.Token) (lexer.Token, error) {
	v, err := unquote(t.Value)
	if err != nil {
		return t, participle.Errorf(t.Pos, "%s", errBadEscape)
	}
	t.Value = v
	return t, nil
}

// Grammar returns the grammar in EBNF (pinned by a golden test).
func Grammar() string { return parser.String() }

// Parse parses one file. On error it returns the errors as an ErrorList (a
// syntax error stops the parse, so there is at most one of those) and the
// partial file.
func Parse(filename, src string) (*File, error) {
	if len(src) > MaxSourceBytes {
		return nil, ErrorList{{Pos: Pos{Filename: filename, Line: 1, Column: 1},
			Msg: fmt.Sprintf("file is %d bytes, more than the limit of %d", len(src), MaxSourceBytes)}}
	}
	comments, errs := scan(filename, src)
	if len(errs) > 0 {
		return &File{Name: filename, Src: src}, errs.Err()
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

// keywords are the words the grammar gives a meaning.
var keywords = map[string]bool{}

func init() {
	for _, k := range strings.Fields(`import run platform from pool space input repeat shared optional choice head
		cell edge dataset evaluator metric experiment maximize minimize require reward strategy budget parallel seed
		hardware search in step trials trial x`) {
		keywords[k] = true
	}
}

// Keywords returns the words the grammar gives a meaning, sorted.
func Keywords() []string { return sortedKeys(keywords) }

// units are the units the grammar accepts after a number: the Unit tokens
// and the words the productions Num and Amount list.
var units = []string{"%", "GB/s", "GHz", "Gb/s", "J", "MB/s", "MHz", "Mb/s", "W", "fps", "h", "kHz", "mJ", "mW", "min", "ms", "ns", "s", "uJ", "us"}

// Units returns the units the grammar accepts after a number, sorted;
// package dsl gives each its dimension and scale.
func Units() []string { return slices.Clone(units) }

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
