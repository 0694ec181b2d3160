package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/hwnas/hwnas/engine"

	"github.com/hwnas/hwnas/metric"

	"github.com/hwnas/hwnas/engine/store"
)

// tableMetrics are the metric columns tables show, in order, when present.
var tableMetrics = []string{metric.Accuracy, metric.TestAccuracy, metric.LatencyMs, metric.ThroughputFPS, metric.EnergyMJ, metric.PowerW, metric.DSP, metric.BRAM18, metric.LUT}

// columns returns the metric columns for trials: tableMetrics present in
// any trial, then the objectives not among them.
func columns(out *engine.Outcome, trials []engine.Trial) []string {
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

// WriteTable writes trials as an aligned text table: id, status, the metric
// columns and the network. Trials on the Pareto front are marked with *.
func WriteTable(w io.Writer, out *engine.Outcome, trials []engine.Trial) error {
	cols := columns(out, trials)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := []string{"id", "status"}
	for _, c := range cols {
		head = append(head, metric.Label(c))
	}
	head = append(head, "network")
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, t := range trials {
		id := strconv.Itoa(t.ID)
		if slices.Contains(out.Pareto, t.ID) {
			id += "*"
		}
		row := []string{id, engine.StatusLabel(&t)}
		for _, c := range cols {
			if v, ok := t.Metrics[c]; ok {
				row = append(row, metric.Format(c, v))
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

// WriteSummary writes what a run ends with: the counts, then the Pareto
// front as a table.
func WriteSummary(w io.Writer, out *engine.Outcome) error {
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
	for _, o := range engine.FrontObjectives(out.Objectives, out.Constraints) {
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
func WriteCSV(w io.Writer, out *engine.Outcome) error {
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
func ToJSON(out *engine.Outcome) JSONOutcome {
	j := JSONOutcome{Experiment: out.Experiment, SpecHash: out.Hash, Seed: out.Seed, Objectives: []string{},
		Constraints: []string{}, Trials: []JSONTrial{}, Pareto: out.Pareto, WallS: out.Wall.Seconds(),
		Counts: map[string]int{"trained": out.Counts.Trained, "pruned": out.Counts.Pruned, "failed": out.Counts.Failed,
			"cached": out.Counts.Cached, "resumed": out.Counts.Resumed, "looked_up": out.Counts.LookedUp}}
	if c := out.Counts; c.Inherited > 0 || c.Retrained > 0 { // a supernet search
		j.Counts["inherited"], j.Counts["retrained"] = c.Inherited, c.Retrained
	}
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
			m = engine.Metrics{}
		}
		j.Trials = append(j.Trials, JSONTrial{ID: t.ID, Genome: t.Genome, Network: t.Network, NetworkKey: t.NetworkKey,
			Design: t.Design, Metrics: m, Status: string(t.Status), LookedUp: t.LookedUp, Feasible: t.Feasible, Error: t.Error})
	}
	return j
}

// WriteJSON writes the outcome as one indented JSON object.
func WriteJSON(w io.Writer, out *engine.Outcome) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(ToJSON(out))
}
