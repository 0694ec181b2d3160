package kernel

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"reflect"
	"sort"
	"strings"

	"github.com/hwnas/hwnas/kernel/core"
	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
)

// yaegi v0.16.1 cannot type `x := s[i]` at the top level when s is a slice,
// array or map of a compiled package (its type lookup yields no type for an
// index of a host container, traefik/yaegi#1636: the global is never
// defined, "constant definition loop", or the compiler crashes). A conversion names the type and is
// typed at once, so typedDefines rewrites `x := s[i]` to `x := T(s[i])`,
// finding T from the reflected type of s (or of the function returning it).

// retryTyped runs again a statement chunk that failed to compile (so
// nothing of it ran), with its x := s[i] typed: the whole chunk if that
// compiles, else statement by statement so that each s defined earlier in
// the chunk exists when its type is read. ok is false when the retry did
// not get past compiling; the caller then reports the first failure.
func (g *goSession) retryTyped(ctx context.Context, src string, line int) (v reflect.Value, err error, ok bool) {
	if typed, changed := g.typedDefines(src); changed {
		v, err = g.eval(ctx, typed, line, false)
		if ran(err) {
			return v, err, true
		}
	}
	f, fset := parseChunk(src, false)
	if f == nil {
		return v, err, false
	}
	body := f.Decls[0].(*ast.FuncDecl).Body.List
	if len(body) < 2 {
		return v, err, false
	}
	base := fset.File(f.Pos()).Offset(f.Pos()) + len("package p; func _() {\n")
	for i, st := range body {
		from, to := fset.Position(st.Pos()).Offset-base, fset.Position(st.End()).Offset-base
		if from < 0 || to > len(src) || from > to {
			return v, err, false
		}
		v, err = g.eval(ctx, src[from:to], line+fset.Position(st.Pos()).Line-2, false)
		if err != nil && i == 0 && !ran(err) {
			return v, err, false // the first statement fails alone: as reported
		}
		if err != nil {
			return v, err, true
		}
	}
	return v, nil, true
}

// ran reports whether an eval got past compiling: no error, or a panic or
// an interrupt while running.
func ran(err error) bool {
	var ce *core.CellError
	if err == nil {
		return true
	}
	return errors.As(err, &ce) && (ce.Name == "Panic" || ce.Name == "Interrupted")
}

// typedDefines rewrites the top-level `x := s[i]` of a statement chunk whose
// container s is a plain value (names, selectors, indexes) or a call of a
// dotted name; ok is false when it changes nothing.
func (g *goSession) typedDefines(src string) (out string, ok bool) {
	f, fset := parseChunk(src, false)
	if f == nil {
		return src, false
	}
	base := fset.File(f.Pos()).Offset(f.Pos()) + len("package p; func _() {\n")
	off := func(p interface{ Pos() token.Pos }) int { return fset.Position(p.Pos()).Offset - base }
	type insert struct {
		at   int
		text string
	}
	var ins []insert
	names := g.exportedTypeNames()
	for _, st := range f.Decls[0].(*ast.FuncDecl).Body.List {
		as, isAssign := st.(*ast.AssignStmt)
		if !isAssign || as.Tok != token.DEFINE || len(as.Lhs) != len(as.Rhs) {
			continue
		}
		for _, rhs := range as.Rhs {
			ix, isIndex := ast.Unparen(rhs).(*ast.IndexExpr)
			if !isIndex {
				continue
			}
			t := g.containerType(src, ix.X, off)
			if t == nil {
				continue
			}
			name, named := typeName(elemType(t), names)
			if !named {
				continue
			}
			ins = append(ins, insert{off(rhs), name + "("}, insert{off(rhs) + int(rhs.End()-rhs.Pos()), ")"})
		}
	}
	if len(ins) == 0 {
		return src, false
	}
	sort.SliceStable(ins, func(a, b int) bool { return ins[a].at > ins[b].at })
	for _, in := range ins {
		if in.at < 0 || in.at > len(src) {
			return src, false
		}
		src = src[:in.at] + in.text + src[in.at:]
	}
	return src, true
}

