package runtime

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/hwnas/hwnas/runtime/store"
)

// tableMetrics are the metric columns tables show, in order, when present.
var tableMetrics = []string{Accuracy, TestAccuracy, LatencyMs, ThroughputFPS, EnergyMJ, PowerW, DSP, BRAM18, LUT}

// columns returns the metric columns for trials: tableMetrics present in
// any trial, then the objectives not among them.
func columns(out *Outcome, trials []Trial) []string {
	have := map[string]bool{}
	for _, t := range trials {
		for k := range t.Metrics {
			have[k] = true
		}
	}
	var cols []string
	for _, m := range tableMetrics {
		if have[m] {
			cols = append(cols, m)
		}
	}
	for _, o := range out.Objectives {
		if have[o.Metric] && !slices.Contains(cols, o.Metric) {
			cols = append(cols, o.Metric)
		}
	}
	return cols
}

// FormatMetric renders a metric value the way every table shows it.
func FormatMetric(name string, v float64) string {
	switch name {
	case Accuracy, TestAccuracy:
		return strconv.FormatFloat(v, 'f', 4, 64)
	case DSP, BRAM18, LUT, Params, MACs:
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

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

// WriteTable writes trials as an aligned text table: id, status, the metric
// columns and the network. Trials on the Pareto front are marked with *.
func WriteTable(w io.Writer, out *Outcome, trials []Trial) error {
	cols := columns(out, trials)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := []string{"id", "status"}
	for _, c := range cols {
		head = append(head, Label(c))
	}
	head = append(head, "network")
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, t := range trials {
		id := strconv.Itoa(t.ID)
		if slices.Contains(out.Pareto, t.ID) {
			id += "*"
		}
		row := []string{id, StatusLabel(&t)}
		for _, c := range cols {
			if v, ok := t.Metrics[c]; ok {
				row = append(row, FormatMetric(c, v))
			} else {
				row = append(row, "-")
			}
		}
		net := t.Network
		if t.Status == store.Failed && t.Error != "" {
			// the reason, or a user sees "failed" and nothing else
			net = strings.TrimSpace(net + "  error: " + strings.ReplaceAll(t.Error, "\n", " "))
		}
		row = append(row, net)
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	return tw.Flush()
}

// String is the counts as a summary says them: trials a table evaluator looked
// up are "looked up", not "trained".
func (c Counts) String() string {
	s := fmt.Sprintf("%d trained", c.Trained-c.LookedUp)
	if c.LookedUp > 0 {
		s += fmt.Sprintf(", %d looked up", c.LookedUp)
	}
	return s + fmt.Sprintf(", %d pruned, %d failed, %d cached", c.Pruned, c.Failed, c.Cached)
}

// WriteSummary writes what a run ends with: the counts, then the Pareto
// front as a table.
func WriteSummary(w io.Writer, out *Outcome) error {
	c := out.Counts
	fmt.Fprintf(w, "experiment %s: %d trials: %s", out.Experiment, len(out.Trials), c.String())
	if c.Resumed > 0 {
		fmt.Fprintf(w, " (%d resumed from the store)", c.Resumed)
	}
	if out.Wall > 0 {
		fmt.Fprintf(w, " in %s", out.Wall.Round(100_000_000))
	}
	fmt.Fprintln(w)
	var objs []string
	for _, o := range FrontObjectives(out.Objectives, out.Constraints) {
		objs = append(objs, o.String())
	}
	var cons []string
	for _, c := range out.Constraints {
		cons = append(cons, c.String())
	}
	fmt.Fprintf(w, "Pareto front (%s", strings.Join(objs, ", "))
	if len(cons) > 0 {
		fmt.Fprintf(w, "; subject to %s", strings.Join(cons, ", "))
	}
	fmt.Fprintf(w, "): %d of %d trials\n", len(out.Pareto), len(out.Trials))
	if len(out.Pareto) == 0 {
		_, err := fmt.Fprintln(w, "  no feasible trial")
		return err
	}
	return WriteTable(w, out, out.Front())
}

// WriteCSV writes every trial as CSV: id, status, feasible, pareto, genome,
// network, design, error, then every metric that any trial has, by name.
func WriteCSV(w io.Writer, out *Outcome) error {
	var metrics []string
	seen := map[string]bool{}
	for _, t := range out.Trials {
		for k := range t.Metrics {
			if !seen[k] {
				seen[k] = true
				metrics = append(metrics, k)
			}
		}
	}
	slices.Sort(metrics)
	cw := csv.NewWriter(w)
	cw.Write(append([]string{"id", "status", "feasible", "pareto", "genome", "network", "design", "error"}, metrics...))
	for _, t := range out.Trials {
		g := make([]string, len(t.Genome))
		for i, x := range t.Genome {
			g[i] = strconv.Itoa(x)
		}
		row := []string{strconv.Itoa(t.ID), string(t.Status), strconv.FormatBool(t.Feasible),
			strconv.FormatBool(slices.Contains(out.Pareto, t.ID)), strings.Join(g, " "), t.Network, t.Design, t.Error}
		for _, m := range metrics {
			if v, ok := t.Metrics[m]; ok {
				row = append(row, strconv.FormatFloat(v, 'g', -1, 64))
			} else {
				row = append(row, "")
			}
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// JSONTrial is one trial in the JSON rendering.
type JSONTrial struct {
	ID         int                `json:"id"`
	Genome     []int              `json:"genome"`
	Network    string             `json:"network"`
	NetworkKey string             `json:"network_key"`
	Design     string             `json:"design"`
	Metrics    map[string]float64 `json:"metrics"`
	Status     string             `json:"status"`
	LookedUp   bool               `json:"looked_up,omitempty"` // trained by looking the metrics up in a table
	Feasible   bool               `json:"feasible"`
	Error      string             `json:"error,omitempty"`
}

// JSONOutcome is the JSON rendering of an outcome (`hwnas run --json`).
type JSONOutcome struct {
	Experiment  string         `json:"experiment"`
	SpecHash    string         `json:"spec_hash"`
	Seed        int64          `json:"seed"`
	Objectives  []string       `json:"objectives"`
	Constraints []string       `json:"constraints"`
	Trials      []JSONTrial    `json:"trials"`
	Pareto      []int          `json:"pareto"`
	Counts      map[string]int `json:"counts"` // trained, pruned, failed, cached, resumed add up to the trials; looked_up is the part of trained a table evaluator looked up
	WallS       float64        `json:"wall_s"`
}

// ToJSON converts an outcome to its JSON form.
func ToJSON(out *Outcome) JSONOutcome {
	j := JSONOutcome{Experiment: out.Experiment, SpecHash: out.Hash, Seed: out.Seed, Objectives: []string{},
		Constraints: []string{}, Trials: []JSONTrial{}, Pareto: out.Pareto, WallS: out.Wall.Seconds(),
		Counts: map[string]int{"trained": out.Counts.Trained, "pruned": out.Counts.Pruned, "failed": out.Counts.Failed,
			"cached": out.Counts.Cached, "resumed": out.Counts.Resumed, "looked_up": out.Counts.LookedUp}}
	if j.Pareto == nil {
		j.Pareto = []int{}
	}
	for _, o := range out.Objectives {
		j.Objectives = append(j.Objectives, o.String())
	}
	for _, c := range out.Constraints {
		j.Constraints = append(j.Constraints, c.String())
	}
	for _, t := range out.Trials {
		m := t.Metrics
		if m == nil {
			m = Metrics{}
		}
		j.Trials = append(j.Trials, JSONTrial{ID: t.ID, Genome: t.Genome, Network: t.Network, NetworkKey: t.NetworkKey,
			Design: t.Design, Metrics: m, Status: string(t.Status), LookedUp: t.LookedUp, Feasible: t.Feasible, Error: t.Error})
	}
	return j
}

// WriteJSON writes the outcome as one indented JSON object.
func WriteJSON(w io.Writer, out *Outcome) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(ToJSON(out))
}
