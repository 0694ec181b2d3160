package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hwnas/hwnas/metric"

	"github.com/hwnas/hwnas/arch"
)

// CommandEvaluator runs an external program per evaluation: it writes a
// CommandRequest as JSON on the program's stdin and reads one JSON object of
// metrics from its stdout, e.g. {"accuracy": 0.97, "test_accuracy": 0.96}.
// A non-zero exit, a timeout or output that is not such an object fails the
// trial with the tail of the program's stderr. The program runs in a process
// group of its own, killed whole on a timeout, on Ctrl-C and (on Linux) when
// the process that runs the search dies, even by SIGKILL; stdout may hold at
// most 16 MiB and only the last 64 KiB of stderr are kept.
type CommandEvaluator struct {
	Argv    []string      // program and arguments, run without a shell
	Timeout time.Duration // 0: none (the experiment's trial timeout still applies)
	Dir     string        // working directory; "" for the current one
}

// CommandRequest is what a command evaluator reads on stdin.
type CommandRequest struct {
	Network    NetworkJSON  `json:"network"`
	NetworkKey string       `json:"network_key"`
	Space      string       `json:"space"`
	Genome     []int        `json:"genome"`
	Dataset    string       `json:"dataset"`
	Fidelity   FidelityJSON `json:"fidelity"`
	Threads    int          `json:"threads"`
	// Checkpoint, set on the rungs of a fidelity schedule, is an absolute
	// path the program may save its training state to before it answers,
	// and resume from when the file exists (it holds what the program saved
	// at the child's previous rung). hwnas removes it when the child
	// finishes; a program that ignores it trains each rung from the start.
	Checkpoint string `json:"checkpoint,omitempty"`
}

// FidelityJSON is the training setup in a command request. On a rung of a
// fidelity schedule, Epochs is the rung's (the epochs trained in all when
// the program answers) and MaxEpochs the schedule's last, which a
// learning-rate schedule should span; MaxEpochs is 0 otherwise.
type FidelityJSON struct {
	Train     int     `json:"train"`
	Val       int     `json:"val"`
	Test      int     `json:"test"`
	Epochs    int     `json:"epochs"`
	MaxEpochs int     `json:"max_epochs,omitempty"`
	Batch     int     `json:"batch"`
	LR        float64 `json:"lr"`
	Optimizer string  `json:"optimizer"`
	Seed      int64   `json:"seed"`
}

// NetworkJSON is an arch.Network as plain JSON: layers in topological order,
// each reading earlier layers by index (-1 is the input).
type NetworkJSON struct {
	Input   [3]int      `json:"input"` // H, W, C
	Classes int         `json:"classes"`
	Layers  []LayerJSON `json:"layers"`
}

// LayerJSON is one layer; shape is its output H, W, C.
type LayerJSON struct {
	Op     string `json:"op"` // conv, maxpool, avgpool, gap, dense, add, concat
	In     []int  `json:"in"`
	Kernel int    `json:"kernel,omitempty"`
	Stride int    `json:"stride,omitempty"`
	Pad    int    `json:"pad,omitempty"`
	// PadAfter is extra padding at the bottom and right beyond Pad (an even
	// kernel's 'same' padding); absent when 0.
	PadAfter int    `json:"pad_after,omitempty"`
	Groups   int    `json:"groups,omitempty"`
	Out      int    `json:"out,omitempty"`
	Act      string `json:"act"` // relu or linear
	BN       bool   `json:"bn"`
	Shape    [3]int `json:"shape"`
}

// NetworkToJSON converts n (shapes inferred) for a command request.
func NetworkToJSON(n *arch.Network) NetworkJSON {
	out := NetworkJSON{Input: [3]int{n.Input.H, n.Input.W, n.Input.C}, Classes: n.Classes}
	for _, l := range n.Layers {
		out.Layers = append(out.Layers, LayerJSON{Op: l.Op.String(), In: l.In, Kernel: l.Kernel, Stride: l.Stride,
			Pad: l.Pad, PadAfter: l.PadAfter, Groups: max(l.Groups, 1), Out: l.Out, Act: l.Act.String(), BN: l.BN,
			Shape: [3]int{l.Shape.H, l.Shape.W, l.Shape.C}})
	}
	return out
}

