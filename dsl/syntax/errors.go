package syntax

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Error is one problem in a source file, from the lexer, the parser or the
// checker. Its Error() is one line,
//
//	file:line:col: error: message
//
// and PrintError adds the source line and a caret under the problem:
//
//	N | the source line
//	  |     ^~~~
type Error struct {
	Pos Pos // where the problem starts
	End Pos // where it ends (zero: one character)
	Msg string

	line     string // the source line of Pos
	withLine bool   // PrintError shows line; false for a problem of the whole file
}

// NewError returns the problem msg at pos..end of src, the text of the file
// pos refers to (PrintError shows the line of src that holds pos).
func NewError(src string, pos, end Pos, msg string) *Error {
	return &Error{Pos: pos, End: end, Msg: shorten(msg), line: lineAt(src, pos.Offset), withLine: true}
}

func errorf(src string, pos, end Pos, format string, args ...any) *Error {
	return NewError(src, pos, end, fmt.Sprintf(format, args...))
}

// shorten cuts the middle out of a message longer than maxMessage runes,
// keeping its start (what is wrong) and its end (the hint).
func shorten(msg string) string {
	n := utf8.RuneCountInString(msg)
	if n <= maxMessage {
		return msg
	}
	keep := maxMessage / 2
	return runeSlice(msg, 0, keep) + "…" + runeSlice(msg, n-keep+1, n)
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

// Error returns "file:line:col: error: message" ("<input>" for a file
// without a name).
func (e *Error) Error() string {
	name := DisplayName(e.Pos.Filename)
	if name == "" {
		name = "<input>"
	}
	return fmt.Sprintf("%s:%d:%d: error: %s", name, e.Pos.Line, e.Pos.Column, e.Msg)
}

// print writes the error, its source line and a caret under the problem
// (as wide as the problem, on that line), without a final newline. Tabs,
// control characters and invalid bytes of the line print as one character
// each, so the caret lines up and no terminal escape reaches the screen. A
// line longer than maxShownLine shows only a window around the problem.
func (e *Error) print(w io.Writer) {
	io.WriteString(w, e.Error())
	if e.Pos.Line < 1 || !e.withLine {
		return
	}
	width := 1
	if e.End.Line == e.Pos.Line && e.End.Column > e.Pos.Column {
		width = e.End.Column - e.Pos.Column
	}
	line, col, width := window(strings.TrimRight(e.line, "\r"), max(e.Pos.Column, 1)-1, width)
	num := strconv.Itoa(e.Pos.Line)
	fmt.Fprintf(w, "\n  %s | %s\n  %s | ", num, line, strings.Repeat(" ", len(num)))
	io.WriteString(w, strings.Repeat(" ", col)+"^"+strings.Repeat("~", width-1))
}

// How much of a long source line and of a long message an error shows: a
// line or a message that repeats a 300,000-character string literal would
// otherwise make the error as big as the input.
const (
	maxShownLine = 160 // runes of the source line, around the problem
	shownBefore  = 60  // of them, at most this many before the problem
	maxMessage   = 300 // runes of a message; longer ones lose their middle
)

// window returns what PrintError shows of line for a problem at rune
// column from (from 0), width runes wide: the line made printable, cut to
// maxShownLine runes around the problem with "…" where it is cut, and the
// problem's column and width in what it returns (at least 1 wide, and not
// past its end).
func window(line string, from, width int) (shown string, col, w int) {
	n := utf8.RuneCountInString(line)
	start, end := 0, n
	if n > maxShownLine {
		start = max(0, min(from-shownBefore, n-maxShownLine))
		end = start + maxShownLine
	}
	shown = printable(runeSlice(line, start, end))
	col = from - start
	if start > 0 {
		shown, col = "…"+shown, col+1
	}
	if end < n {
		shown += "…"
	}
	if rest := end - from; width > rest && rest > 0 {
		width = rest
	}
	return shown, col, width
}

// runeSlice returns the runes [i, j) of s, counting an invalid byte as one
// rune, as Pos does.
func runeSlice(s string, i, j int) string {
	from, k := len(s), 0
	for off := range s {
		if k == i {
			from = off
		}
		if k == j {
			return s[from:off]
		}
		k++
	}
	return s[from:]
}

// ErrorList is every problem of a parse or a check.
type ErrorList []*Error

// Add appends e to the list.
func (l *ErrorList) Add(e *Error) { *l = append(*l, e) }

// Error returns the first error's line and how many more there are, as
// go/scanner's ErrorList does; PrintError shows them all.
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0].Error(), len(l)-1)
}

// Err returns nil for an empty list; otherwise it orders the errors by file,
// offset and message, drops repeats of one message at one position, and
// returns the list.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
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

// PrintError writes err to w: each error of an ErrorList, or a single
// *Error, with its source line and caret, a blank line between two errors
// and a newline after the last; any other error as its text and a newline.
func PrintError(w io.Writer, err error) {
	switch err := err.(type) {
	case ErrorList:
		for i, e := range err {
			if i > 0 {
				io.WriteString(w, "\n")
			}
			e.print(w)
			io.WriteString(w, "\n")
		}
	case *Error:
		err.print(w)
		io.WriteString(w, "\n")
	case nil:
	default:
		fmt.Fprintf(w, "%s\n", err)
	}
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
