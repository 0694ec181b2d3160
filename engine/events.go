package engine

import (
	"fmt"
	"strings"
	"time"

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
)

// Event is one progress report, plain data for any renderer.
type Event struct {
	Kind    EventKind
	Trial   int // trial id; -1 for RunDone
	Genome  []int
	Network string
	Design  string
	Metrics Metrics
	Error   string // reason for a failure or a pruning
	Note    string // a remark on a finished trial (see Trial.Note)

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
	case SupernetEpoch:
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