// Name is part of the accuracy cache key: the command line itself.
func (c CommandEvaluator) Name() string { return "command:" + strings.Join(c.Argv, " ") }

// Evaluate runs the program once.
func (c CommandEvaluator) Evaluate(ctx context.Context, r Request) (Evaluation, error) {
	if len(c.Argv) == 0 {
		return Evaluation{}, errors.New("command evaluator has no program")
	}
	req, err := commandRequest(r)
	if err != nil {
		return Evaluation{}, err
	}
	in, err := json.Marshal(req)
	if err != nil {
		return Evaluation{}, fmt.Errorf("command request: %w", err)
	}
	t0 := time.Now()
	out, err := c.run(ctx, in, max(r.Threads, 1))
	wall := time.Since(t0)
	if err != nil {
		return Evaluation{}, err
	}
	m, err := ParseMetrics(out.stdout.b.Bytes())
	if err != nil {
		return Evaluation{}, fmt.Errorf("%s: %v%s", c.Argv[0], err, stderrTail(out.stderr.Bytes()))
	}
	return Evaluation{Metrics: m, ChargedS: wall.Seconds()}, nil
}

// commandRequest is r as the program reads it. A rung of a fidelity
// schedule (Stop set, or a checkpoint) says the rung's epochs and the
// schedule's.
func commandRequest(r Request) (CommandRequest, error) {
	f := r.Fidelity
	req := CommandRequest{Network: NetworkToJSON(r.Network), NetworkKey: r.Network.Key(), Space: r.Space,
		Genome: r.Genome, Dataset: f.Dataset, Threads: r.Threads,
		Fidelity: FidelityJSON{Train: f.Train, Val: f.Val, Test: f.Test, Epochs: f.Epochs, Batch: f.Batch,
			LR: f.LR, Optimizer: f.Optimizer, Seed: f.Seed}}
	if f.Stop > 0 || r.Checkpoint != "" {
		req.Fidelity.MaxEpochs = f.Epochs
		if f.Stop > 0 {
			req.Fidelity.Epochs = f.Stop
		}
	}
	if r.Checkpoint != "" {
		abs, err := filepath.Abs(r.Checkpoint) // the program may run in another directory
		if err != nil {
			return req, fmt.Errorf("checkpoint path: %w", err)
		}
		req.Checkpoint = abs
	}
	return req, nil
}

// Bounds on what a command evaluator may print: its metrics on stdout are
// one small JSON object; of its stderr only the tail is kept for errors.
const (
	maxCommandStdout = 16 << 20
	maxCommandStderr = 64 << 10
)

// commandOutput is what a run of the program printed.
type commandOutput struct {
	stdout limitedBuffer
	stderr tailBuffer
}

