package dsl

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/hwnas/hwnas/dsl/syntax"
)

// MaxImports bounds the files one spec may pull in through imports.
const MaxImports = 64

// ReadFunc reads an imported file; os.ReadFile by default.
type ReadFunc func(path string) ([]byte, error)

// Load reads, parses and checks a file and the files it imports.
func Load(path string) (*Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}
	return LoadSource(path, string(b), os.ReadFile)
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
		l.errs = append(l.errs, err.(syntax.ErrorList)...) // Parse's errors are an ErrorList
		return
	}
	for _, d := range f.Decls {
		if d.Import == nil {
			continue
		}
		path := d.Import.Path
		if !filepath.IsAbs(path) {
			base := filepath.Dir(name)
			if l.depth == 0 && l.rootDir != "" {
				base = l.rootDir
			}
			path = filepath.Join(base, path)
		}
		path = filepath.Clean(path)
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

func unwrapPathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
