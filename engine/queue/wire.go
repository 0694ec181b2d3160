package queue

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine"
)

// request is one evaluation as it travels to a worker: everything the worker
// needs to rebuild the evaluator and the network.
type request struct {
	Key       string             `json:"key"`   // cache key (subject-safe hex)
	Nonce     string             `json:"nonce"` // this publication; a failure answers only its own nonce
	Evaluator EvaluatorSpec      `json:"evaluator"`
	Network   engine.NetworkJSON `json:"network"`
	// Names are the network's layer names (the slots of the space they come
	// from), which a supernet keys its weights by; absent for other evaluators.
	Names    []string        `json:"names,omitempty"`
	Space    string          `json:"space"`
	Genome   []int           `json:"genome"`
	Fidelity engine.Fidelity `json:"fidelity"`
	TimeoutS float64         `json:"timeout_s,omitempty"` // what is left of the engine's trial timeout
	// A rung of a fidelity schedule (ASHA) resumes from ResumeFrom, an
	// object of CheckpointBucket, when set; one that stops before the last
	// epoch stores its training state as the object SaveTo.
	ResumeFrom string `json:"resume_from,omitempty"`
	SaveTo     string `json:"save_to,omitempty"`
}

// result is a worker's answer to a request.
type result struct {
	Key        string         `json:"key"`
	Nonce      string         `json:"nonce"`
	Metrics    engine.Metrics `json:"metrics,omitempty"`
	ChargedS   float64        `json:"charged_s"`
	Error      string         `json:"error,omitempty"` // non-empty: the evaluation failed for good
	Worker     string         `json:"worker"`
	Deliveries uint64         `json:"deliveries"`
	Saved      string         `json:"saved,omitempty"` // the request's SaveTo, once stored
}

// CacheKey is the key of an evaluation: the same fields as the engine's
// accuracy cache key (engine.CacheNetworkKey, evaluator name + fidelity,
// dataset, seed), hashed to a subject-safe token.
func CacheKey(evaluator string, r engine.Request) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s %s\x00%d", engine.CacheNetworkKey(evaluator, r), r.Fidelity.Dataset, evaluator, r.Fidelity.Key(), r.Fidelity.Seed)
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// decodeRequest parses and checks a request from the wire, rebuilding its
// network.
func decodeRequest(data []byte) (request, *arch.Network, error) {
	var q request
	if err := json.Unmarshal(data, &q); err != nil {
		return q, nil, fmt.Errorf("evaluation request is not valid JSON: %w", err)
	}
	if q.Key == "" {
		return q, nil, fmt.Errorf("evaluation request has no key")
	}
	if q.TimeoutS < 0 || q.TimeoutS > float64(365*24*time.Hour/time.Second) {
		return q, nil, fmt.Errorf("evaluation request %s: timeout %gs out of range", q.Key, q.TimeoutS)
	}
	n, err := NetworkFromJSON(q.Network)
	if err != nil {
		return q, nil, fmt.Errorf("evaluation request %s: %w", q.Key, err)
	}
	if len(q.Names) > 0 && len(q.Names) != len(n.Layers) {
		return q, nil, fmt.Errorf("evaluation request %s: %d layer names for %d layers", q.Key, len(q.Names), len(n.Layers))
	}
	for i, name := range q.Names {
		n.Layers[i].Name = name
	}
	return q, n, nil
}

// NetworkFromJSON rebuilds the network engine.NetworkToJSON wrote, checking
// it (shapes are inferred again, not trusted).
func NetworkFromJSON(j engine.NetworkJSON) (*arch.Network, error) {
	n := &arch.Network{Input: arch.Shape{H: j.Input[0], W: j.Input[1], C: j.Input[2]}, Classes: j.Classes}
	for i, l := range j.Layers {
		op, ok := arch.ParseOp(l.Op)
		if !ok {
			return nil, fmt.Errorf("network layer %d: unknown op %q", i, l.Op)
		}
		var act arch.Activation
		switch l.Act {
		case "relu":
			act = arch.ReLU
		case "linear", "":
		default:
			return nil, fmt.Errorf("network layer %d: unknown activation %q (want relu or linear)", i, l.Act)
		}
		if len(l.In) == 0 {
			return nil, fmt.Errorf("network layer %d (%s): no inputs", i, l.Op)
		}
		for _, in := range l.In {
			if in < arch.Input || in >= i {
				return nil, fmt.Errorf("network layer %d (%s): input %d is not an earlier layer or the input (-1)", i, l.Op, in)
			}
		}
		n.Layers = append(n.Layers, arch.Layer{Op: op, In: append([]int(nil), l.In...), Kernel: l.Kernel, Stride: l.Stride,
			Pad: l.Pad, PadAfter: l.PadAfter, Groups: l.Groups, Out: l.Out, Act: act, BN: l.BN})
	}
	if err := n.Infer(); err != nil {
		return nil, fmt.Errorf("network: %w", err)
	}
	for i, l := range j.Layers {
		if l.Shape != [3]int{} && l.Shape != [3]int{n.Layers[i].Shape.H, n.Layers[i].Shape.W, n.Layers[i].Shape.C} {
			return nil, fmt.Errorf("network layer %d (%s): shape %v disagrees with the inferred %s", i, l.Op, l.Shape, n.Layers[i].Shape)
		}
	}
	return n, nil
}

