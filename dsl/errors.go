package dsl

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// Error is one problem in a source file, from the lexer, the parser or the
// checker. It renders as
//
//	file:line:col: error: message
//	  N | the source line
//	    |     ^~~~
type Error struct {
	Pos    lexer.Position // where the problem starts
	End    lexer.Position // where it ends (zero: one character)
	Msg    string
	line   string // the source line of Pos
	noLine bool   // a problem of the whole file: no source line to show
}

func newError(src string, pos, end lexer.Position, format string, args ...any) *Error {
	return &Error{Pos: pos, End: end, Msg: fmt.Sprintf(format, args...), line: lineAt(src, pos.Offset)}
}

// lineAt returns the line of src containing byte offset off, without its newline.
func lineAt(src string, off int) string {
	if off < 0 || off > len(src) {
		return ""
	}
	start := strings.LastIndexByte(src[:off], '\n') + 1
	end := strings.IndexByte(src[off:], '\n')
	if end < 0 {
		end = len(src)
	} else {
		end += off
	}
	return src[start:end]
}

// Error renders the message with its source line and caret.
func (e *Error) Error() string {
	var b strings.Builder
	name := e.Pos.Filename
	if name == "" {
		name = "<input>"
	}
	fmt.Fprintf(&b, "%s:%d:%d: error: %s", name, e.Pos.Line, e.Pos.Column, e.Msg)
	if e.Pos.Line < 1 || e.noLine {
		return b.String()
	}
	line := printable(strings.TrimRight(e.line, "\r"))
	num := strconv.Itoa(e.Pos.Line)
	fmt.Fprintf(&b, "\n  %s | %s\n  %s | ", num, line, strings.Repeat(" ", len(num)))
	col := max(e.Pos.Column, 1)
	width := 1
	if e.End.Line == e.Pos.Line && e.End.Column > e.Pos.Column {
		width = e.End.Column - e.Pos.Column
	}
	if rest := utf8.RuneCountInString(line) - (col - 1); width > rest && rest > 0 {
		width = rest
	}
	b.WriteString(strings.Repeat(" ", col-1))
	b.WriteString("^")
	b.WriteString(strings.Repeat("~", width-1))
	return b.String()
}

// ErrorList is every error of a check, sorted by file, line and column.
type ErrorList []*Error

func (l *ErrorList) add(e *Error) { *l = append(*l, e) }

// Error renders every error, separated by blank lines.
func (l ErrorList) Error() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n\n")
}

// Sort orders the errors by file, offset and message, and drops duplicates.
func (l ErrorList) sort() ErrorList {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i].Pos, l[j].Pos
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		if a.Offset != b.Offset {
			return a.Offset < b.Offset
		}
		return l[i].Msg < l[j].Msg
	})
	out := l[:0]
	for i, e := range l {
		if i > 0 && e.Pos == l[i-1].Pos && e.Msg == l[i-1].Msg {
			continue
		}
		out = append(out, e)
	}
	return out
}

// err returns the list as an error, or nil when it is empty.
func (l ErrorList) err() error {
	if len(l) == 0 {
		return nil
	}
	return l.sort()
}

// didYouMean returns " (did you mean X?)" for the closest candidate within a
// small edit distance of name, or "".
func didYouMean(name string, candidates []string) string {
	best, bestD := "", 1<<30
	ln := strings.ToLower(name)
	for _, c := range candidates {
		d := editDistance(ln, strings.ToLower(c))
		if d < bestD || (d == bestD && c < best) {
			best, bestD = c, d
		}
	}
	n := utf8.RuneCountInString(name)
	limit := min(max(1, min(3, n/3)), n-1)
	if best == "" || bestD > limit {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

// editDistance is the optimal-string-alignment distance: insertions,
// deletions, substitutions and swaps of neighbours each cost 1.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return 1 << 20 // no suggestion for very long words
	}
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			c := 1
			if ra[i-1] == rb[j-1] {
				c = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+c)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// printable replaces every tab with a space and every invalid byte or control
// character with "?", one for one, so the caret column (counted in runes)
// still lines up and no terminal escape reaches the user's screen.
func printable(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\t':
			b.WriteByte(' ')
		case r == utf8.RuneError && n <= 1, r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
			b.WriteByte('?')
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}
