package dashboard

import (
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/metric"
)

// page is what the layout renders: a title, the polling interval, the
// breadcrumb links and the page's own data.
type page struct {
	Title  string
	PollMs int64
	Crumbs []link
	Body   any
}

type link struct{ Href, Text string }

// run is one stored run, as the list of runs and each page's header show it.
type run struct {
	ID        int64
	Name      string
	Seed      int64
	Status    string // ended, running or stopped
	Trials    int
	Front     int
	Counts    string
	Hash      string
	Wall      string
	Created   string
	Evaluator string
}

// runningWindow is how long after its last stored trial an unfinished run
// still counts as running: longer than one training trial usually takes.
const runningWindow = 10 * time.Minute

// runOf summarises the stored run rec, loaded as out, whose last trial was
// stored at a.Last.
func runOf(rec store.Experiment, out *engine.Outcome, a store.Activity, now time.Time) run {
	r := run{ID: rec.ID, Name: rec.Name, Seed: rec.Seed, Trials: len(out.Trials), Front: len(out.Pareto),
		Counts: out.Counts.String(), Hash: rec.Hash, Created: rec.Created.Local().Format(time.DateTime),
		Evaluator: out.Evaluator, Wall: "-"}
	last := a.Last
	if rec.Created.After(last) {
		last = rec.Created
	}
	switch {
	case out.Wall > 0:
		r.Status, r.Wall = "ended", out.Wall.Round(100*time.Millisecond).String()
	case now.Sub(last) < runningWindow:
		r.Status = "running"
	default:
		r.Status = "stopped"
	}
	if out.Wall == 0 && a.Trials > 0 {
		r.Wall = a.Last.Sub(rec.Created).Round(time.Second).String() + " so far"
	}
	return r
}

// index lists every stored run, newest first.
func (s *server) index(w http.ResponseWriter, r *http.Request) {
	st, ok := s.open(w)
	if !ok {
		return
	}
	defer st.Close()
	es, err := st.Experiments("")
	if err != nil {
		s.fail(w, err)
		return
	}
	acts, err := st.Activities()
	if err != nil {
		s.fail(w, err)
		return
	}
	now := time.Now()
	runs := []run{}
	for _, e := range es {
		out, err := engine.LoadRun(st, e)
		if err != nil {
			s.fail(w, err)
			return
		}
		runs = append(runs, runOf(e, out, acts[e.ID], now))
	}
	s.render(w, "index", page{Title: "hwnas: " + st.Dir(), PollMs: s.o.Poll.Milliseconds(),
		Body: struct {
			Store string
			Runs  []run
		}{st.Dir(), runs}})
}

// fail answers a store error.
func (s *server) fail(w http.ResponseWriter, err error) {
	http.Error(w, "hwnas serve: "+err.Error(), http.StatusInternalServerError)
}

// runData is one stored run as the pages of a run need it.
type runData struct {
	Run   run
	Out   *engine.Outcome
	Rec   store.Experiment
	Store *store.Store
}

// withRun opens the store, reads the run named by the request's {id} (or
// answers 404) and calls f with it.
func (s *server) withRun(f func(http.ResponseWriter, *http.Request, *runData)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		st, ok := s.open(w)
		if !ok {
			return
		}
		defer st.Close()
		d, err := loadRun(st, r.PathValue("id"))
		if err != nil {
			if d == nil {
				http.Error(w, "hwnas serve: "+err.Error(), http.StatusNotFound)
			} else {
				s.fail(w, err)
			}
			return
		}
		f(w, r, d)
	}
}

// loadRun reads the stored run with id; a nil *runData with the error
// means there is no such run.
func loadRun(st *store.Store, id string) (*runData, error) {
	es, err := st.Experiments("")
	if err != nil {
		return &runData{}, err
	}
	n, perr := strconv.ParseInt(id, 10, 64)
	i := slices.IndexFunc(es, func(e store.Experiment) bool { return e.ID == n })
	if perr != nil || i < 0 {
		return nil, fmt.Errorf("no stored run %q (the list is at /)", id)
	}
	out, err := engine.LoadRun(st, es[i])
	if err != nil {
		return &runData{}, err
	}
	acts, err := st.Activities()
	if err != nil {
		return &runData{}, err
	}
	return &runData{runOf(es[i], out, acts[es[i].ID], time.Now()), out, es[i], st}, nil
}

// column is a metric column of the trials table.
type column struct{ Key, Label string }

