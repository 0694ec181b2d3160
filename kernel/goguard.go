package kernel

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/hwnas/hwnas/engine/nn"
	"github.com/traefik/yaegi/interp"
)

// guardName is the package, imported into every Go session under this
// name, through which guardCell's rewrites call the kernel.
const guardName = "hwnasCellGuard"

// guardCell rewrites a %%go chunk so that two things that would kill the
// kernel do not:
//
//   - a goroutine it starts that panics: yaegi runs `go f(x)` on a real
//     goroutine without a recover, and such a panic ends the process. The
//     statement becomes `{ f_, x_ := f, x; go func() { defer recover…; f_(x_) }() }`,
//     which evaluates f and x where the go statement does, as Go does.
//   - a make too large for the machine: one allocation over the memory the
//     system grants is a fatal error of the Go runtime, before any check
//     after it could run. Each size of a make is passed through a check of
//     its bytes against the memory limit (nn.MachineMemoryLimit).
//
// The rewrites add no line breaks, so positions keep their lines; line is
// the cell line src starts on, which a goroutine's panic report names. A
// chunk that does not parse is returned as it is, for yaegi to report.
func guardCell(src string, decl bool, line int) string {
	prefix := "package p;"
	suffix := ""
	if !decl {
		prefix, suffix = "package p; func _() {", "\n}"
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", prefix+src+suffix, parser.SkipObjectResolution)
	if err != nil {
		return src
	}
	var targets []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			targets = append(targets, n)
		case *ast.CallExpr:
			if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "make" && len(n.Args) > 1 {
				targets = append(targets, n)
			}
		}
		return true
	})
	if len(targets) == 0 {
		return src
	}
	r := &rewriter{src: prefix + src + suffix, base: fset.File(f.Pos()).Base(), targets: targets, fset: fset, line: line}
	out := r.render(len(prefix), len(prefix)+len(src))
	return out
}

// rewriter renders source with its target nodes replaced, innermost
// first: a replacement is made of the rendered parts of its node.
type rewriter struct {
	src     string
	base    int
	targets []ast.Node // in source order, outer before inner
	n       int        // go statements rewritten so far, for unique names
	fset    *token.FileSet
	line    int // the cell line of the chunk's first line
}

func (r *rewriter) off(p token.Pos) int { return int(p) - r.base }

// render copies src[lo:hi] with every target inside it replaced.
func (r *rewriter) render(lo, hi int) string {
	var b strings.Builder
	at := lo
	for _, t := range r.targets {
		s, e := r.off(t.Pos()), r.off(t.End())
		if s < at || e > hi {
			continue // outside, or inside a target already rendered
		}
		b.WriteString(r.src[at:s])
		switch t := t.(type) {
		case *ast.GoStmt:
			b.WriteString(r.goStmt(t.Call, r.line+r.fset.Position(t.Pos()).Line-1))
		case *ast.CallExpr:
			b.WriteString(r.makeCall(t))
		}
		at = e
	}
	b.WriteString(r.src[at:hi])
	return b.String()
}

func (r *rewriter) text(n ast.Node) string { return r.render(r.off(n.Pos()), r.off(n.End())) }

// builtins are the predeclared functions, which cannot be values.
var builtins = []string{"append", "cap", "clear", "close", "complex", "copy", "delete", "imag", "len", "make",
	"max", "min", "new", "panic", "print", "println", "real", "recover"}

// goStmt is the replacement of `go call`: the function and its arguments
// evaluated here, the call on a goroutine that recovers a panic.
func (r *rewriter) goStmt(c *ast.CallExpr, line int) string {
	r.n++
	var names, values, args []string
	fun := r.text(c.Fun)
	if id, ok := c.Fun.(*ast.Ident); !ok || !slices.Contains(builtins, id.Name) {
		name := fmt.Sprintf("_hwnasGoF%d", r.n)
		names, values, fun = append(names, name), append(values, fun), name
	}
	_, multi := singleCall(c)
	for i, a := range c.Args {
		if multi { // f(g()) with g's results unknown: g runs on the goroutine
			args = append(args, r.text(a))
			continue
		}
		name := fmt.Sprintf("_hwnasGoA%d_%d", r.n, i)
		names, values, args = append(names, name), append(values, r.text(a)), append(args, name)
	}
	call := fun + "(" + strings.Join(args, ", ")
	if c.Ellipsis.IsValid() {
		call += "..."
	}
	call += ")"
	bind := ""
	if len(names) > 0 {
		bind = strings.Join(names, ", ") + " := " + strings.Join(values, ", ") + "; "
	}
	return fmt.Sprintf("{ %sgo func() { defer func() { %s.GoPanic(recover(), %d) }(); %s }() }", bind, guardName, line, call)
}

// singleCall reports whether c's only argument is itself a call, whose
// results (maybe several) are c's arguments.
func singleCall(c *ast.CallExpr) (*ast.CallExpr, bool) {
	if len(c.Args) != 1 || c.Ellipsis.IsValid() {
		return nil, false
	}
	inner, ok := c.Args[0].(*ast.CallExpr)
	return inner, ok
}

// makeCall is the replacement of make(T, n…): each size checked first.
func (r *rewriter) makeCall(c *ast.CallExpr) string {
	typ := r.text(c.Args[0])
	parts := []string{typ}
	for _, a := range c.Args[1:] {
		parts = append(parts, fmt.Sprintf("%s.Size((%s)(nil), int64(%s))", guardName, typ, r.text(a)))
	}
	return "make(" + strings.Join(parts, ", ") + ")"
}

// guardExports is the package guardCell's rewrites call: GoPanic reports a
// goroutine's recovered panic on w (the cells' stderr), Size checks the
// bytes of a make.
func guardExports(w io.Writer) interp.Exports {
	return interp.Exports{"hwnas/cellguard/cellguard": {
		"GoPanic": reflect.ValueOf(func(v any, line int) {
			if v != nil {
				fmt.Fprintf(w, "panic in a goroutine a cell started (its go statement is on line %d): %v (the goroutine ended; the kernel goes on)\n", line, v)
			}
		}),
		"Size": reflect.ValueOf(checkMake),
	}}
}

// checkMake returns n, or panics when n elements of what t (a nil slice,
// map or channel) holds need more than the memory limit.
func checkMake(t any, n int64) int {
	limit, from := nn.MachineMemoryLimit()
	typ := reflect.TypeOf(t)
	if typ == nil || limit <= 0 {
		return int(n)
	}
	size := int64(typ.Elem().Size())
	if typ.Kind() == reflect.Map {
		size += int64(typ.Key().Size())
	}
	if n > 0 && size > 0 && n > limit/size {
		need := int64(math.MaxInt64)
		if n <= math.MaxInt64/size {
			need = n * size
		}
		panic(fmt.Sprintf("make(%s, %d) needs %s, over the memory limit of %s (%s)", typ, n, nn.BytesHuman(need), nn.BytesHuman(limit), from))
	}
	return int(n)
}
