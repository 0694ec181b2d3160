package engine

import (
	"fmt"
	"strings"

	"github.com/hwnas/hwnas/engine/store"
)

// Status is how a trial ended, in the one vocabulary that the progress
// line, the tables (text, HTML), CSV, JSON, plots and docs all use. It is
// the stored status (store.Status), except that a trial whose metrics a
// benchmark table supplied is "looked up", not "trained": the store keeps it
// as trained, and the experiment's evaluator tells the two apart.
type Status string

// The statuses, in the order counts list them.
const (
	Trained          = Status(store.Trained)   // trained by its evaluator in this run
	LookedUp  Status = "looked up"             // metrics read from a benchmark table (NAS-Bench-201): nothing trained
	Pruned           = Status(store.Pruned)    // broke a hard constraint (or fits no design): never trained
	Failed           = Status(store.Failed)    // its evaluation or hardware model failed; Trial.Error says why
	Cached           = Status(store.Cached)    // accuracy from the accuracy cache: trained before, by this or another experiment
	Untrained        = Status(store.Untrained) // re-scored (--rescore), meets the constraints, never trained at this fidelity
	Inherited        = Status(store.Inherited) // scored with the weights it inherits from a trained supernet
	Retrained        = Status(store.Retrained) // a supernet search's child trained from scratch after the search
)

// Statuses lists every status in the order counts show them.
var Statuses = []Status{Trained, LookedUp, Inherited, Retrained, Pruned, Failed, Cached, Untrained}

// Key is the status as a JSON or CSV key: "looked_up" for "looked up".
func (s Status) Key() string { return strings.ReplaceAll(string(s), " ", "_") }

// StatusOf is how t ended, in the vocabulary every output shows.
func StatusOf(t *Trial) Status {
	if t.LookedUp && t.Status == store.Trained {
		return LookedUp
	}
	return Status(t.Status)
}

// Of returns how many trials of this run ended with status s (resumed
// trials are counted in Resumed only).
func (c Counts) Of(s Status) int {
	switch s {
	case Trained:
		return c.Trained
	case LookedUp:
		return c.LookedUp
	case Cached:
		return c.Cached
	case Pruned:
		return c.Pruned
	case Failed:
		return c.Failed
	case Untrained:
		return c.Untrained
	case Inherited:
		return c.Inherited
	case Retrained:
		return c.Retrained
	}
	return 0
}

// String is the counts as the progress line and summaries say them, in the
// order of Statuses: "3 trained, 5 pruned, 0 failed, 2 cached"; looked up,
// inherited, retrained and untrained appear only when there are some.
func (c Counts) String() string {
	var parts []string
	for _, s := range Statuses {
		n := c.Of(s)
		if n == 0 && (s == LookedUp || s == Untrained || s == Inherited || s == Retrained) {
			continue
		}
		parts = append(parts, fmt.Sprintf("%d %s", n, s))
	}
	return strings.Join(parts, ", ")
}

// StatusLabel is StatusOf as a string, for renderers and %%go cells
// (hwnas.StatusLabel).
func StatusLabel(t *Trial) string { return string(StatusOf(t)) }
