package queue

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine"
)

func TestNetworkRoundTrip(t *testing.T) {
	nets := map[string]*arch.Network{}
	for _, name := range arch.ZooNames() {
		n, err := arch.Zoo(name)
		if err != nil {
			t.Fatal(err)
		}
		nets[name] = n
	}
	nets["nb201"] = nb201Request(t, []int{0, 1, 2, 3, 4, 3}).Network
	for name, n := range nets {
		got, err := NetworkFromJSON(engine.NetworkToJSON(n))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got.Key() != n.Key() || got.MACs() != n.MACs() || got.Params() != n.Params() || len(got.Layers) != len(n.Layers) {
			t.Errorf("%s: round trip changed the network (key %s → %s)", name, n.Key(), got.Key())
		}
	}
}

func TestNetworkFromJSONErrors(t *testing.T) {
	good := func() engine.NetworkJSON {
		return engine.NetworkJSON{Input: [3]int{8, 8, 1}, Classes: 2, Layers: []engine.LayerJSON{
			{Op: "conv", In: []int{-1}, Kernel: 3, Stride: 1, Pad: 1, Groups: 1, Out: 4, Act: "relu"},
			{Op: "gap", In: []int{0}},
			{Op: "dense", In: []int{1}, Out: 2, Act: "linear"}}}
	}
	if _, err := NetworkFromJSON(good()); err != nil {
		t.Fatalf("good network: %v", err)
	}
	for _, c := range []struct {
		name string
		edit func(*engine.NetworkJSON)
		want string
	}{
		{"unknown op", func(n *engine.NetworkJSON) { n.Layers[0].Op = "lstm" }, `layer 0: unknown op "lstm"`},
		{"unknown activation", func(n *engine.NetworkJSON) { n.Layers[0].Act = "gelu" }, `unknown activation "gelu"`},
		{"forward input", func(n *engine.NetworkJSON) { n.Layers[1].In = []int{2} }, "input 2 is not an earlier layer"},
		{"input below -1", func(n *engine.NetworkJSON) { n.Layers[1].In = []int{-2} }, "input -2"},
		{"no inputs", func(n *engine.NetworkJSON) { n.Layers[2].In = nil }, "layer 2 (dense): no inputs"},
		{"zero kernel", func(n *engine.NetworkJSON) { n.Layers[0].Kernel = 0 }, "layer 0"},
		{"no layers", func(n *engine.NetworkJSON) { n.Layers = nil }, "no layers"},
		{"bad input", func(n *engine.NetworkJSON) { n.Input[2] = 0 }, "every dimension must be positive"},
		{"wrong classes", func(n *engine.NetworkJSON) { n.Classes = 3 }, "want 1x1x3"},
		{"wrong shape", func(n *engine.NetworkJSON) { n.Layers[0].Shape = [3]int{8, 8, 5} }, "disagrees with the inferred 8x8x4"},
	} {
		t.Run(c.name, func(t *testing.T) {
			j := good()
			c.edit(&j)
			_, err := NetworkFromJSON(j)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one saying %q", err, c.want)
			}
		})
	}
}

func TestEvaluatorSpecRoundTrip(t *testing.T) {
	for _, ev := range []engine.Evaluator{
		engine.TableEvaluator{Split: "cifar100"},
		&engine.TrainEvaluator{Source: "mnist"},
		&engine.TrainEvaluator{Source: "idx:/data/mnist"},
		&engine.TrainEvaluator{Source: "cifar10:/data/c10"},
		engine.CommandEvaluator{Argv: []string{"python3", "train.py", "--fast"}, Timeout: 90 * time.Second, Dir: "/work"},
		&engine.SupernetEvaluator{Data: &engine.TrainEvaluator{Source: "mnist"}, SpaceKey: "0123abcd", Epochs: 3, BNBatches: 5},
	} {
		s, err := Describe(ev)
		if err != nil {
			t.Fatalf("%s: %v", ev.Name(), err)
		}
		if s.Kind == "supernet" {
			s.Supernet = "f00d" // the queue evaluator names the weights' object
		}
		b, _ := json.Marshal(s)
		var back EvaluatorSpec
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		got, err := back.Build()
		if err != nil {
			t.Fatalf("%s: %v", ev.Name(), err)
		}
		if got.Name() != ev.Name() {
			t.Errorf("rebuilt %q as %q", ev.Name(), got.Name())
		}
		if c, ok := ev.(engine.CommandEvaluator); ok && !reflect.DeepEqual(got, c) {
			t.Errorf("command evaluator rebuilt as %+v, want %+v", got, c)
		}
	}
	for _, c := range []struct {
		spec EvaluatorSpec
		want string
	}{
		{EvaluatorSpec{Kind: "oracle"}, `unknown evaluator kind "oracle"`},
		{EvaluatorSpec{Kind: "train", Source: "imagenet"}, `train evaluator on "imagenet"`},
		{EvaluatorSpec{Kind: "command"}, "no program"},
		{EvaluatorSpec{Kind: "command", Argv: []string{"x"}, TimeoutS: -1}, "negative timeout"},
		{EvaluatorSpec{Kind: "supernet", Source: "mnist", Epochs: 2}, "no supernet object named"},
		{EvaluatorSpec{Kind: "supernet", Source: "mnist", Epochs: -2, Supernet: "f00d"}, "negative epochs -2"},
		{EvaluatorSpec{Kind: "supernet", Source: "imagenet", Supernet: "f00d"}, `train evaluator on "imagenet"`},
	} {
		if _, err := c.spec.Build(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.spec, err, c.want)
		}
	}
}

