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

// tableMetrics are the metric columns tables show, in order, when present;
// epochs is the fidelity a trial of a fidelity schedule reached, bracket its
// Hyperband bracket.
var tableMetrics = []string{metric.Accuracy, engine.EpochsMetric, engine.BracketMetric, metric.TestAccuracy, metric.AccuracyFP32, metric.LatencyMs, metric.ThroughputFPS, metric.EnergyMJ, metric.PowerW, metric.DSP, metric.BRAM18, metric.LUT}

// columns returns the metric columns for trials: tableMetrics present in
// any trial, then the objectives and the constraints' metrics not among them.
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
	more := make([]string, 0, len(out.Objectives)+len(out.Constraints))
	for _, o := range out.Objectives {
		more = append(more, o.Metric)
	}
	for _, c := range out.Constraints {
		more = append(more, c.Metric)
	}
	for _, m := range more {
		if have[m] && !slices.Contains(cols, m) {
			cols = append(cols, m)
		}
	}
	return cols
}

// trainTimeLabel heads the column of Trial.EvalS: "" when no trial has an
// evaluation time, "train time (s)" for the seconds evaluations took, and
// "simulated train (s)" when every timed trial was looked up in NAS-Bench-201,
// whose table gives the simulated time of training it (c10valid_train_time_s).
func trainTimeLabel(trials []engine.Trial) string {
	label := ""
	for _, t := range trials {
		switch {
		case t.EvalS <= 0:
		case t.LookedUp && label == "":
			label = "simulated train (s)"
		case !t.LookedUp:
			return "train time (s)"
		}
	}
	return label
}

// trainTime formats t's evaluation time for the text table.
func trainTime(t *engine.Trial) string {
	if t.EvalS <= 0 {
		return "-"
	}
	return strconv.FormatFloat(t.EvalS, 'f', 1, 64)
}

// WriteTable writes trials as an aligned text table: id, status, the metric
// columns, the training time (when any trial has one) and the network.
// Trials on the Pareto front are marked with *.
func WriteTable(w io.Writer, out *engine.Outcome, trials []engine.Trial) error {
	cols := columns(out, trials)
	timeLabel := trainTimeLabel(trials)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := []string{"id", "status"}
	for _, c := range cols {
		head = append(head, metric.Label(c))
	}
	if timeLabel != "" {
		head = append(head, timeLabel)
	}
	head = append(head, "network")
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, t := range trials {
		id := strconv.Itoa(t.ID)
		if slices.Contains(out.Pareto, t.ID) {
			id += "*"
		}
		row := []string{id, string(engine.StatusOf(&t))}
		for _, c := range cols {
			if v, ok := t.Metrics[c]; ok {
				row = append(row, metric.Format(c, v))
			} else {
				row = append(row, "-")
			}
		}
		if timeLabel != "" {
			row = append(row, trainTime(&t))
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
	for _, note := range out.Notes() {
		fmt.Fprintln(w, note)
	}
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
		fmt.Fprintln(w, "  no feasible trial")
		for _, m := range out.NearestMisses() {
			fmt.Fprintln(w, "  "+m)
		}
		return nil
	}
	return WriteTable(w, out, out.Front())
}

// WriteCSV writes every trial as CSV: id, status, feasible, pareto, genome,
// network, design, error, eval_s (the seconds its evaluation took or, looked
// up, the benchmark's simulated training time; empty for none), then every
// metric that any trial has, by name.
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
	cw.Write(append([]string{"id", "status", "feasible", "pareto", "genome", "network", "design", "error", "eval_s"}, metrics...))
	for _, t := range out.Trials {
		g := make([]string, len(t.Genome))
		for i, x := range t.Genome {
			g[i] = strconv.Itoa(x)
		}
		evalS := ""
		if t.EvalS > 0 {
			evalS = strconv.FormatFloat(t.EvalS, 'g', -1, 64)
		}
		row := []string{strconv.Itoa(t.ID), string(engine.StatusOf(&t)), strconv.FormatBool(t.Feasible),
			strconv.FormatBool(slices.Contains(out.Pareto, t.ID)), strings.Join(g, " "), t.Network, t.Design, t.Error, evalS}
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
	Status     string             `json:"status"` // an engine.Status: "trained", "looked up", "pruned", "failed", "cached" or "untrained"
	Feasible   bool               `json:"feasible"`
	Error      string             `json:"error,omitempty"`
	EvalS      float64            `json:"eval_s,omitempty"` // seconds of evaluation; looked up: the benchmark's simulated training time
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
	Counts      map[string]int `json:"counts"` // by engine.Status.Key (looked_up for "looked up"), and resumed: they add up to the trials
	WallS       float64        `json:"wall_s"`
}

// ToJSON converts an outcome to its JSON form.
func ToJSON(out *engine.Outcome) JSONOutcome {
	j := JSONOutcome{Experiment: out.Experiment, SpecHash: out.Hash, Seed: out.Seed, Objectives: []string{},
		Constraints: []string{}, Trials: []JSONTrial{}, Pareto: out.Pareto, WallS: out.Wall.Seconds(),
		Counts: map[string]int{"resumed": out.Counts.Resumed}}
	for _, s := range engine.Statuses {
		j.Counts[s.Key()] = out.Counts.Of(s)
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
			Design: t.Design, Metrics: m, Status: string(engine.StatusOf(&t)), Feasible: t.Feasible, Error: t.Error, EvalS: t.EvalS})
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
