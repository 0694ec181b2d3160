package engine

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hwnas/hwnas/metric"
)

// EventKind says what happened to a trial.
type EventKind string

// The kinds of progress event.
const (
	TrialStarted EventKind = "started"
	TrialPruned            = EventKind(Pruned)
	// The kinds of a finished trial are its Status words.
	TrialFinished            = EventKind(Trained)   // trained by its evaluator
	TrialLookedUp            = EventKind(LookedUp)  // metrics read from a benchmark table (stored as trained)
	TrialFailed              = EventKind(Failed)    // Event.Error says why
	TrialCached              = EventKind(Cached)    // accuracy from the accuracy cache
	TrialUntrained           = EventKind(Untrained) // re-scored, meets the constraints, never trained
	TrialInherited           = EventKind(Inherited) // scored with a supernet's weights
	TrialRetrained           = EventKind(Retrained) // a supernet search's child trained from scratch
	TrialResumed   EventKind = "resumed"            // the whole trial came from an earlier run in the store
	RunDone        EventKind = "done"
	SupernetEpoch  EventKind = "supernet" // an epoch of supernet training finished; Note says which and its loss
	// DiffEpoch: an epoch of a differentiable search (fbnet, proxyless)
	// finished; Arch has its loss, expected latency and probabilities, Note
	// the line Arch.Line gives.
	DiffEpoch EventKind = "differentiable"
)

// Event is one progress report, plain data for any renderer.
type Event struct {
	Kind    EventKind
	Trial   int // trial id; -1 for RunDone
	Genome  []int
	Network string
	Design  string
	Metrics Metrics
	Error   string     // reason for a failure or a pruning
	Note    string     // a remark on a finished trial (see Trial.Note)
	Arch    *ArchEpoch // DiffEpoch: the search's state after the epoch

	Done, Total int // finished trials, and the trial budget (0 when time-bounded)
	Counts      Counts

	BestMetric string // the first objective
	Best       float64
	BestTrial  int // -1 before any feasible trial
	Elapsed    time.Duration
	ETA        time.Duration // 0 when unknown
}

// Line renders an event as one plain line for logs and non-terminal output;
// it returns "" for events not worth a line of their own (trial started).
func (ev Event) Line() string {
	var b strings.Builder
	if ev.Total > 0 {
		fmt.Fprintf(&b, "[%d/%d] ", ev.Done, ev.Total)
	} else {
		fmt.Fprintf(&b, "[%d] ", ev.Done)
	}
	switch ev.Kind {
	case TrialStarted:
		return ""
	case SupernetEpoch, DiffEpoch:
		return b.String() + ev.Note
	case RunDone:
		c := ev.Counts
		fmt.Fprintf(&b, "done in %s: %s", ev.Elapsed.Round(time.Second/10), c.String())
		if c.Resumed > 0 {
			fmt.Fprintf(&b, ", %d resumed", c.Resumed)
		}
		return b.String()
	}
	fmt.Fprintf(&b, "trial %d %-8s", ev.Trial, ev.Kind)
	for _, k := range []string{metric.Accuracy, metric.LatencyMs, metric.ThroughputFPS, metric.EnergyMJ} {
		if v, ok := ev.Metrics[k]; ok {
			fmt.Fprintf(&b, " %s=%s", k, metric.Format(k, v))
		}
	}
	if ev.Error != "" {
		fmt.Fprintf(&b, " (%s)", ev.Error)
	}
	if ev.Note != "" {
		fmt.Fprintf(&b, " (%s)", ev.Note)
	}
	if ev.BestTrial >= 0 {
		fmt.Fprintf(&b, " | best %s %s (#%d)", ev.BestMetric, metric.Format(ev.BestMetric, ev.Best), ev.BestTrial)
	}
	if ev.ETA > 0 {
		fmt.Fprintf(&b, " | eta %s", ev.ETA.Round(time.Second))
	}
	return b.String()
}

