package syntax

import (
	"strconv"
	"strings"
)

// Format prints a parsed file in canonical layout: one declaration per
// paragraph, two-space indentation, one setting per line in declarations,
// layer, strategy and reward settings on one line, values spaced the same
// way everywhere, and every comment kept (own-line comments before the item
// they precede, trailing comments after it). Formatting is idempotent.
func Format(f *File) string {
	p := &printer{src: f.Src, comments: f.Comments}
	for i, d := range f.Decls {
		if i > 0 && !(sameGroup(f.Decls[i-1], d)) {
			p.blank()
		}
		p.decl(d)
	}
	p.flush(len(f.Src) + 1)
	out := p.b.String()
	return strings.TrimLeft(out, "\n")
}

// sameGroup keeps consecutive imports and consecutive runs together.
func sameGroup(a, b *Decl) bool {
	return (a.Import != nil && b.Import != nil) || (a.Run != nil && b.Run != nil)
}

type printer struct {
	src      string
	b        strings.Builder
	indent   int
	comments []Token
	lastLine int // source line of the last item or comment printed
}

func (p *printer) blank() {
	s := p.b.String()
	if s != "" && !strings.HasSuffix(s, "\n\n") {
		p.b.WriteString("\n")
	}
}

// flush prints the comments that start before offset on lines of their own,
// keeping one blank line where the source had one (at the top level).
func (p *printer) flush(offset int) {
	for len(p.comments) > 0 && p.comments[0].Pos.Offset < offset {
		c := p.comments[0]
		p.comments = p.comments[1:]
		if p.indent == 0 && p.lastLine > 0 && c.Pos.Line > p.lastLine+1 {
			p.blank()
		}
		p.b.WriteString(strings.Repeat("  ", p.indent))
		p.b.WriteString(strings.TrimRight(c.Text, " \t\r"))
		p.b.WriteString("\n")
		p.lastLine = c.Pos.Line
	}
}

// line prints one output line for the item spanning pos..end, with the
// comments before it and a trailing comment on its last source line.
func (p *printer) line(pos, end Pos, text string) {
	p.flush(pos.Offset)
	p.gap(pos)
	p.b.WriteString(strings.Repeat("  ", p.indent))
	p.b.WriteString(text)
	p.trailing(end)
	p.b.WriteString("\n")
	p.lastLine = end.Line
}

// gap keeps the blank line the source had between a top-level comment and
// the declaration after it.
func (p *printer) gap(pos Pos) {
	if p.indent == 0 && p.lastLine > 0 && pos.Line > p.lastLine+1 && strings.HasPrefix(p.lastText(), "#") {
		p.blank()
	}
}

// lastText returns the last line printed.
func (p *printer) lastText() string {
	s := strings.TrimSuffix(p.b.String(), "\n")
	return s[strings.LastIndexByte(s, '\n')+1:]
}

// trailing appends the comments on the source line where an item ends.
func (p *printer) trailing(end Pos) { p.trailingBefore(end, -1) }

// trailingBefore is trailing limited to comments before offset limit (when
// limit ≥ 0): a block header keeps only the comments before its first item.
func (p *printer) trailingBefore(end Pos, limit int) {
	for len(p.comments) > 0 && p.comments[0].Pos.Line == end.Line && p.comments[0].Pos.Offset >= end.Offset &&
		(limit < 0 || p.comments[0].Pos.Offset < limit) && p.onlySpace(end.Offset, p.comments[0].Pos.Offset) {
		p.b.WriteString("  ")
		p.b.WriteString(strings.TrimRight(p.comments[0].Text, " \t\r"))
		p.comments = p.comments[1:]
	}
}

// open prints a block header ending in "{" (first is the offset of the
// block's first item, or -1); close prints the "}" at end.
func (p *printer) open(pos, headerEnd Pos, text string, first int) {
	p.flush(pos.Offset)
	p.gap(pos)
	p.b.WriteString(strings.Repeat("  ", p.indent))
	p.b.WriteString(text + " {")
	p.trailingBefore(headerEnd, first)
	p.b.WriteString("\n")
	p.lastLine = headerEnd.Line
	p.indent++
}

