package kernel

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"strings"
)

// goChunk is a run of a %%go cell that yaegi can evaluate in one Eval: a
// single top-level declaration, or consecutive statements.
type goChunk struct {
	src   string
	decl  bool
	block bool // a compound statement (if, for, switch, select, block, labelled), run on its own
	line  int  // 1-based line of the chunk's first byte in the cell body
	start int  // byte offset of the chunk in the cell body
}

// splitGo splits a %%go cell body into declaration and statement chunks,
// because yaegi parses a source either as a file or as a function body,
// never as a mix of both.
func splitGo(src string) ([]goChunk, error) {
	t, err := scanGo(src)
	if err != nil {
		return nil, err
	}
	stmts, err := t.statements(src)
	if err != nil {
		return nil, err
	}
	var chunks []goChunk
	for _, st := range stmts {
		if n := len(chunks); n > 0 && !st.decl && !st.block && !chunks[n-1].decl && !chunks[n-1].block {
			chunks[n-1].src = src[chunks[n-1].start:st.end]
			continue
		}
		chunks = append(chunks, goChunk{src: src[st.start:st.end], decl: st.decl, block: st.block, line: t.line(st.start), start: st.start})
	}
	return chunks, nil
}

// goTokens are the tokens of a cell body with their byte offsets.
type goTokens struct {
	file *token.File
	toks []token.Token
	offs []int
}

// scanGo scans a cell body; an error reports its first scanning error.
func scanGo(src string) (*goTokens, error) {
	t := &goTokens{file: token.NewFileSet().AddFile("cell", -1, len(src))}
	var s scanner.Scanner
	var scanErr error
	s.Init(t.file, []byte(src), func(pos token.Position, msg string) {
		if scanErr == nil {
			scanErr = fmt.Errorf("line %d:%d: %s", pos.Line, pos.Column, msg)
		}
	}, 0)
	for {
		pos, tok, _ := s.Scan()
		if tok == token.EOF {
			break
		}
		t.toks = append(t.toks, tok)
		t.offs = append(t.offs, t.file.Offset(pos))
	}
	return t, scanErr
}

// line returns the 1-based line of a byte offset.
func (t *goTokens) line(off int) int { return t.file.Line(t.file.Pos(off)) }

// stmt is one top-level statement or declaration: its byte range in the
// cell body and its kind.
type stmt struct {
	start, end  int
	decl, block bool
}

// statements splits the tokens into top-level statements, rejecting a
// package clause and a func main.
func (t *goTokens) statements(src string) ([]stmt, error) {
	toks, offs := t.toks, t.offs
	var stmts []stmt
	depth, start, blk := 0, -1, false
	for i, tok := range toks {
		switch tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			depth--
		}
		if start < 0 && tok != token.SEMICOLON {
			start, blk = i, isBlockStart(toks[i:])
			if tok == token.PACKAGE {
				return nil, fmt.Errorf("line %d: a %%%%go cell has no package clause: write declarations and statements directly", t.line(offs[i]))
			}
		}
		// The header of a compound statement holds semicolons too
		// (for i := 0; i < n; i++ {): it ends at one after its closing brace.
		endsHere := tok == token.SEMICOLON && (!blk || toks[i-1] == token.RBRACE)
		if start < 0 || depth != 0 || !endsHere && i != len(toks)-1 {
			continue
		}
		end := len(src)
		if tok == token.SEMICOLON {
			end = offs[i]
		}
		st := stmt{start: offs[start], end: end, decl: isDeclStart(toks[start : i+1]), block: blk}
		if st.decl && t.isMain(src, start) {
			return nil, fmt.Errorf("line %d: func main is not allowed in a cell: yaegi would run it again after every later declaration; write the statements at the top level", t.line(offs[start]))
		}
		stmts = append(stmts, st)
		start = -1
	}
	return stmts, nil
}

// isMain reports whether the declaration at token i is func main.
func (t *goTokens) isMain(src string, i int) bool {
	toks := t.toks
	return toks[i] == token.FUNC && i+2 < len(toks) && toks[i+1] == token.IDENT && toks[i+2] == token.LPAREN &&
		strings.TrimSpace(src[t.offs[i+1]:t.offs[i+2]]) == "main"
}

// isBlockStart reports whether the tokens of one top-level statement form a
// compound statement. yaegi loses the variables that a multi-value := defines
// inside a block at the top level ("undefined: v" on their use), so such a
// statement runs as the body of a function of its own (see goSession.block).
func isBlockStart(toks []token.Token) bool {
	switch toks[0] {
	case token.IF, token.FOR, token.SWITCH, token.SELECT, token.LBRACE:
		return true
	case token.IDENT:
		return len(toks) > 1 && toks[1] == token.COLON // a label
	}
	return false
}

// isDeclStart reports whether the tokens of one top-level statement form a
// declaration (import, const, type, var, or a func or method declaration
// rather than a function literal).
func isDeclStart(toks []token.Token) bool {
	switch toks[0] {
	case token.IMPORT, token.CONST, token.TYPE, token.VAR:
		return true
	case token.FUNC:
		if len(toks) > 1 && toks[1] == token.IDENT {
			return true
		}
		if len(toks) > 1 && toks[1] == token.LPAREN { // a receiver is followed by the method name
			d := 0
			for i := 1; i < len(toks); i++ {
				switch toks[i] {
				case token.LPAREN:
					d++
				case token.RPAREN:
					d--
					if d == 0 {
						return i+1 < len(toks) && toks[i+1] == token.IDENT
					}
				}
			}
		}
	}
	return false
}

// lastExpr splits a statement chunk whose last statement is an expression
// into the statements before it and that expression; ok is false otherwise.
// For a call, callee is its function when that is a plain (dotted) name, and
// isCall is true.
func lastExpr(src string) (before, expr, callee string, isCall, ok bool) {
	const head = "package p; func _() {\n"
	f, err := parser.ParseFile(token.NewFileSet(), "", head+src+"\n}", 0)
	if err != nil || len(f.Decls) != 1 {
		return "", "", "", false, false
	}
	body := f.Decls[0].(*ast.FuncDecl).Body.List
	if len(body) == 0 {
		return "", "", "", false, false
	}
	es, isExpr := body[len(body)-1].(*ast.ExprStmt)
	if !isExpr {
		return "", "", "", false, false
	}
	base := token.Pos(1 + len(head))
	from, to := int(es.Pos()-base), int(es.End()-base)
	if from < 0 || to > len(src) || from > to {
		return "", "", "", false, false
	}
	if call, yes := ast.Unparen(es.X).(*ast.CallExpr); yes {
		isCall = true
		if isDottedName(call.Fun) {
			callee = src[int(call.Fun.Pos()-base):int(call.Fun.End()-base)]
		}
	}
	return src[:from], src[from:to], callee, isCall, true
}

// isDottedName reports whether e is a name or a chain of selectors on a
// name, which can be evaluated without side effects.
func isDottedName(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.Ident:
		return true
	case *ast.SelectorExpr:
		return isDottedName(x.X)
	}
	return false
}

// importSpecs returns one `import name "path"` source per spec of an import
// declaration, so that each can be evaluated (and re-imported) on its own.
func importSpecs(src string) ([]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "", "package p\n"+src, parser.ImportsOnly)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, im := range f.Imports {
		name := ""
		if im.Name != nil {
			name = im.Name.Name + " "
		}
		out = append(out, "import "+name+im.Path.Value)
	}
	return out, nil
}
