package dsl

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"

	"github.com/hwnas/hwnas/dsl/syntax"
)

// MaxImports bounds the files one spec may pull in through imports.
const MaxImports = 64

// ReadFunc reads an imported file; ReadFile by default.
type ReadFunc func(path string) ([]byte, error)

// Load reads, parses and checks a file and the files it imports.
func Load(path string) (*Spec, error) {
	b, err := ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}
	return LoadSource(path, string(b), ReadFile)
}

// ReadError is a spec file refused before it is read: a directory, a
// device or pipe, or a file larger than syntax.MaxSourceBytes.
type ReadError struct {
	Path    string // the file as named, or "standard input"
	Problem string // "is not a regular file"
}

func (e *ReadError) Error() string { return syntax.DisplayName(e.Path) + " " + e.Problem }

// ReadFile reads a spec file, as Load and imports do: a regular file of at
// most syntax.MaxSourceBytes bytes. Anything else is refused before it is
// read, so that `import "/dev/zero"`, a pipe or a huge file can neither
// hang the reader nor exhaust memory. (The file is opened non-blocking: a
// pipe without a writer would otherwise block the open itself.)
func ReadFile(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	switch {
	case err != nil:
		return nil, err
	case fi.IsDir():
		return nil, &ReadError{path, "is a directory"}
	case !fi.Mode().IsRegular():
		return nil, &ReadError{path, "is not a regular file"}
	case fi.Size() > syntax.MaxSourceBytes:
		return nil, &ReadError{path, fmt.Sprintf("is %d bytes, more than the limit of %d for a spec", fi.Size(), syntax.MaxSourceBytes)}
	}
	return ReadSource(path, f) // bounded still: the file may grow after Stat
}

// ReadSource reads spec text from r, such as standard input, named name in
// its error: at most syntax.MaxSourceBytes bytes, and an error after that.
func ReadSource(name string, r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, syntax.MaxSourceBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > syntax.MaxSourceBytes {
		return nil, &ReadError{name, fmt.Sprintf("is more than the limit of %d bytes for a spec", syntax.MaxSourceBytes)}
	}
	return b, nil
}

// LoadSource parses and checks src (named filename) and its imports, which
// are read with read relative to the importing file's directory. All errors
// of every file are returned together.
func LoadSource(filename, src string, read ReadFunc) (*Spec, error) {
	files, errs := parseTree(filename, src, read)
	if len(errs) > 0 {
		return nil, errs.Err()
	}
	return Check(files...)
}

// parseTree parses a file and, depth first, its imports; the result lists
// every file after the files it imports, each once.
func parseTree(filename, src string, read ReadFunc) ([]*syntax.File, syntax.ErrorList) {
	l := &loader{read: read, seen: map[string]bool{}}
	l.file(filename, src)
	return l.files, l.errs
}

type loader struct {
	rootDir string // imports of the first file resolve here when set (notebook cells)
	depth   int    // import depth of the file being read
	read    ReadFunc
	seen    map[string]bool
	files   []*syntax.File
	errs    syntax.ErrorList
}

func (l *loader) file(name, src string) {
	l.seen[filepath.Clean(name)] = true
	f, err := syntax.Parse(name, src)
	if err != nil {
		el := err.(syntax.ErrorList) // Parse's errors are an ErrorList
		if l.depth > 0 && len(el) > 0 {
			el = importedErrors(el)
		}
		l.errs = append(l.errs, el...)
		return
	}
	if l.depth == 0 {
		f.Dir = l.rootDir
	}
	for _, d := range f.Decls {
		if d.Import == nil {
			continue
		}
		path := resolvePath(f, d.Import.Path)
		if l.seen[path] {
			continue // imported already (or an import cycle): its declarations are in
		}
		if len(l.seen) >= MaxImports {
			l.errs.Add(syntax.NewError(src, d.Import.Pos, d.Import.EndPos, fmt.Sprintf("more than %d files imported", MaxImports)))
			continue
		}
		if l.read == nil {
			l.errs.Add(syntax.NewError(src, d.Import.Pos, d.Import.EndPos, "imports are not available here"))
			continue
		}
		b, err := l.read(path)
		if err != nil {
			l.errs.Add(syntax.NewError(src, d.Import.Pos, d.Import.EndPos, fmt.Sprintf("cannot import %q: %v", d.Import.Path, unwrapPathErr(err))))
			continue
		}
		l.depth++
		l.file(path, string(b))
		l.depth--
	}
	l.files = append(l.files, f)
}

// importedErrors are the errors shown for an imported file that does not
// parse: its first only, since it may not be a spec at all (import
// "/etc/shadow" would otherwise print every line of the file), and without
// its source line when that is the file's first line, where a file that is
// not a spec fails.
func importedErrors(el syntax.ErrorList) syntax.ErrorList {
	first := el[0]
	if first.Pos.Line > 1 {
		return el[:1]
	}
	return syntax.ErrorList{{Pos: first.Pos, End: first.End, Msg: first.Msg + " (is this file a spec?)"}}
}

// resolvePath resolves a path written in file f, as imports and data set
// directories are: relative to f's directory (see syntax.File.Dir).
func resolvePath(f *syntax.File, path string) string {
	if !filepath.IsAbs(path) {
		dir := f.Dir
		if dir == "" {
			dir = filepath.Dir(f.Name)
		}
		path = filepath.Join(dir, path)
	}
	return filepath.Clean(path)
}

func unwrapPathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
