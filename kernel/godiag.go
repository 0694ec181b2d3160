package kernel

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	gotypes "go/types"
	"sort"
	"strings"

	"github.com/hwnas/hwnas/kernel/core"
	"github.com/traefik/yaegi/stdlib"
)

// Diagnosis of yaegi v0.16.1 failures whose own message is wrong or absent:
// an undefined name used at the top level of a cell is reported as
// "constant definition loop" (traefik/yaegi#1293), and a qualified name of
// a package that is not imported (var b strings.Builder) crashes the
// compiler with a nil pointer dereference, because its type lookup returns
// no type and no error (traefik/yaegi#1636).

// undefinedName is an identifier of a chunk that nothing declares, with its
// position in the chunk (1-based).
type undefinedName struct {
	name      string
	line, col int
}

// undefinedNames returns the identifiers of src (a chunk as given to yaegi)
// that neither the chunk, nor an earlier chunk, nor the language declares.
// The interpreter cannot be asked: after a failed compile it keeps
// placeholders for the names it could not resolve.
func (g *goSession) undefinedNames(src string, decl bool) []undefinedName {
	f, fset := parseChunk(src, decl)
	if f == nil {
		return nil
	}
	var out []undefinedName
	seen := map[string]bool{}
	for _, id := range f.Unresolved {
		name := id.Name
		if seen[name] || name == "_" || g.known[name] || gotypes.Universe.Lookup(name) != nil {
			continue
		}
		seen[name] = true
		p := fset.Position(id.Pos())
		out = append(out, undefinedName{name: name, line: p.Line - 1, col: p.Column})
	}
	sort.Slice(out, func(a, b int) bool {
		return out[a].line < out[b].line || out[a].line == out[b].line && out[a].col < out[b].col
	})
	return out
}

// parseChunk parses a chunk as a file (decl) or as a function body, with
// the chunk starting on the file's second line; nil if it does not parse.
func parseChunk(src string, decl bool) (*ast.File, *token.FileSet) {
	head, tail := "package p\n", ""
	if !decl {
		head, tail = "package p; func _() {\n", "\n}"
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", head+src+tail, 0)
	if err != nil {
		return nil, nil
	}
	return f, fset
}

// learn records the names a chunk that compiled declares at the top level:
// its declarations, imports and the variables its := statements define.
func (g *goSession) learn(src string, decl bool) {
	f, _ := parseChunk(src, decl)
	if f == nil {
		return
	}
	for _, im := range f.Imports {
		if im.Name != nil {
			g.known[im.Name.Name] = true
			continue
		}
		g.known[packageName(strings.Trim(im.Path.Value, "\"`"))] = true
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil && d.Name.Name != "_" {
				g.known[d.Name.Name] = true
				continue
			}
			if decl {
				continue
			}
			for _, st := range d.Body.List {
				if as, ok := st.(*ast.AssignStmt); ok && as.Tok == token.DEFINE {
					for _, l := range as.Lhs {
						if id, ok := l.(*ast.Ident); ok {
							g.known[id.Name] = true
						}
					}
				}
			}
		case *ast.GenDecl:
			for _, sp := range d.Specs {
				switch sp := sp.(type) {
				case *ast.TypeSpec:
					g.known[sp.Name.Name] = true
				case *ast.ValueSpec:
					for _, n := range sp.Names {
						g.known[n.Name] = true
					}
				}
			}
		}
	}
}

// packageName is the name a standard-library import path declares.
func packageName(path string) string {
	el := strings.Split(path, "/")
	name := el[len(el)-1]
	if len(el) > 1 && len(name) > 1 && name[0] == 'v' && strings.Trim(name[1:], "0123456789") == "" {
		name = el[len(el)-2] // math/rand/v2
	}
	return name
}

// stdlibPaths maps a standard-library package name to its import paths.
var stdlibPaths = func() map[string][]string {
	m := map[string][]string{}
	for k := range stdlib.Symbols {
		i := strings.LastIndex(k, "/")
		if i < 0 {
			continue
		}
		path, name := k[:i], k[i+1:]
		if strings.Contains(path, "internal") {
			continue
		}
		m[name] = append(m[name], path)
	}
	for _, p := range m {
		sort.Strings(p)
	}
	return m
}()

// undefinedError reports the first undefined name of a chunk as a compile
// error at its cell position; line is the cell line of the chunk's line 1.
func undefinedError(u []undefinedName, line int) *core.CellError {
	first := u[0]
	msg := fmt.Sprintf("line %d:%d: undefined: %s", line+first.line-1, first.col, first.name)
	if paths := stdlibPaths[first.name]; len(paths) > 0 {
		q := make([]string, len(paths))
		for i, p := range paths {
			q[i] = fmt.Sprintf("import %q", p)
		}
		msg += fmt.Sprintf(" (the package is not imported: add %s)", strings.Join(q, " or "))
	}
	if len(u) > 1 {
		var rest []string
		for _, x := range u[1:] {
			rest = append(rest, x.name)
		}
		msg += "; also undefined: " + strings.Join(rest, ", ")
	}
	return &core.CellError{Name: "CompileError", Value: msg, Traceback: []string{"CompileError: " + msg}}
}

// definitionLoopHint explains yaegi's "definition loop" when no name is
// undefined: it cannot type a top-level variable whose value indexes a
// slice, array or map that a compiled package returned.
const definitionLoopHint = "the Go interpreter (yaegi v0.16.1) cannot work out the type of this top-level variable " +
	"(it fails on x := s[i] when s is a slice, array or map from a compiled package such as hwnas or the standard library); " +
	"name the type with a conversion, q := hwnas.Platform(hwnas.Platforms()[1]), or declare it first, var q hwnas.Platform then q = …, " +
	"or work inside a block or function"
