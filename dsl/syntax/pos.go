package syntax

import (
	"fmt"
	"strconv"
)

// Pos is a position in a source file. Its fields are those of participle's
// lexer.Position, in the same order, so the parser fills the Pos and EndPos
// of every syntax tree node with a conversion.
type Pos struct {
	Filename string
	Offset   int // byte offset, from 0
	Line     int // from 1
	Column   int // in runes, from 1
}

// String returns "file:line:col", or "line:col" when the file has no name.
func (p Pos) String() string {
	if p.Filename == "" {
		return fmt.Sprintf("%d:%d", p.Line, p.Column)
	}
	return fmt.Sprintf("%s:%d:%d", DisplayName(p.Filename), p.Line, p.Column)
}

// DisplayName is a file name as messages print it: as it is, or quoted with
// Go's escapes when it holds a control character or bytes that are not
// UTF-8, so that no terminal escape sequence in a name reaches the screen.
func DisplayName(name string) string {
	if printable(name) == name {
		return name
	}
	return strconv.Quote(name)
}

// advance moves p over text: lines count newlines, columns count runes.
func (p *Pos) advance(text string) {
	for _, r := range text {
		if r == '\n' {
			p.Line++
			p.Column = 1
		} else {
			p.Column++
		}
	}
	p.Offset += len(text)
}
