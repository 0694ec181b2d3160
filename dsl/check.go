package dsl

import (
	"fmt"
	"slices"

	"github.com/hwnas/hwnas/dsl/syntax"
	"github.com/hwnas/hwnas/internal/suggest"

	"github.com/hwnas/hwnas/fpga"
)

// Check resolves and checks parsed files, in order (a file's imports must
// come before it; Load arranges that), and returns the typed Spec. All errors
// are returned together, sorted, as a syntax.ErrorList.
func Check(files ...*syntax.File) (*Spec, error) {
	c := newChecker(files)
	c.run()
	if err := c.errs.Err(); err != nil {
		return nil, err
	}
	return c.spec, nil
}

// decl is a declaration with the file it comes from.
type decl struct {
	kind string // "platform", "pool", "space", "dataset", "evaluator", "metric", "experiment"
	name *syntax.Name
	d    *syntax.Decl
	file *syntax.File
}

type checker struct {
	errs     syntax.ErrorList
	srcs     map[string]string
	dataDirs map[*Dataset]*syntax.Value // data set directories not yet checked, where they are written
	decls    map[string]*decl
	order    []*decl
	runs     []*syntax.RunDecl
	spec     *Spec
}

func newChecker(files []*syntax.File) *checker {
	c := &checker{srcs: map[string]string{}, decls: map[string]*decl{}, dataDirs: map[*Dataset]*syntax.Value{}, spec: &Spec{
		Platforms: map[string]*Platform{}, Pools: map[string]*Pool{}, Spaces: map[string]*Space{},
		Datasets: map[string]*Dataset{}, Evaluators: map[string]*Evaluator{}, Experiments: map[string]*Experiment{},
		Metrics: map[string]*Metric{},
	}}
	for _, f := range files {
		c.srcs[f.Name] = f.Src
		for _, d := range f.Decls {
			c.declare(d, f)
		}
	}
	return c
}

// declare records one declaration; a later declaration of the same name
// replaces an earlier one only through a Session, so here it is an error.
func (c *checker) declare(d *syntax.Decl, f *syntax.File) {
	if d.Run != nil {
		c.runs = append(c.runs, d.Run)
		return
	}
	kind, name := declared(d)
	if name == nil {
		return // imports are resolved by the loader
	}
	if prev, ok := c.decls[name.Text]; ok {
		c.errorf(name.Pos, name.EndPos, "%s %s is already declared as a %s at %s", kind, name.Text, prev.kind, short(prev.name.Pos))
		return
	}
	e := &decl{kind: kind, name: name, d: d, file: f}
	c.decls[name.Text] = e
	c.order = append(c.order, e)
}

// declared returns the kind and name of a declaration, or a nil name for
// an import or a run statement.
func declared(d *syntax.Decl) (kind string, name *syntax.Name) {
	switch {
	case d.Platform != nil:
		return "platform", d.Platform.Name
	case d.Pool != nil:
		return "pool", d.Pool.Name
	case d.Space != nil:
		return "space", d.Space.Name
	case d.Dataset != nil:
		return "dataset", d.Dataset.Name
	case d.Evaluator != nil:
		return "evaluator", d.Evaluator.Name
	case d.Metric != nil:
		return "metric", d.Metric.Name
	case d.Experiment != nil:
		return "experiment", d.Experiment.Name
	}
	return "", nil
}

func short(p syntax.Pos) string {
	return fmt.Sprintf("%s:%d:%d", p.Filename, p.Line, p.Column)
}

func (c *checker) run() {
	for _, kind := range []string{"metric", "platform", "pool", "space", "dataset", "evaluator", "experiment"} {
		for _, d := range c.order {
			if d.kind != kind {
				continue
			}
			switch kind {
			case "platform":
				if p := c.platform(d.d.Platform, d.file); p != nil {
					c.spec.Platforms[p.Name] = p
				}
			case "pool":
				if p := c.poolBody(d.d.Pool.Body); p != nil {
					p.Name, p.Pos = d.name.Text, d.name.Pos
					c.spec.Pools[p.Name] = p
				}
			case "space":
				if s := c.space(d.d.Space); s != nil {
					c.spec.Spaces[s.Name] = s
				}
			case "dataset":
				if ds := c.dataset(d.d.Dataset, d.file); ds != nil {
					c.spec.Datasets[ds.Name] = ds
				}
			case "evaluator":
				if ev := c.evaluator(d.d.Evaluator); ev != nil {
					c.spec.Evaluators[ev.Name] = ev
				}
			case "metric":
				if m := c.metricDecl(d.d.Metric); m != nil {
					c.spec.Metrics[m.Name] = m
				}
			case "experiment":
				if e := c.experiment(d.d.Experiment, d.file); e != nil {
					c.spec.Experiments[e.Name] = e
					c.spec.Order = append(c.spec.Order, e.Name)
				}
			}
		}
	}
	ran := map[string]*syntax.Name{}
	for _, r := range c.runs {
		if d, ok := c.lookup(r.Name, "experiment"); ok {
			if prev := ran[d.name.Text]; prev != nil {
				c.errorf(r.Name.Pos, r.Name.EndPos, "experiment %s is already run at %s", r.Name.Text, short(prev.Pos))
				continue
			}
			ran[d.name.Text] = r.Name
			c.spec.Runs = append(c.spec.Runs, d.name.Text)
		}
	}
}

func (c *checker) errorf(pos, end syntax.Pos, format string, args ...any) {
	c.errs.Add(syntax.NewError(c.srcs[pos.Filename], pos, end, fmt.Sprintf(format, args...)))
}

func (c *checker) errAt(v *syntax.Value, format string, args ...any) {
	c.errorf(v.Pos, v.EndPos, format, args...)
}

// namesOf lists the declared names of a kind, for "did you mean".
func (c *checker) namesOf(kinds ...string) []string {
	var out []string
	for _, d := range c.order {
		for _, k := range kinds {
			if d.kind == k {
				out = append(out, d.name.Text)
			}
		}
	}
	return out
}

// lookup resolves a name to a declaration of one of kinds, reporting an
// unknown name (with a suggestion) or a name of the wrong kind.
func (c *checker) lookup(n *syntax.Name, kinds ...string) (*decl, bool) {
	d, ok := c.decls[n.Text]
	if !ok {
		if slices.Contains(kinds, "platform") {
			if p, err := fpga.Lookup(n.Text); err == nil {
				c.errorf(n.Pos, n.EndPos, "%s is not declared, but the catalog has %s: write it in quotes, %q", n.Text, p.Name, p.Name)
				return nil, false
			}
		}
		c.errorf(n.Pos, n.EndPos, "unknown %s %s%s", orList(kinds), n.Text, didYouMean(n.Text, c.namesOf(kinds...)))
		return nil, false
	}
	for _, k := range kinds {
		if d.kind == k {
			return d, true
		}
	}
	c.errorf(n.Pos, n.EndPos, "%s is a %s, not a %s", n.Text, d.kind, orList(kinds))
	return nil, false
}

func orList(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	s := xs[0]
	for _, x := range xs[1 : len(xs)-1] {
		s += ", " + x
	}
	return s + " or " + xs[len(xs)-1]
}

// didYouMean returns " (did you mean X?)" for the candidate nearest name
// (suggest.Closest), or "".
func didYouMean(name string, candidates []string) string {
	if best, ok := suggest.Closest(name, candidates); ok {
		return " (did you mean " + best + "?)"
	}
	return ""
}
