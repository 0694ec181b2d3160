package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hwnas/hwnas/metric"

	"github.com/hwnas/hwnas/arch"
)

// CommandEvaluator runs an external program per evaluation: it writes a
// CommandRequest as JSON on the program's stdin and reads one JSON object of
// metrics from its stdout, e.g. {"accuracy": 0.97, "test_accuracy": 0.96}.
// A non-zero exit, a timeout or output that is not such an object fails the
// trial with the tail of the program's stderr.
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
}

// FidelityJSON is the training setup in a command request.
type FidelityJSON struct {
	Train     int     `json:"train"`
	Val       int     `json:"val"`
	Test      int     `json:"test"`
	Epochs    int     `json:"epochs"`
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
	req := CommandRequest{Network: NetworkToJSON(r.Network), NetworkKey: r.Network.Key(), Space: r.Space,
		Genome: r.Genome, Dataset: r.Fidelity.Dataset, Threads: r.Threads,
		Fidelity: FidelityJSON{Train: r.Fidelity.Train, Val: r.Fidelity.Val, Test: r.Fidelity.Test,
			Epochs: r.Fidelity.Epochs, Batch: r.Fidelity.Batch, LR: r.Fidelity.LR, Optimizer: r.Fidelity.Optimizer,
			Seed: r.Fidelity.Seed}}
	in, err := json.Marshal(req)
	if err != nil {
		return Evaluation{}, fmt.Errorf("command request: %w", err)
	}
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, c.Argv[0], c.Argv[1:]...)
	cmd.Dir = c.Dir
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 2 * time.Second
	threads := strconv.Itoa(max(r.Threads, 1))
	cmd.Env = append(os.Environ(), "OMP_NUM_THREADS="+threads, "HWNAS_THREADS="+threads)
	t0 := time.Now()
	err = cmd.Run()
	wall := time.Since(t0)
	if ctx.Err() != nil {
		return Evaluation{}, fmt.Errorf("%s: %w%s", c.Argv[0], ctx.Err(), stderrTail(stderr.Bytes()))
	}
	if err != nil {
		return Evaluation{}, fmt.Errorf("%s: %v%s", c.Argv[0], err, stderrTail(stderr.Bytes()))
	}
	m, err := ParseMetrics(stdout.Bytes())
	if err != nil {
		return Evaluation{}, fmt.Errorf("%s: %v%s", c.Argv[0], err, stderrTail(stderr.Bytes()))
	}
	return Evaluation{Metrics: m, ChargedS: wall.Seconds()}, nil
}

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

// ParseMetrics reads a command evaluator's answer: one JSON object whose
// values are finite numbers, with "accuracy" a fraction in [0, 1].
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
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("metric %q is not finite", k)
		}
		m[k] = v
	}
	for _, k := range []string{metric.Accuracy, metric.TestAccuracy} {
		if v, ok := m[k]; ok && (v < 0 || v > 1) {
			return nil, fmt.Errorf("metric %q = %g is not a fraction in [0, 1]", k, v)
		}
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