func (p *printer) close(end Pos) {
	closing := end
	closing.Offset--
	closing.Column--
	p.flush(closing.Offset)
	p.indent--
	p.b.WriteString(strings.Repeat("  ", p.indent) + "}")
	p.trailing(end)
	p.b.WriteString("\n")
	p.lastLine = end.Line
}

// hasComment reports whether a comment lies inside pos..end.
func (p *printer) hasComment(pos, end Pos) bool {
	for _, c := range p.comments {
		if c.Pos.Offset >= pos.Offset && c.Pos.Offset < end.Offset {
			return true
		}
	}
	return false
}

// braceLine is the position of the line holding a block's "{": the header
// ends there, so a comment after the brace trails the header.
func braceLine(pos Pos) Pos {
	return Pos{Line: pos.Line, Offset: pos.Offset}
}

func (p *printer) decl(d *Decl) {
	switch {
	case d.Import != nil:
		p.line(d.Pos, d.EndPos, "import "+strconv.Quote(d.Import.Path))
	case d.Run != nil:
		p.line(d.Pos, d.EndPos, "run "+d.Run.Name.Text)
	case d.Platform != nil:
		pd := d.Platform
		head := "platform " + pd.Name.Text
		if pd.From != nil {
			head += " from " + strconv.Quote(pd.From.Text)
		}
		if pd.Body == nil || len(pd.Body.Items) == 0 && !p.hasComment(pd.Body.Pos, pd.Body.EndPos) {
			p.line(d.Pos, d.EndPos, head)
			return
		}
		p.fieldBlock(d.Pos, pd.Body, head)
	case d.Pool != nil:
		p.poolBody(d.Pos, d.Pool.Body, "pool "+d.Pool.Name.Text)
	case d.Space != nil:
		sd := d.Space
		if sd.Is != nil {
			p.line(d.Pos, d.EndPos, "space "+sd.Name.Text+" = "+value(sd.Is))
			return
		}
		p.open(d.Pos, braceLine(sd.Name.EndPos), "space "+sd.Name.Text, firstOffset(len(sd.Items), func() Pos { return sd.Items[0].Pos }))
		for _, it := range sd.Items {
			p.spaceItem(it)
		}
		p.close(d.EndPos)
	case d.Dataset != nil:
		p.fieldBlock(d.Pos, d.Dataset.Body, "dataset "+d.Dataset.Name.Text)
	case d.Metric != nil:
		p.fieldBlock(d.Pos, d.Metric.Body, "metric "+d.Metric.Name.Text)
	case d.Evaluator != nil:
		ev := d.Evaluator
		head := "evaluator " + ev.Name.Text + " " + ev.Kind.Text
		if ev.Body == nil || len(ev.Body.Items) == 0 && !p.hasComment(ev.Body.Pos, ev.Body.EndPos) {
			p.line(d.Pos, d.EndPos, head)
			return
		}
		p.fieldBlock(d.Pos, ev.Body, head)
	case d.Experiment != nil:
		e := d.Experiment
		p.open(d.Pos, braceLine(e.Name.EndPos), "experiment "+e.Name.Text, firstOffset(len(e.Items), func() Pos { return e.Items[0].Pos }))
		for _, it := range e.Items {
			p.expItem(it)
		}
		p.close(d.EndPos)
	}
}

// fieldBlock prints `head {` with one field per line.
func (p *printer) fieldBlock(pos Pos, fs *Fields, head string) {
	p.open(pos, braceLine(fs.Pos), head, firstOffset(len(fs.Items), func() Pos { return fs.Items[0].Pos }))
	for _, f := range fs.Items {
		p.line(f.Pos, f.EndPos, field(f))
	}
	p.close(fs.EndPos)
}