// columns are the metrics tables show: those of metric.All that some trial
// has (but the network's size, which the network column says), with the
// epochs and bracket a fidelity schedule's trials reached after accuracy,
// then the objectives not among them (a command evaluator's own metrics).
func columns(out *engine.Outcome) []column {
	have := map[string]bool{}
	for _, t := range out.Trials {
		for k := range t.Metrics {
			have[k] = true
		}
	}
	var cols []column
	for _, m := range metric.All {
		keys := []string{m.Key}
		if m.Key == metric.Accuracy {
			keys = append(keys, engine.EpochsMetric, engine.BracketMetric)
		}
		for _, k := range keys {
			if have[k] && k != metric.Params && k != metric.MACs {
				cols = append(cols, column{k, metric.Label(k)})
			}
		}
	}
	for _, o := range out.Objectives {
		if have[o.Metric] && !slices.ContainsFunc(cols, func(c column) bool { return c.Key == o.Metric }) {
			cols = append(cols, column{o.Metric, metric.Label(o.Metric)})
		}
	}
	return cols
}

// cell is one metric of one trial: its text, and the number the table
// sorts by ("" when unmeasured, sorted last).
type cell struct{ Text, Sort string }

// trialRow is one line of the trials table.
type trialRow struct {
	ID       int
	Status   string
	Feasible bool
	Front    bool
	Cells    []cell
	Network  string
	Error    string
}

func rowOf(out *engine.Outcome, t *engine.Trial, cols []column) trialRow {
	row := trialRow{ID: t.ID, Status: engine.StatusLabel(t), Feasible: t.Feasible, Front: slices.Contains(out.Pareto, t.ID),
		Network: t.Network, Error: strings.ReplaceAll(t.Error, "\n", " ")}
	for _, c := range cols {
		v, ok := t.Metrics[c.Key]
		if !ok {
			row.Cells = append(row.Cells, cell{Text: "-"})
			continue
		}
		row.Cells = append(row.Cells, cell{metric.Format(c.Key, v), strconv.FormatFloat(v, 'g', -1, 64)})
	}
	return row
}

// experiment shows one run: its header, plots, spec and trials.
func (s *server) experiment(w http.ResponseWriter, r *http.Request, d *runData) {
	ru, out, rec := d.Run, d.Out, d.Rec
	cols := columns(out)
	body := struct {
		Run         run
		Objectives  []string
		Constraints []string
		Spec        string
		Plots       []figure
		Columns     []column
		Trials      []trialRow
		Statuses    []string
	}{Run: ru, Spec: rec.Spec, Plots: plots(out), Columns: cols}
	for _, o := range out.Objectives {
		body.Objectives = append(body.Objectives, o.String())
	}
	for _, c := range out.Constraints {
		body.Constraints = append(body.Constraints, c.String())
	}
	for i := range out.Trials {
		row := rowOf(out, &out.Trials[i], cols)
		body.Trials = append(body.Trials, row)
		if !slices.Contains(body.Statuses, row.Status) {
			body.Statuses = append(body.Statuses, row.Status)
		}
	}
	slices.Sort(body.Statuses)
	s.render(w, "experiment", page{Title: fmt.Sprintf("%s (seed %d)", ru.Name, ru.Seed), PollMs: s.o.Poll.Milliseconds(),
		Crumbs: []link{{"/", "runs"}}, Body: body})
}

// metricLine is one metric of a trial, labelled.
type metricLine struct{ Label, Value string }

// trial shows one trial: its metrics, genome, network and design.
func (s *server) trial(w http.ResponseWriter, r *http.Request, d *runData) {
	ru, out, rec := d.Run, d.Out, d.Rec
	seq, err := strconv.Atoi(r.PathValue("seq"))
	i := slices.IndexFunc(out.Trials, func(t engine.Trial) bool { return t.ID == seq })
	if err != nil || i < 0 {
		http.Error(w, fmt.Sprintf("hwnas serve: run %s has no trial %q", ru.Name, r.PathValue("seq")), http.StatusNotFound)
		return
	}
	t := &out.Trials[i]
	body := struct {
		Run     run
		Row     trialRow
		Metrics []metricLine
		Genome  string
		Trial   *engine.Trial
		Detail  detail
	}{Run: ru, Row: rowOf(out, t, nil), Genome: strings.Trim(fmt.Sprint(t.Genome), "[]"), Trial: t, Detail: details(rec, t, filepath.Dir(filepath.Clean(d.Store.Dir())))}
	for _, k := range slices.Sorted(maps.Keys(t.Metrics)) {
		body.Metrics = append(body.Metrics, metricLine{metric.Label(k), metric.Format(k, t.Metrics[k])})
	}
	s.render(w, "trial", page{Title: fmt.Sprintf("%s trial %d", ru.Name, t.ID), PollMs: s.o.Poll.Milliseconds(),
		Crumbs: []link{{"/", "runs"}, {fmt.Sprintf("/experiments/%d", ru.ID), ru.Name}}, Body: body})
}

// figure is one plot: inline SVG from the report package, which escapes
// every text it draws, and a title for the figure's label.
type figure struct {
	Title string
	SVG   template.HTML
}
