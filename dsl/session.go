package dsl

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/dsl/syntax"
)

// Session checks notebook cells one after another. Each cell sees the
// declarations of the cells before it; declaring a name again replaces the
// earlier declaration (the notebook way of editing a cell and re-running it).
// A cell with errors changes nothing.
type Session struct {
	dir   string
	cells int
	live  []*entry // live declarations, in the order they were first declared
	spec  *Spec
}

type entry struct {
	name string // the declared name
	decl *syntax.Decl
	file *syntax.File
}

// CellResult is what checking one cell produced.
type CellResult struct {
	Spec     *Spec    // every live declaration after the cell
	Declared []string // names the cell declared or redeclared, in order
	Run      []string // experiments to run now: those the cell declares and its run statements, in order
	Changed  []string // experiments of earlier cells whose hash the cell changed (their inputs were redeclared)
}

// NewSession starts a session; imports in cells are read relative to dir.
func NewSession(dir string) *Session {
	return &Session{dir: dir, spec: emptySpec()}
}

func emptySpec() *Spec {
	s, _ := Check()
	return s
}

// Spec returns the checked declarations of every cell so far.
func (s *Session) Spec() *Spec { return s.spec }

// Reset forgets every declaration.
func (s *Session) Reset() { *s = *NewSession(s.dir) }

// Add checks a cell against the earlier cells and, when it is valid, makes
// its declarations live. Errors render with the file name "cell[N]", N
// counting the cells added.
func (s *Session) Add(src string) (*CellResult, error) {
	return s.AddNamed(fmt.Sprintf("cell[%d]", s.cells+1), src)
}

// AddNamed is Add with the name errors show for the cell, such as "In [7]".
func (s *Session) AddNamed(name, src string) (*CellResult, error) {
	s.cells++
	l := &loader{read: ReadFile, seen: map[string]bool{}, rootDir: s.dir}
	l.file(name, src)
	if len(l.errs) > 0 {
		return nil, l.errs.Err()
	}
	cell := l.files[len(l.files)-1]
	live, res, runs, err := s.declare(l.files, cell)
	if err != nil {
		return nil, err
	}
	spec, err := checkEntries(live, runs, cell)
	if err != nil {
		return nil, err
	}
	for _, n := range spec.Runs {
		if !slices.Contains(res.Run, n) {
			res.Run = append(res.Run, n)
		}
	}
	for _, n := range spec.Order {
		old, ok := s.spec.Experiments[n]
		if ok && !slices.Contains(res.Declared, n) && old.Hash() != spec.Experiments[n].Hash() {
			res.Changed = append(res.Changed, n)
		}
	}
	s.live, s.spec = live, spec
	res.Spec = spec
	return res, nil
}

// declare returns the live declarations after the declarations of files
// (the cell, last, and the files it imports): a name declared again
// replaces the earlier declaration in place. It also returns what the cell
// declares and runs, and its run statements. A name declared twice by the
// files themselves is an error.
func (s *Session) declare(files []*syntax.File, cell *syntax.File) ([]*entry, *CellResult, []*syntax.Decl, error) {
	live := slices.Clone(s.live)
	index := map[string]int{}
	for i, e := range live {
		index[e.name] = i
	}
	res := &CellResult{}
	var runs []*syntax.Decl
	var errs syntax.ErrorList
	seenNow := map[string]*syntax.Name{}
	for _, f := range files {
		for _, d := range f.Decls {
			_, n := declared(d)
			switch {
			case d.Run != nil && f == cell:
				runs = append(runs, d)
			case n == nil: // an import, or a run in an imported file
			case seenNow[n.Text] != nil:
				errs.Add(syntax.NewError(f.Src, n.Pos, n.EndPos, fmt.Sprintf("%s is already declared at %s", n.Text, short(seenNow[n.Text].Pos))))
			default:
				seenNow[n.Text] = n
				e := &entry{name: n.Text, decl: d, file: f}
				if i, ok := index[n.Text]; ok {
					live[i] = e
				} else {
					index[n.Text] = len(live)
					live = append(live, e)
				}
				if f == cell {
					res.Declared = append(res.Declared, n.Text)
					if d.Experiment != nil {
						res.Run = append(res.Run, n.Text)
					}
				}
			}
		}
	}
	return live, res, runs, errs.Err()
}

