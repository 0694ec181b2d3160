package kernel

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/scanner"
	"io"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hwnas/hwnas/kernel/core"
	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
)

// goSession runs %%go cells in one yaegi interpreter whose values persist
// between cells. Output written by fmt and log goes to stream writers bound
// to the cell being run; display helpers publish rich output.
type goSession struct {
	mu     sync.Mutex // serialises cells
	i      *interp.Interpreter
	stdout *core.StreamWriter
	stderr *core.StreamWriter
	stdin  *core.StdinReader
	disp   *displayState
	extra  interp.Exports
	blocks int             // functions made by block so far
	known  map[string]bool // names declared by the chunks that compiled, for diagnoses
}

// MIMEBundler is implemented by host values that render themselves as a
// MIME bundle (for example experiment results) when a cell returns them.
type MIMEBundler interface {
	MIMEBundle() map[string]any
}

func newGoSession(extra interp.Exports) (*goSession, error) {
	g := &goSession{stdout: core.NewStreamWriter("stdout"), stderr: core.NewStreamWriter("stderr"), stdin: &core.StdinReader{}, disp: &displayState{}, extra: extra}
	if err := g.reset(); err != nil {
		return nil, err
	}
	return g, nil
}

// reset discards every interpreted value and starts a fresh interpreter.
func (g *goSession) reset() error {
	i := interp.New(interp.Options{Stdin: g.stdin, Stdout: g.stdout, Stderr: g.stderr})
	if err := i.Use(stdlib.Symbols); err != nil {
		return fmt.Errorf("go cells: load the standard library: %w", err)
	}
	if err := i.Use(g.stdio()); err != nil {
		return fmt.Errorf("go cells: bind os.Stdout and os.Stderr: %w", err)
	}
	if err := i.Use(displayExports(g.disp)); err != nil {
		return fmt.Errorf("go cells: load the display package: %w", err)
	}
	if err := i.Use(guardExports(g.stderr)); err != nil {
		return fmt.Errorf("go cells: load the cell guard: %w", err)
	}
	if _, err := i.Eval(`import ` + guardName + ` "hwnas/cellguard"`); err != nil {
		return fmt.Errorf("go cells: import the cell guard: %w", err)
	}
	if g.extra != nil {
		if err := i.Use(g.extra); err != nil {
			return fmt.Errorf("go cells: load the hwnas packages: %w", err)
		}
	}
	// display, fmt and hwnas are imported once so that every cell can use them.
	for _, p := range []string{"hwnas/display", "fmt", "hwnas"} {
		if _, err := i.Eval(`import "` + p + `"`); err != nil {
			return fmt.Errorf("go cells: import %s: %w", p, err)
		}
	}
	g.i = i
	g.blocks = 0
	g.known = map[string]bool{"display": true, "fmt": true, "hwnas": true}
	return nil
}

// stdio replaces os.Stdin, os.Stdout and os.Stderr of the cells with the
// session's streams. yaegi binds them only when they are *os.File, so by
// default a cell's os.Stderr was the kernel's own; here they are an
// io.Reader and io.Writers (documented in docs/kernel.md).
func (g *goSession) stdio() interp.Exports {
	var in io.Reader = g.stdin
	var out, errw io.Writer = g.stdout, g.stderr
	return interp.Exports{"os/os": {
		"Stdin":  reflect.ValueOf(&in).Elem(),
		"Stdout": reflect.ValueOf(&out).Elem(),
		"Stderr": reflect.ValueOf(&errw).Elem(),
	}}
}

// execute runs one %%go cell body; firstLine is the cell line the body starts on.
func (g *goSession) execute(ctx context.Context, body string, firstLine int, out *core.Output) (*core.ExecResult, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	chunks, err := splitGo(body)
	if err != nil {
		return nil, &core.CellError{Name: "SyntaxError", Value: err.Error()}
	}
	defer g.attach(out)()
	ctx, unguard := stackGuard(ctx)
	defer unguard()
	var result reflect.Value
	show := false
	for n, c := range chunks {
		line := firstLine - 1 + c.line
		if n == len(chunks)-1 && !c.decl && !c.block {
			var isExpr bool
			result, show, isExpr, err = g.final(ctx, c.src, line)
			if err != nil {
				return nil, err
			}
			if isExpr {
				break
			}
		}
		if err := g.run(ctx, c, line); err != nil {
			return nil, err
		}
	}
	if !show || !result.IsValid() {
		return &core.ExecResult{}, nil
	}
	return &core.ExecResult{Data: bundleOf(result)}, nil
}