// run runs the program with in on its stdin, in a process group of its own
// that is killed whole on the evaluator's timeout, on ctx's end and when
// stdout passes maxCommandStdout, so no grandchild outlives the trial.
func (c CommandEvaluator) run(ctx context.Context, in []byte, threads int) (*commandOutput, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	own := ctx // the evaluator's own timeout ends own but not the caller's ctx
	if c.Timeout > 0 {
		var cancelT context.CancelFunc
		own, cancelT = context.WithTimeout(ctx, c.Timeout)
		defer cancelT()
	}
	out := &commandOutput{stdout: limitedBuffer{max: maxCommandStdout, full: cancel}, stderr: tailBuffer{max: maxCommandStderr}}
	cmd := exec.CommandContext(own, c.Argv[0], c.Argv[1:]...)
	cmd.Dir = c.Dir
	cmd.Stdin = bytes.NewReader(in)
	cmd.Stdout, cmd.Stderr = &out.stdout, &out.stderr
	n := strconv.Itoa(threads)
	cmd.Env = append(os.Environ(), "OMP_NUM_THREADS="+n, "HWNAS_THREADS="+n)
	reaped(cmd)
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	err := cmd.Run()
	tail := stderrTail(out.stderr.Bytes())
	switch {
	case out.stdout.over:
		return nil, fmt.Errorf("%s: printed more than %d MiB on stdout; want one JSON object of metrics%s", c.Argv[0], maxCommandStdout>>20, tail)
	case ctx.Err() != nil:
		return nil, fmt.Errorf("%s: %w%s", c.Argv[0], ctx.Err(), tail)
	case own.Err() != nil:
		return nil, fmt.Errorf("%s: timed out after %s (the evaluator's timeout setting)%s", c.Argv[0], c.Timeout, tail)
	case errors.Is(err, exec.ErrWaitDelay):
		return nil, fmt.Errorf("%s exited, but a process it started still holds its stdout or stderr open (a background job?); stop it before the program exits%s", c.Argv[0], tail)
	case err != nil:
		return nil, fmt.Errorf("%s: %v%s", c.Argv[0], err, tail)
	}
	return out, nil
}

// limitedBuffer keeps up to max bytes; past that it keeps nothing more,
// sets over and calls full (once), so the program is stopped.
type limitedBuffer struct {
	b    bytes.Buffer
	max  int
	over bool
	full func()
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if !l.over && l.b.Len()+len(p) > l.max {
		l.over = true
		l.full()
	}
	if !l.over {
		l.b.Write(p)
	}
	return len(p), nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	b   []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if len(p) >= t.max {
		t.b = append(t.b[:0], p[len(p)-t.max:]...)
		return n, nil
	}
	if drop := len(t.b) + len(p) - t.max; drop > 0 {
		t.b = append(t.b[:0], t.b[drop:]...)
	}
	t.b = append(t.b, p...)
	return n, nil
}

func (t *tailBuffer) Bytes() []byte { return t.b }

// stderrTail is the last lines of a program's stderr, for error messages.
func stderrTail(b []byte) string {
	const maxLines, maxBytes = 12, 2000
	s := strings.TrimRight(string(b), "\n")
	if s == "" {
		return " (stderr was empty)"
	}
	lines := strings.Split(s, "\n")
	if len(lines) > maxLines {
		lines = lines[len(lines)-maxLines:]
	}
	s = strings.Join(lines, "\n")
	if len(s) > maxBytes {
		s = "…" + s[len(s)-maxBytes:]
	}
	return "; stderr ends:\n" + s
}

// ParseMetrics reads a command evaluator's answer: one JSON object of numbers,
// with an "accuracy", each valid for its metric (Metrics.validate).
func ParseMetrics(out []byte) (Metrics, error) {
	trimmed := bytes.TrimSpace(out)
	if len(trimmed) == 0 {
		return nil, errors.New("printed nothing on stdout; want a JSON object such as {\"accuracy\": 0.97}")
	}
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("stdout is not a JSON object of metrics: %v (stdout starts %q)", err, head(trimmed))
	}
	if dec.More() {
		return nil, fmt.Errorf("stdout has more than one JSON value (stdout starts %q)", head(trimmed))
	}
	m := Metrics{}
	for _, k := range slices.Sorted(maps.Keys(raw)) {
		var v float64
		if err := json.Unmarshal(raw[k], &v); err != nil {
			return nil, fmt.Errorf("metric %q is %s, want a number", k, head(raw[k]))
		}
		m[k] = v
	}
	if err := m.validate(); err != nil {
		return nil, err
	}
	if _, ok := m[metric.Accuracy]; !ok {
		return nil, fmt.Errorf("no %q metric in %s", metric.Accuracy, head(trimmed))
	}
	return m, nil
}

func head(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "…"
	}
	return string(b)
}
