package syntax

import "fmt"

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
	return fmt.Sprintf("%s:%d:%d", p.Filename, p.Line, p.Column)
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