// attach binds stdout, stderr, stdin and the display helpers to a cell's
// output and flushes output at every tick, until detach is called.
func (g *goSession) attach(out *core.Output) (detach func()) {
	g.stdout.Bind(out)
	g.stderr.Bind(out)
	g.stdin.Bind(out)
	g.disp.bind(out)
	stop := make(chan struct{})
	go g.tick(stop)
	return func() {
		close(stop)
		g.stdout.Flush()
		g.stderr.Bind(nil)
		g.stdout.Bind(nil)
		g.stdin.Bind(nil)
		g.disp.bind(nil)
	}
}

// run evaluates one chunk that is not the cell's final expression; line is
// the cell line it starts on.
func (g *goSession) run(ctx context.Context, c goChunk, line int) error {
	switch {
	case c.block:
		return g.block(ctx, c.src, line)
	case c.decl && strings.HasPrefix(c.src, "import"):
		return g.imports(ctx, c.src, line)
	}
	_, err := g.eval(ctx, c.src, line, c.decl)
	return err
}

// final runs a cell's last chunk of statements when its last statement is
// an expression, and returns the expression's value and whether it is the
// cell's result. isExpr is false, and nothing ran, for any other chunk.
func (g *goSession) final(ctx context.Context, src string, line int) (v reflect.Value, show, isExpr bool, err error) {
	before, expr, callee, isCall, ok := lastExpr(src)
	if !ok {
		return v, false, false, nil
	}
	if strings.TrimSpace(before) != "" {
		if _, err := g.eval(ctx, before, line, false); err != nil {
			return v, false, true, err
		}
	}
	// Decided after the statements before it ran, so that the callee's
	// receiver exists.
	show = !isCall || g.returnsOne(callee)
	v, err = g.eval(ctx, expr, line+strings.Count(before, "\n"), false)
	return v, show, true, err
}

// blockPrefix starts the names of the functions made by block; names hides them.
const blockPrefix = "_hwnasBlock"

// block runs one top-level compound statement as the body of a function
// declared for it, then calls that function. yaegi v0.16.1 evaluates a
// top-level block in the package scope and loses what a multi-value :=
// inside it defines (`v, err := f()` then `undefined: v`); inside a function
// it is right. A function literal called in place is no way out: yaegi runs
// it again at the next Eval when it loops over a global. The body starts on
// the function's second line so that positions need no column shift.
func (g *goSession) block(ctx context.Context, src string, line int) error {
	g.blocks++
	name := fmt.Sprintf("%s%d", blockPrefix, g.blocks)
	if _, err := g.eval(ctx, "func "+name+"() {\n"+src+"\n}", line-1, true); err != nil {
		return err
	}
	// Positions of a panic point into the declaration, hence the same line.
	_, err := g.eval(ctx, name+"()", line-1, true)
	return err
}

// valuedBuiltins are the builtins whose call yields one value.
var valuedBuiltins = map[string]bool{"len": true, "cap": true, "append": true, "make": true, "new": true,
	"min": true, "max": true, "complex": true, "real": true, "imag": true, "copy": true, "recover": true}

// returnsOne reports whether a call of callee yields exactly one value, by
// evaluating the callee (a plain dotted name) and reading its type: yaegi
// hands back a stale value for a void call, so the result of Eval alone
// cannot tell. A callee that is not a function is a conversion.
func (g *goSession) returnsOne(callee string) (ok bool) {
	if callee == "" {
		return false
	}
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	if valuedBuiltins[callee] {
		return true
	}
	v, err := g.i.Eval(callee)
	if err != nil {
		return false
	}
	if v.IsValid() && v.Kind() == reflect.Func {
		return v.Type().NumOut() == 1
	}
	return isConversionTarget(callee)
}

// isConversionTarget reports whether name is a predeclared type, so that a
// call of it is a conversion.
func isConversionTarget(name string) bool {
	switch name {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr",
		"float32", "float64", "complex64", "complex128", "string", "byte", "rune", "bool", "any":
		return true
	}
	return false
}