// checkEntries checks the live declarations plus the cell's run statements.
func checkEntries(live []*entry, runs []*syntax.Decl, cell *syntax.File) (*Spec, error) {
	byFile := map[*syntax.File]*syntax.File{}
	var files []*syntax.File
	for _, e := range live {
		g, ok := byFile[e.file]
		if !ok {
			g = &syntax.File{Name: e.file.Name, Src: e.file.Src, Dir: e.file.Dir}
			byFile[e.file] = g
			files = append(files, g)
		}
		g.Decls = append(g.Decls, e.decl)
	}
	if len(runs) > 0 {
		files = append(files, &syntax.File{Name: cell.Name, Src: cell.Src, Dir: cell.Dir, Decls: runs})
	}
	return Check(files...)
}

// Complete suggests completions in a cell, knowing the session's names.
func (s *Session) Complete(src string, offset int) []Completion {
	names := map[string][]string{}
	for _, e := range s.live {
		kind, _ := declared(e.decl)
		names[kind] = append(names[kind], e.name)
	}
	return complete(src, offset, names)
}

// Doc returns the short doc of a word: a declared name of the session
// (what it is and its size), or else what the package-level Doc says.
func (s *Session) Doc(word string) string {
	sp := s.spec
	switch {
	case sp.Spaces[word] != nil:
		x := sp.Spaces[word].Space
		return fmt.Sprintf("space %s — %d decisions, %s networks", word, len(x.Decisions()), humanCount(arch.Size(x)))
	case sp.Platforms[word] != nil:
		p := sp.Platforms[word]
		return fmt.Sprintf("platform %s — %s at %g MHz, %s", word, p.Device.Device, p.Device.ClockMHz, p.Precision)
	case sp.Pools[word] != nil:
		p := sp.Pools[word]
		return fmt.Sprintf("pool %s — %d devices, link %g GB/s", word, len(p.Pool.Devices), p.Pool.LinkGBs)
	case sp.Datasets[word] != nil:
		d := sp.Datasets[word]
		src := d.Builtin
		if src == "" {
			src = d.Source + " " + d.Path
		}
		return fmt.Sprintf("dataset %s — %s, %d epoch(s), batch %d, %s lr %g", word, src, d.Epochs, d.Batch, d.Optimizer, d.LR)
	case sp.Evaluators[word] != nil:
		return fmt.Sprintf("evaluator %s — %s", word, sp.Evaluators[word].Kind)
	case sp.Metrics[word] != nil:
		m := sp.Metrics[word]
		d := string(m.Dim)
		if m.Unit != "" {
			d += " in " + m.Unit
		}
		if m.Goal != "" {
			d += ", goal " + m.Goal
		}
		return fmt.Sprintf("metric %s — %s, reported by a command evaluator", word, d)
	case sp.Experiments[word] != nil:
		e := sp.Experiments[word]
		var objs []string
		for _, o := range e.Objectives {
			if o.Maximize {
				objs = append(objs, "max "+o.Metric)
			} else {
				objs = append(objs, "min "+o.Metric)
			}
		}
		return fmt.Sprintf("experiment %s — space %s, %s, strategy %s, hash %s", word, e.Space.Name, strings.Join(objs, ", "), e.Strategy.Kind, e.Hash())
	}
	return Doc(word)
}

// DocAt documents the word at byte offset offset of src, a cell, as it is
// meant there: a strategy parameter as its block's strategy has it (see the
// package-level DocAt), any other word as Doc does.
func (s *Session) DocAt(src string, offset int) string {
	word, block := wordAt(src, offset)
	if d, ok := paramIn(block, word); ok {
		return d
	}
	return s.Doc(word)
}

// humanCount writes a count with thousands separators.
func humanCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
