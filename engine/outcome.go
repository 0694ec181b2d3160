package engine

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/hwnas/hwnas/engine/store"
)

// meta is what Run records beside an experiment so that its results can be
// read back without the spec's dependencies.
type meta struct {
	Objectives  []Objective  `json:"objectives"`
	Constraints []Constraint `json:"constraints"`
	WallS       float64      `json:"wall_s,omitempty"`
	Evaluator   string       `json:"evaluator,omitempty"` // absent in stores written before it
	// Searches are the supernets-table keys of a differentiable search's
	// stored searches, where LoadRun finds their epochs' reports.
	Searches []string `json:"searches,omitempty"`
}

func encodeMeta(e *Experiment, wall float64, searches ...string) string {
	b, _ := json.Marshal(meta{Objectives: e.Objectives, Constraints: e.Constraints, WallS: wall, Evaluator: e.Evaluator.Name(), Searches: searches})
	return string(b)
}

// Load reads the latest stored run of the experiment called name.
func Load(st *store.Store, name string) (*Outcome, error) {
	es, err := st.Experiments(name)
	if err != nil {
		return nil, err
	}
	if len(es) == 0 {
		all, _ := st.Experiments("")
		seen := map[string]bool{}
		var names []string
		for _, e := range all {
			if !seen[e.Name] {
				seen[e.Name] = true
				names = append(names, e.Name)
			}
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("no experiment %q in the store %s: it is empty (run one with hwnas run)", name, st.Dir())
		}
		return nil, fmt.Errorf("no experiment %q in the store %s (stored: %v)", name, st.Dir(), names)
	}
	return LoadRun(st, es[0])
}

// LoadRun reads the stored run rec (one of st.Experiments).
func LoadRun(st *store.Store, rec store.Experiment) (*Outcome, error) {
	var m meta
	if err := json.Unmarshal([]byte(rec.Meta), &m); err != nil {
		return nil, fmt.Errorf("experiment %s: stored meta %q: %w", rec.Name, rec.Meta, err)
	}
	trials, err := st.Trials(rec.ID)
	if err != nil {
		return nil, err
	}
	out := &Outcome{Experiment: rec.Name, Hash: rec.Hash, Evaluator: m.Evaluator, StoreID: rec.ID, Seed: rec.Seed,
		Objectives: m.Objectives, Constraints: m.Constraints, searches: m.Searches}
	out.Wall = secondsDuration(m.WallS)
	for _, s := range trials {
		t := Trial{ID: s.Seq, Genome: s.Genome, Network: s.Network, NetworkKey: s.NetworkKey, Design: s.Design,
			Metrics: Metrics(s.Metrics), Status: s.Status, Error: s.Error, HardwareS: s.HardwareS, EvalS: s.EvalS}
		t.Feasible = feasible(&t, m.Constraints, m.Objectives)
		t.LookedUp = t.Status == store.Trained && isTable(m.Evaluator)
		out.Trials = append(out.Trials, t)
		out.Counts.Add(&t)
	}
	out.Pareto = ParetoFront(out.Trials, FrontObjectives(out.Objectives, out.Constraints))
	if out.ArchHistory, err = loadHistory(st, m.Searches); err != nil {
		return nil, fmt.Errorf("experiment %s: %w", rec.Name, err)
	}
	return out, nil
}

// loadHistory reads the epochs' reports of the stored differentiable
// searches keys, in order; a search no longer stored is left out.
func loadHistory(st *store.Store, keys []string) ([]ArchEpoch, error) {
	var out []ArchEpoch
	for _, k := range keys {
		blob, ok, err := storedHead(st, k)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		h, err := storedHistory(blob)
		if err != nil {
			return nil, fmt.Errorf("stored search %s: %w", k, err)
		}
		out = append(out, h...)
	}
	return out, nil
}

// feasible reports whether every constraint holds and every objective was
// measured; an unmeasured metric does not hold.
func feasible(t *Trial, cons []Constraint, objs []Objective) bool {
	if t.Status == store.Pruned || t.Status == store.Failed || t.Status == store.Untrained {
		return false
	}
	for _, c := range cons {
		v, ok := t.Metrics[c.Metric]
		if !ok || !c.Holds(v) {
			return false
		}
	}
	for _, ob := range objs {
		if _, ok := t.Metrics[ob.Metric]; !ok {
			return false
		}
	}
	return true
}

func secondsDuration(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// Front returns the trials on the Pareto front, in id order.
func (o *Outcome) Front() []Trial {
	var out []Trial
	for _, t := range o.Trials {
		if slices.Contains(o.Pareto, t.ID) {
			out = append(out, t)
		}
	}
	return out
}