// containerType is the type of the indexed expression x when evaluating it,
// or the function it calls, has no effect: x is a plain value or a call of
// a dotted name; nil otherwise.
func (g *goSession) containerType(src string, x ast.Expr, off func(interface{ Pos() token.Pos }) int) (t reflect.Type) {
	defer func() {
		if recover() != nil {
			t = nil
		}
	}()
	text := func(e ast.Expr) string { return src[off(e) : off(e)+int(e.End()-e.Pos())] }
	switch e := ast.Unparen(x).(type) {
	case *ast.Ident, *ast.SelectorExpr, *ast.IndexExpr:
		if !isPlainValue(e) {
			return nil
		}
		v, err := g.i.Eval(text(e))
		if err != nil || !v.IsValid() {
			return nil
		}
		return v.Type()
	case *ast.CallExpr:
		if !isDottedName(e.Fun) {
			return nil
		}
		v, err := g.i.Eval(text(e.Fun))
		if err != nil || !v.IsValid() || v.Kind() != reflect.Func || v.Type().NumOut() < 1 {
			return nil
		}
		return v.Type().Out(0)
	}
	return nil
}

// isPlainValue reports whether e is made of names, selectors and indexes by
// a name or a literal (ps[0].Aliases), which can be evaluated without effect.
func isPlainValue(e ast.Expr) bool {
	switch x := ast.Unparen(e).(type) {
	case *ast.Ident:
		return true
	case *ast.SelectorExpr:
		return isPlainValue(x.X)
	case *ast.IndexExpr:
		switch ast.Unparen(x.Index).(type) {
		case *ast.Ident, *ast.BasicLit:
			return isPlainValue(x.X)
		}
	}
	return false
}

// elemType is the type of an index of t; nil if t cannot be indexed.
func elemType(t reflect.Type) reflect.Type {
	switch t.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map:
		return t.Elem()
	case reflect.Pointer:
		if t.Elem().Kind() == reflect.Array {
			return t.Elem().Elem()
		}
	case reflect.String:
		return reflect.TypeFor[byte]()
	}
	return nil
}

// typeName writes t as Go source, naming defined types by the packages
// imported in this session; ok is false if some part has no name there.
func typeName(t reflect.Type, names map[reflect.Type]string) (string, bool) {
	if t == nil {
		return "", false
	}
	if n, ok := names[t]; ok {
		return n, true
	}
	if t.Name() != "" {
		if t.PkgPath() == "" {
			return t.Name(), true // int, string, error…
		}
		return "", false
	}
	wrap := func(prefix string, e reflect.Type) (string, bool) {
		s, ok := typeName(e, names)
		return prefix + s, ok
	}
	switch t.Kind() {
	case reflect.Pointer:
		return wrap("*", t.Elem())
	case reflect.Slice:
		return wrap("[]", t.Elem())
	case reflect.Array:
		return wrap(fmt.Sprintf("[%d]", t.Len()), t.Elem())
	case reflect.Map:
		k, ok := typeName(t.Key(), names)
		if !ok {
			return "", false
		}
		return wrap("map["+k+"]", t.Elem())
	}
	return "", false
}

// exportedTypeNames maps each type exported by a package imported in this
// session to its qualified name (hwnas.Platform, strings.Builder).
func (g *goSession) exportedTypeNames() map[reflect.Type]string {
	names := map[reflect.Type]string{}
	for _, ex := range []interp.Exports{g.extra, stdlib.Symbols} {
		keys := make([]string, 0, len(ex))
		for k := range ex {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			pkg := k[strings.LastIndex(k, "/")+1:]
			if !g.known[pkg] {
				continue
			}
			syms := ex[k]
			sn := make([]string, 0, len(syms))
			for s := range syms {
				sn = append(sn, s)
			}
			sort.Strings(sn)
			for _, s := range sn {
				v := syms[s]
				// A type is exported as a nil pointer to it (a variable
				// is addressable).
				if v.Kind() == reflect.Pointer && v.IsNil() && !v.CanAddr() {
					if _, dup := names[v.Type().Elem()]; !dup {
						names[v.Type().Elem()] = pkg + "." + s
					}
				}
			}
		}
	}
	return names
}