// imports evaluates each spec of an import declaration on its own; importing
// a package again (re-running a cell) is not an error.
func (g *goSession) imports(ctx context.Context, src string, line int) error {
	specs, err := importSpecs(src)
	if err != nil {
		return &core.CellError{Name: "SyntaxError", Value: relocate(err.Error(), line-1, true)}
	}
	for _, s := range specs {
		if _, err := g.eval(ctx, s, line, true); err != nil {
			if strings.Contains(err.Error(), "redeclared in this block") {
				continue
			}
			return err
		}
	}
	return nil
}

// blockFrame is the name of a function made by block in a panic frame.
var blockFrame = regexp.MustCompile(`main\.` + blockPrefix + `\d+\(`)

var panicFrame = regexp.MustCompile(`(?m)^\d+:\d+: panic: .*\n?`)

// eval evaluates one chunk and turns yaegi's failures into cell errors with
// positions relative to the cell.
func (g *goSession) eval(ctx context.Context, src string, line int, decl bool) (v reflect.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			io.WriteString(g.stderr, g.stderr.Hold(false))
			err = g.crashed(r, src, line, decl)
		}
	}()
	g.stderr.Hold(true)
	v, err = g.i.EvalWithContext(ctx, guardCell(src, decl, line))
	held := g.stderr.Hold(false)
	if err == nil {
		io.WriteString(g.stderr, held)
		g.learn(src, decl)
		return v, nil
	}
	frames := panicFrame.FindAllString(held, -1)
	io.WriteString(g.stderr, panicFrame.ReplaceAllString(held, ""))
	g.stdout.Flush()
	var p interp.Panic
	switch {
	case context.Cause(ctx) == errOutOfMemory:
		return v, g.outOfMemory()
	case context.Cause(ctx) == errStackOverflow:
		msg := fmt.Sprintf("the cell was stopped: its goroutine stacks passed %d MiB (endless recursion?); values assigned before are kept", cellStackLimit>>20)
		return v, &core.CellError{Name: "StackOverflow", Value: msg, Traceback: []string{"StackOverflow: " + msg}}
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return v, &core.CellError{Name: "Interrupted", Value: "the cell was interrupted; values assigned before the interrupt are kept", Traceback: []string{"Interrupted: the cell was interrupted"}}
	case errors.As(err, &p):
		if compiling := !bytes.Contains(p.Stack, []byte("(*Interpreter).Execute")); compiling {
			// yaegi turns its own crashes into panics too, mostly on a
			// qualified name of a package not imported: say which.
			if v, err, ok := g.diagnose(ctx, src, line, decl); ok {
				return v, err
			}
			msg := fmt.Sprintf("%v: the Go interpreter (yaegi v0.16.1) crashed compiling this chunk; %s", p.Value, definitionLoopHint)
			return v, &core.CellError{Name: "CompileError", Value: msg, Traceback: []string{"CompileError: " + msg}}
		}
		return v, panicError(p, frames, src, line, decl)
	}
	return g.compileError(ctx, err, src, line, decl)
}

// crashed is the error of a panic of yaegi itself, mostly while compiling a
// name it cannot resolve: it says which.
func (g *goSession) crashed(r any, src string, line int, decl bool) error {
	if u := g.undefinedNames(src, decl); len(u) > 0 {
		return undefinedError(u, line)
	}
	msg := fmt.Sprintf("%v (inside the Go interpreter, yaegi)", r)
	return &core.CellError{Name: "Panic", Value: msg, Traceback: []string{"panic: " + msg}}
}

// diagnose explains a chunk yaegi failed to compile, where nothing ran: an
// undefined name, or an x := s[i] it could not type, which it then runs
// again typed. ok is false when neither applies.
func (g *goSession) diagnose(ctx context.Context, src string, line int, decl bool) (v reflect.Value, err error, ok bool) {
	if u := g.undefinedNames(src, decl); len(u) > 0 {
		return v, undefinedError(u, line), true
	}
	if decl {
		return v, nil, false
	}
	return g.retryTyped(ctx, src, line)
}

// panicError is a panic of the cell's code, with the frames yaegi printed
// relocated into the cell.
func panicError(p interp.Panic, frames []string, src string, line int, decl bool) *core.CellError {
	tb := []string{fmt.Sprintf("panic: %v", p.Value)}
	for _, f := range frames {
		if strings.HasPrefix(src, blockPrefix) && strings.Contains(f, "panic: main(...)") {
			continue // the call that block made, not in the cell
		}
		f = blockFrame.ReplaceAllString(f, "main(")
		tb = append(tb, "  "+relocate(strings.TrimSpace(f), line, decl))
	}
	return &core.CellError{Name: "Panic", Value: fmt.Sprint(p.Value), Traceback: tb}
}