// EvaluatorSpec describes an engine evaluator well enough for a worker to
// build the same one: Kind is "table", "train", "command" or "supernet".
type EvaluatorSpec struct {
	Kind     string   `json:"kind"`
	Split    string   `json:"split,omitempty"`     // table
	Source   string   `json:"source,omitempty"`    // train, supernet: "mnist", "idx:DIR", "cifar10:DIR" (DIR on the worker)
	Argv     []string `json:"argv,omitempty"`      // command
	TimeoutS float64  `json:"timeout_s,omitempty"` // command
	Dir      string   `json:"dir,omitempty"`       // command
	// supernet: the evaluator's settings, and the object of SupernetBucket
	// that holds its trained weights (named by their SHA-256).
	SpaceKey  string `json:"space_key,omitempty"`
	Epochs    int    `json:"epochs,omitempty"`
	BNBatches int    `json:"bn_batches,omitempty"`
	Supernet  string `json:"supernet,omitempty"`
}

// Describe returns the spec of one of the engine's evaluators.
func Describe(ev engine.Evaluator) (EvaluatorSpec, error) {
	switch e := ev.(type) {
	case engine.TableEvaluator:
		return EvaluatorSpec{Kind: "table", Split: e.Split}, nil
	case *engine.TableEvaluator:
		return EvaluatorSpec{Kind: "table", Split: e.Split}, nil
	case *engine.TrainEvaluator:
		return EvaluatorSpec{Kind: "train", Source: e.Source}, nil
	case engine.CommandEvaluator:
		return EvaluatorSpec{Kind: "command", Argv: e.Argv, TimeoutS: e.Timeout.Seconds(), Dir: e.Dir}, nil
	case *engine.CommandEvaluator:
		return Describe(*e)
	case *engine.SupernetEvaluator:
		return EvaluatorSpec{Kind: "supernet", Source: e.Data.Source, SpaceKey: e.SpaceKey, Epochs: e.Epochs, BNBatches: e.BNBatches}, nil
	case nil:
		return EvaluatorSpec{}, fmt.Errorf("no evaluator to run on workers")
	}
	return EvaluatorSpec{}, fmt.Errorf("evaluator %s (%T) cannot run on workers: only table, train, command and supernet evaluators can", ev.Name(), ev)
}

// Build makes the evaluator s describes; a supernet evaluator still lacks
// its weights (the worker loads them: SupernetEvaluator.Load).
func (s EvaluatorSpec) Build() (engine.Evaluator, error) {
	switch s.Kind {
	case "table":
		return engine.TableEvaluator{Split: s.Split}, nil
	case "train":
		return trainEvaluator(s.Source)
	case "supernet":
		if s.Epochs < 0 || s.BNBatches < 0 {
			return nil, fmt.Errorf("supernet evaluator: negative epochs %d or bn_batches %d", s.Epochs, s.BNBatches)
		}
		if s.Supernet == "" {
			return nil, fmt.Errorf("supernet evaluator: no supernet object named (the engine stores it before the first request)")
		}
		data, err := trainEvaluator(s.Source)
		if err != nil {
			return nil, err
		}
		return &engine.SupernetEvaluator{Data: data, SpaceKey: s.SpaceKey, Epochs: s.Epochs, BNBatches: s.BNBatches}, nil
	case "command":
		if len(s.Argv) == 0 {
			return nil, fmt.Errorf("command evaluator has no program")
		}
		if s.TimeoutS < 0 {
			return nil, fmt.Errorf("command evaluator: negative timeout %gs", s.TimeoutS)
		}
		return engine.CommandEvaluator{Argv: s.Argv, Timeout: time.Duration(s.TimeoutS * float64(time.Second)), Dir: s.Dir}, nil
	}
	return nil, fmt.Errorf("unknown evaluator kind %q (valid: table, train, command, supernet)", s.Kind)
}

// trainEvaluator is the train evaluator on source, as Describe names it.
func trainEvaluator(source string) (*engine.TrainEvaluator, error) {
	kind, arg, _ := strings.Cut(source, ":")
	var name, dir string
	switch kind {
	case "mnist":
		kind, name = "builtin", "mnist"
	case "idx", "cifar10":
		dir = arg
	}
	src, load, err := engine.DatasetLoader(kind, name, dir)
	if err != nil {
		return nil, fmt.Errorf("train evaluator on %q: %w", source, err)
	}
	return &engine.TrainEvaluator{Source: src, Load: load}, nil
}
