package dsl

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/internal/golden"
)

// grammarFile is the VS Code (TextMate) grammar of .hwnas files, generated
// from HighlightWords: `go test ./dsl -run TestVSCodeGrammar -update`
// rewrites it when the language's words change.
const grammarFile = "../../editors/vscode/syntaxes/hwnas.tmLanguage.json" // relative to testdata/

// alternation is a regexp matching any of words, longest first.
func alternation(words []string) string {
	ws := slices.Clone(words)
	slices.SortStableFunc(ws, func(a, b string) int { return len(b) - len(a) })
	for i, w := range ws {
		ws[i] = regexp.QuoteMeta(w)
	}
	return strings.Join(ws, "|")
}

// vscodeGrammar renders the TextMate grammar of the language's words.
func vscodeGrammar(w Words) (string, error) {
	word := func(list []string, scope string) map[string]any {
		return map[string]any{"match": `\b(?:` + alternation(list) + `)\b`, "name": scope + ".hwnas"}
	}
	g := map[string]any{
		"$schema":   "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
		"name":      "hwnas",
		"scopeName": "source.hwnas",
		"fileTypes": []string{"hwnas"},
		"comment":   "Generated from dsl.HighlightWords by go test ./dsl -run TestVSCodeGrammar -update; do not edit.",
		"patterns": []map[string]string{{"include": "#comment"}, {"include": "#string"}, {"include": "#number"},
			{"include": "#keyword"}, {"include": "#builtin"}, {"include": "#metric"}, {"include": "#operator"}},
		"repository": map[string]any{
			"comment": map[string]any{"match": "#.*$", "name": "comment.line.number-sign.hwnas"},
			"string": map[string]any{"begin": `"`, "end": `"`, "name": "string.quoted.double.hwnas",
				"patterns": []map[string]string{{"match": `\\.`, "name": "constant.character.escape.hwnas"}}},
			"number": map[string]any{"match": `\b(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)(?:\s*(` + alternation(w.Units) + `)(?![A-Za-z0-9_]))?`,
				"captures": map[string]any{"1": map[string]string{"name": "constant.numeric.hwnas"}, "2": map[string]string{"name": "keyword.other.unit.hwnas"}}},
			"keyword":  word(w.Keywords, "keyword.control"),
			"builtin":  word(w.Builtins, "support.function"),
			"metric":   word(w.Metrics, "variable.other.metric"),
			"operator": map[string]any{"match": `<=|>=|->|\.\.|[<>=]`, "name": "keyword.operator.hwnas"},
		},
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	err := enc.Encode(g)
	return b.String(), err
}

// TestVSCodeGrammar: the committed VS Code grammar holds every word of the
// language, as generated from the checker's tables, and its regexps compile.
func TestVSCodeGrammar(t *testing.T) {
	got, err := vscodeGrammar(HighlightWords())
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, grammarFile, got)
	var g struct {
		Repository map[string]struct{ Match string } `json:"repository"`
	}
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatal(err)
	}
	for name, r := range g.Repository {
		if r.Match == "" {
			continue
		}
		// Go's regexp lacks the lookahead TextMate's Oniguruma has: drop it to check the rest.
		if _, err := regexp.Compile(strings.ReplaceAll(r.Match, `(?![A-Za-z0-9_])`, "")); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	num := regexp.MustCompile(strings.ReplaceAll(g.Repository["number"].Match, `(?![A-Za-z0-9_])`, ""))
	if m := num.FindStringSubmatch("bandwidth = 4.2 GB/s"); m == nil || m[1] != "4.2" || m[2] != "GB/s" {
		t.Errorf("number rule on 4.2 GB/s: %q", m)
	}
}