// inlineOrBlock prints `head { a = 1  b = 2 }` on one line unless a comment
// lies inside, in which case it prints one field per line.
func (p *printer) inlineOrBlock(pos, end Pos, fs *Fields, head string) {
	if fs == nil {
		p.line(pos, end, head)
		return
	}
	if p.hasComment(fs.Pos, fs.EndPos) {
		p.fieldBlock(pos, fs, head)
		return
	}
	p.line(pos, end, head+" "+inlineFields(fs))
}

func inlineFields(fs *Fields) string {
	if len(fs.Items) == 0 {
		return "{}"
	}
	parts := make([]string, len(fs.Items))
	for i, f := range fs.Items {
		parts[i] = field(f)
	}
	return "{ " + strings.Join(parts, "  ") + " }"
}

func (p *printer) poolBody(pos Pos, b *PoolBody, head string) {
	if p.hasComment(b.Pos, b.EndPos) {
		p.open(pos, braceLine(b.Pos), head, firstOffset(len(b.Items), func() Pos { return b.Items[0].Pos }))
		for _, it := range b.Items {
			p.line(it.Pos, it.EndPos, poolItem(it))
		}
		p.close(b.EndPos)
		return
	}
	var s strings.Builder
	for i, it := range b.Items {
		if i > 0 {
			if it.Set != nil || b.Items[i-1].Set != nil {
				s.WriteString("  ")
			} else {
				s.WriteString(", ")
			}
		}
		s.WriteString(poolItem(it))
	}
	if len(b.Items) == 0 {
		p.line(pos, b.EndPos, head+" {}")
		return
	}
	p.line(pos, b.EndPos, head+" { "+s.String()+" }")
}

func poolItem(it *PoolItem) string {
	s := value(it.Device)
	switch {
	case it.Count != nil:
		s += " x " + value(it.Count)
	case it.Set != nil:
		s += " = " + value(it.Set)
	}
	return s
}

func (p *printer) layer(pos, end Pos, prefix string, l *LayerSpec) {
	head := prefix + l.Kind.Text
	if l.Set != nil {
		p.line(pos, end, head+" = "+value(l.Set))
		return
	}
	p.inlineOrBlock(pos, end, l.Body, head)
}

func (p *printer) spaceItem(it *SpaceItem) {
	switch {
	case it.Input != nil:
		p.line(it.Pos, it.EndPos, "input "+value(it.Input))
	case it.Repeat != nil:
		head := "repeat " + value(it.Repeat.Count)
		if it.Repeat.Shared {
			head += " shared"
		}
		p.open(it.Pos, braceLine(it.Repeat.Count.EndPos), head, firstOffset(len(it.Repeat.Items), func() Pos { return it.Repeat.Items[0].Pos }))
		for _, x := range it.Repeat.Items {
			p.spaceItem(x)
		}
		p.close(it.EndPos)
	case it.Optional != nil:
		p.layer(it.Pos, it.EndPos, "optional ", it.Optional)
	case it.Choice != nil:
		p.open(it.Pos, braceLine(it.Pos), "choice", firstOffset(len(it.Choice.Alts), func() Pos { return it.Choice.Alts[0].Pos }))
		for _, a := range it.Choice.Alts {
			p.layer(a.Pos, a.EndPos, "", a)
		}
		p.close(it.EndPos)
	case it.Head != nil:
		p.line(it.Pos, it.EndPos, "head "+values(it.Head))
	case it.Cell != nil:
		p.open(it.Pos, braceLine(it.Pos), "cell", firstOffset(len(it.Cell.Items), func() Pos { return it.Cell.Items[0].Pos }))
		for _, x := range it.Cell.Items {
			if x.Edge != nil {
				e := x.Edge
				p.line(x.Pos, x.EndPos, "edge "+value(e.From)+" -> "+value(e.To)+" "+e.Op+" "+value(e.Value))
			} else {
				p.line(x.Pos, x.EndPos, field(x.Field))
			}
		}
		p.close(it.EndPos)
	case it.Layer != nil:
		p.layer(it.Pos, it.EndPos, "", it.Layer)
	}
}