// TestCacheKey: the key changes with everything the engine's accuracy key
// holds and with nothing else.
func TestCacheKey(t *testing.T) {
	r := nb201Request(t, []int{0, 1, 2, 3, 4, 0})
	base := CacheKey("table:nasbench201:cifar10", r)
	if len(base) != 32 || strings.Trim(base, "0123456789abcdef") != "" {
		t.Fatalf("key %q is not 32 hex digits", base)
	}
	same := r
	same.Threads = 7
	if CacheKey("table:nasbench201:cifar10", same) != base {
		t.Error("threads changed the key")
	}
	// A table is indexed by cell: isomorphic cells have rows of their own.
	other := r
	other.Genome = nil
	if CacheKey("table:nasbench201:cifar10", other) == base {
		t.Error("the genome did not change a table evaluator's key")
	}
	if CacheKey("train:x", r) != CacheKey("train:x", other) {
		t.Error("the genome changed a training evaluator's key")
	}
	for name, edit := range map[string]func(*engine.Request) string{
		"seed":    func(q *engine.Request) string { q.Fidelity.Seed = 2; return "" },
		"epochs":  func(q *engine.Request) string { q.Fidelity.Epochs = 3; return "" },
		"dataset": func(q *engine.Request) string { q.Fidelity.Dataset = "mnist"; return "" },
		"network": func(q *engine.Request) string {
			q.Network = nb201Request(t, []int{4, 4, 4, 4, 4, 4}).Network
			return ""
		},
		"evaluator": func(q *engine.Request) string { return "train:mnist" },
		"optimizer": func(q *engine.Request) string { q.Fidelity.Optimizer = "sgd"; return "" },
	} {
		q := r
		ev := "table:nasbench201:cifar10"
		if e := edit(&q); e != "" {
			ev = e
		}
		if CacheKey(ev, q) == base {
			t.Errorf("changing the %s kept the key", name)
		}
	}
}

func FuzzDecodeRequest(f *testing.F) {
	r := nb201Request(f, []int{0, 1, 2, 3, 4, 0})
	good, _ := json.Marshal(request{Key: "k", Nonce: "n", Evaluator: EvaluatorSpec{Kind: "table"},
		Network: engine.NetworkToJSON(r.Network), Space: r.Space, Genome: r.Genome, Fidelity: r.Fidelity, TimeoutS: 3})
	f.Add(good)
	f.Add([]byte(`{"key":"k","network":{"input":[8,8,1],"layers":[{"op":"conv","in":[-1],"kernel":3,"stride":1,"out":2,"act":"relu"}]}}`))
	f.Add([]byte(`{"key":"k","network":{"input":[1,1,1],"layers":[{"op":"add","in":[-1,-1]}]}}`))
	f.Add([]byte(`{"key":"k","names":["stem","x"],"network":{"input":[8,8,1],"layers":[{"op":"conv","in":[-1],"kernel":3,"stride":1,"out":2,"act":"relu"}]}}`))
	f.Add([]byte(`{"key":"k","names":["stem"],"evaluator":{"kind":"supernet","source":"mnist","supernet":"f00d"},"network":{"input":[8,8,1],"layers":[{"op":"conv","in":[-1],"kernel":3,"stride":1,"out":2,"act":"relu"}]},"resume_from":"a.in","save_to":"a.out"}`))
	f.Add([]byte(`{"key":"","timeout_s":-1}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		q, n, err := decodeRequest(data)
		if err != nil {
			return
		}
		if q.Key == "" || n == nil {
			t.Fatalf("decoded a request without key or network: %+v", q)
		}
		for i, name := range q.Names {
			if n.Layers[i].Name != name {
				t.Fatalf("layer %d named %q, want %q", i, n.Layers[i].Name, name)
			}
		}
		back, err := NetworkFromJSON(engine.NetworkToJSON(n))
		if err != nil {
			t.Fatalf("re-encoding a decoded network: %v", err)
		}
		if back.Key() != n.Key() {
			t.Fatalf("round trip changed the key")
		}
	})
}
