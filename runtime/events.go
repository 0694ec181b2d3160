package runtime

import "time"

// EventKind says what happened to a trial.
type EventKind string

// The kinds of progress event.
const (
	TrialStarted  EventKind = "started"
	TrialPruned   EventKind = "pruned"
	TrialFinished EventKind = "finished" // trained by its evaluator
	TrialFailed   EventKind = "failed"
	TrialCached   EventKind = "cached"  // accuracy from the accuracy cache
	TrialResumed  EventKind = "resumed" // the whole trial came from an earlier run in the store
	RunDone       EventKind = "done"
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

	Done, Total int // finished trials, and the trial budget (0 when time-bounded)
	Counts      Counts

	BestMetric string // the first objective
	Best       float64
	BestTrial  int // -1 before any feasible trial
	Elapsed    time.Duration
	ETA        time.Duration // 0 when unknown
}