func (p *printer) expItem(it *ExpItem) {
	switch {
	case it.Field != nil:
		p.line(it.Pos, it.EndPos, field(it.Field))
	case it.Maximize != nil:
		p.line(it.Pos, it.EndPos, "maximize "+values(it.Maximize))
	case it.Minimize != nil:
		p.line(it.Pos, it.EndPos, "minimize "+values(it.Minimize))
	case it.Require != nil:
		r := it.Require
		p.line(it.Pos, it.EndPos, "require "+r.Metric.Text+" "+r.Op+" "+value(r.Limit))
	case it.Reward != nil:
		p.inlineOrBlock(it.Pos, it.EndPos, it.Reward.Body, "reward "+it.Reward.Kind.Text)
	case it.Strategy != nil:
		p.inlineOrBlock(it.Pos, it.EndPos, it.Strategy.Body, "strategy "+it.Strategy.Kind.Text)
	case it.Fidelity != nil:
		p.inlineOrBlock(it.Pos, it.EndPos, it.Fidelity.Body, "fidelity "+it.Fidelity.Kind.Text)
	case it.Budget != nil:
		parts := make([]string, len(it.Budget))
		for i, a := range it.Budget {
			parts[i] = a.Num + " " + a.Unit
		}
		p.line(it.Pos, it.EndPos, "budget "+strings.Join(parts, " "))
	case it.Parallel != nil:
		p.line(it.Pos, it.EndPos, "parallel "+value(it.Parallel))
	case it.Seed != nil:
		p.line(it.Pos, it.EndPos, "seed "+value(it.Seed))
	case it.Retrain != nil:
		p.line(it.Pos, it.EndPos, "retrain "+value(it.Retrain))
	case it.Hardware != nil:
		h := it.Hardware
		switch {
		case h.Ref != nil:
			p.line(it.Pos, it.EndPos, "hardware = "+value(h.Ref))
		case h.Pool != nil:
			p.poolBody(it.Pos, h.Pool, "hardware pool")
		case h.Search != nil:
			p.fieldBlock(it.Pos, h.Search, "hardware search")
		}
	}
}

func field(f *Field) string { return f.Key.Text + " " + f.Op + " " + value(f.Value) }

func values(vs []*Value) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = value(v)
	}
	return strings.Join(parts, ", ")
}

// value prints a value canonically: `{a, b}`, `8 ms`, `8..64 step 8`, `f(x)`.
func value(v *Value) string {
	switch {
	case v == nil:
		return ""
	case v.Set != nil:
		return "{" + values(v.Set.Elems) + "}"
	case v.Str != nil:
		return strconv.Quote(*v.Str)
	case v.Dims != nil:
		return *v.Dims
	case v.Num != nil:
		return num(v.Num)
	case v.Ref != nil:
		if !v.Ref.Call {
			return v.Ref.Name
		}
		return v.Ref.Name + "(" + values(v.Ref.Args) + ")"
	}
	return ""
}

func num(n *Num) string {
	s := n.Text
	if n.Neg {
		s = "-" + s
	}
	if n.Unit != "" {
		s += " " + n.Unit
	}
	if n.To != nil {
		s += ".." + num(&Num{Neg: n.To.Neg, Text: n.To.Text, Unit: n.To.Unit})
		if n.Step != nil {
			s += " step " + num(n.Step)
		}
	}
	return s
}

// firstOffset returns the offset of a block's first item, or -1 when empty.
func firstOffset(n int, first func() Pos) int {
	if n == 0 {
		return -1
	}
	return first().Offset
}

// onlySpace reports whether src[from:to] holds nothing but blanks and
// comments: a comment after it trails the item that ends at from.
func (p *printer) onlySpace(from, to int) bool {
	if from < 0 || to > len(p.src) || from > to {
		return false
	}
	return len(Tokens(p.src[from:to])) == 0
}