// ArchEpoch is the state of a differentiable search after one epoch.
type ArchEpoch struct {
	Strategy string // "fbnet" or "proxyless"
	Sweep    string // the sweep's value ("target=3"), or ""
	Epoch    int    // 1-based
	Epochs   int
	Warmup   bool    // the epoch trained the weights only
	WeightCE float64 // mean cross-entropy of the weight steps
	CE, Loss float64 // means over the architecture steps (0 in a warm-up epoch)
	// LatencyMs is the expected latency Σ p·LAT from the table with p =
	// softmax(θ), in ms; TargetMs proxyless's target (0 for fbnet).
	LatencyMs, TargetMs float64
	Temperature         float64 // fbnet's Gumbel-softmax temperature
	Seconds             float64 // wall time of the epoch
	Positions           []ArchPosition
	// ActivationBytes is the most activation and gradient buffer memory
	// a step of the search has held (nn.Mixed.Buffers): a proxyless step
	// holds the paths it computes, an fbnet step every path.
	ActivationBytes int64
}

// ArchPosition is the distribution over one searched position's candidates.
type ArchPosition struct {
	Name       string
	Candidates []string
	Probs      []float64
}

// Line is the epoch as one line: the losses, the expected latency and,
// per position, the most likely candidate with its probability.
func (a *ArchEpoch) Line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s", a.Strategy)
	if a.Sweep != "" {
		fmt.Fprintf(&b, " %s", a.Sweep)
	}
	fmt.Fprintf(&b, " epoch %d/%d: ", a.Epoch, a.Epochs)
	if a.Warmup {
		fmt.Fprintf(&b, "warm-up, CE %.4f", a.WeightCE)
	} else {
		fmt.Fprintf(&b, "loss %.4f (CE %.4f)", a.Loss, a.CE)
	}
	fmt.Fprintf(&b, ", E[latency] %.4g ms", a.LatencyMs)
	if a.TargetMs > 0 {
		fmt.Fprintf(&b, " (target %g ms)", a.TargetMs)
	}
	fmt.Fprintf(&b, ", %.1f s;", a.Seconds)
	for _, p := range a.Positions {
		if len(p.Candidates) == 0 || len(p.Probs) != len(p.Candidates) {
			continue
		}
		k := p.Leading()
		fmt.Fprintf(&b, " %s %s %.0f%%", p.Name, p.Candidates[k], 100*p.Probs[k])
	}
	return b.String()
}

// Distribution is the epoch's probabilities as an aligned text table: a
// row per candidate (in the order the positions first list them), a column
// per searched position, "-" where a position lacks the candidate and a
// "*" after each position's most likely one.
func (a *ArchEpoch) Distribution() []string {
	var cands []string
	for _, p := range a.Positions {
		for _, c := range p.Candidates {
			if !slices.Contains(cands, c) {
				cands = append(cands, c)
			}
		}
	}
	rows := [][]string{append([]string{"candidate"}, positionNames(a.Positions)...)}
	for _, c := range cands {
		row := []string{c}
		for _, p := range a.Positions {
			cell := "-"
			if k := slices.Index(p.Candidates, c); k >= 0 && k < len(p.Probs) {
				cell = fmt.Sprintf("%.0f%%", 100*p.Probs[k])
				if k == p.Leading() {
					cell += "*"
				}
			}
			row = append(row, cell)
		}
		rows = append(rows, row)
	}
	return alignRows(rows)
}

func positionNames(ps []ArchPosition) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	return out
}

// Leading is the index of the position's most likely candidate, the first
// of equals.
func (p *ArchPosition) Leading() int {
	k := 0
	for j, v := range p.Probs {
		if v > p.Probs[k] {
			k = j
		}
	}
	return k
}

// alignRows renders rows as lines indented by two spaces: the first column
// left-aligned, the others right-aligned (a "*" mark hangs past the edge).
func alignRows(rows [][]string) []string {
	width := make([]int, len(rows[0]))
	for _, r := range rows {
		for j, c := range r {
			width[j] = max(width[j], utf8.RuneCountInString(strings.TrimSuffix(c, "*")))
		}
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		var b strings.Builder
		b.WriteString("  ")
		for j, c := range r {
			if j == 0 {
				fmt.Fprintf(&b, "%-*s", width[0], c)
				continue
			}
			mark := " "
			if v, ok := strings.CutSuffix(c, "*"); ok {
				c, mark = v, "*"
			}
			fmt.Fprintf(&b, "  %*s%s", width[j], c, mark)
		}
		out[i] = strings.TrimRight(b.String(), " ")
	}
	return out
}
