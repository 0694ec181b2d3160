package dsl

import (
	"slices"

	"github.com/hwnas/hwnas/dsl/syntax"
)

// FidelityKinds are the schedules `fidelity KIND { … }` names.
var FidelityKinds = []string{"asha", "hyperband"}

// FidelityParams are the settings of asha and hyperband with their defaults and meanings.
var FidelityParams = []struct {
	Name    string
	Default int
	Min     int
	Doc     string
}{
	{"min_epochs", 1, 1, "epochs of the first rung, which every child trains"},
	{"max_epochs", 9, 2, "epochs of the last rung; the learning-rate schedule spans them (replaces the dataset's epochs)"},
	{"eta", 3, 2, "rungs grow by this factor and the top 1/eta of a rung go on (Li et al. 3)"},
}

// fidelity checks `fidelity asha { min_epochs = 1  max_epochs = 9  eta = 3 }`
// and the same with hyperband.
func (x *expCheck) fidelity(b *syntax.Block) {
	kind := b.Kind.Text
	if !slices.Contains(FidelityKinds, kind) {
		x.errorf(b.Kind.Pos, b.Kind.EndPos, "unknown fidelity schedule %s%s; want asha or hyperband", kind, didYouMean(kind, FidelityKinds))
		return
	}
	var names []string
	for _, p := range FidelityParams {
		names = append(names, p.Name)
	}
	fs := x.fieldSet(b.Body, "fidelity "+kind, names)
	vals := map[string]int{}
	for _, p := range FidelityParams {
		vals[p.Name] = p.Default
		if f := fs[p.Name]; f != nil {
			n, ok := x.integer(f.Value, p.Name, p.Min)
			if !ok {
				return
			}
			vals[p.Name] = n
		}
	}
	f := &Fidelity{Kind: kind, MinEpochs: vals["min_epochs"], MaxEpochs: vals["max_epochs"], Eta: vals["eta"]}
	if f.MaxEpochs <= f.MinEpochs {
		x.errorf(b.Kind.Pos, b.Kind.EndPos, "fidelity %s: max_epochs %d must exceed min_epochs %d", kind, f.MaxEpochs, f.MinEpochs)
		return
	}
	if ev := x.e.Evaluator; ev != nil {
		switch ev.Kind {
		case "train", "command":
		case "table":
			x.errorf(b.Kind.Pos, b.Kind.EndPos, "fidelity %s needs accuracies after each rung's epochs, and the NAS-Bench-201 table has only each network's final (200-epoch) figures; use the train or a command evaluator", kind)
			return
		default:
			x.errorf(b.Kind.Pos, b.Kind.EndPos, "fidelity %s stops and resumes training, so it needs the train or a command evaluator, not %s", kind, ev.Kind)
			return
		}
	}
	x.e.Fidelity = f
}