// compileError is the error of a chunk yaegi did not compile.
func (g *goSession) compileError(ctx context.Context, err error, src string, line int, decl bool) (reflect.Value, error) {
	var sl scanner.ErrorList
	name := "CompileError"
	if errors.As(err, &sl) {
		name = "SyntaxError"
	}
	msg := relocate(err.Error(), line, decl)
	if strings.HasSuffix(msg, "definition loop") {
		// yaegi's word for an undefined name at the top level, and for a
		// variable whose type it cannot work out.
		if v, err, ok := g.diagnose(ctx, src, line, decl); ok {
			return v, err
		}
		msg += ": " + definitionLoopHint
	}
	return reflect.Value{}, &core.CellError{Name: name, Value: msg, Traceback: []string{name + ": " + msg}}
}

var posPrefix = regexp.MustCompile(`(?m)(^|[\s(])(?:_\.go:)?(\d+):(\d+):`)

// wrapColumns is the width of yaegi's "package main; func main() {" wrapper
// around statements on the first line.
const wrapColumns = len("package main; func main() {")

// declColumns is the width of yaegi's "package main;" before declarations.
const declColumns = len("package main;")

// relocate rewrites yaegi's line:col positions into cell positions.
func relocate(msg string, line int, decl bool) string {
	return posPrefix.ReplaceAllStringFunc(msg, func(m string) string {
		sub := posPrefix.FindStringSubmatch(m)
		l, _ := strconv.Atoi(sub[2])
		c, _ := strconv.Atoi(sub[3])
		if l == 1 {
			if decl {
				c -= declColumns
			} else {
				c -= wrapColumns
			}
			if c < 1 {
				c = 1
			}
		}
		return fmt.Sprintf("%sline %d:%d:", sub[1], line+l-1, c)
	})
}

// tick flushes buffered output every 100 ms while a cell runs.
func (g *goSession) tick(stop chan struct{}) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			g.stdout.Flush()
			g.stderr.Flush()
		}
	}
}

// bundleOf renders a cell's value as a MIME bundle with text/plain.
func bundleOf(v reflect.Value) map[string]any {
	if v.CanInterface() {
		x := v.Interface()
		if b, ok := x.(MIMEBundler); ok {
			data := b.MIMEBundle()
			if _, ok := data["text/plain"]; !ok {
				data["text/plain"] = fmt.Sprint(x)
			}
			return data
		}
		if s, ok := x.(string); ok {
			return map[string]any{"text/plain": strconv.Quote(s)}
		}
		return map[string]any{"text/plain": fmt.Sprintf("%v", x)}
	}
	return map[string]any{"text/plain": v.String()}
}

// names lists the identifiers visible to cells: globals and package names.
func (g *goSession) names() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for k := range g.i.Globals() {
		if !strings.HasPrefix(k, blockPrefix) {
			out = append(out, k)
		}
	}
	seen := map[string]bool{}
	for k := range stdlib.Symbols {
		name := k[strings.LastIndex(k, "/")+1:]
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	out = append(out, "display")
	sort.Strings(out)
	return out
}

// members lists the exported symbols of the package imported under name,
// and the package path they come from.
func (g *goSession) members(name string) (syms map[string]reflect.Value, path string) {
	all := []interp.Exports{displayExports(g.disp), stdlib.Symbols, g.extra}
	var keys []string
	for _, ex := range all {
		for k := range ex {
			if strings.HasSuffix(k, "/"+name) {
				keys = append(keys, k)
			}
		}
	}
	if len(keys) == 0 {
		return nil, ""
	}
	sort.Slice(keys, func(a, b int) bool {
		return len(keys[a]) < len(keys[b]) || len(keys[a]) == len(keys[b]) && keys[a] < keys[b]
	})
	for _, ex := range all {
		if s, ok := ex[keys[0]]; ok {
			return s, strings.TrimSuffix(keys[0], "/"+name)
		}
	}
	return nil, ""
}

// global returns the value of an interpreted global, if it exists.
func (g *goSession) global(name string) (reflect.Value, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	v, ok := g.i.Globals()[name]
	return v, ok
}
