package engine

import (
	"bytes"
	"slices"
	"testing"

	"github.com/hwnas/hwnas/engine/data"
	"github.com/hwnas/hwnas/engine/nn"
)

// mixedSetup is the test experiment named name with its relaxed network
// and train images of its data, prepared.
func mixedSetup(t *testing.T, name string, train int) (Experiment, *mixedNet, *prepared) {
	t.Helper()
	e := diffExperiment(t, name, StrategySpec{})
	mn, err := newMixedNet(e.Space, e.Table)
	if err != nil {
		t.Fatal(err)
	}
	f := e.Fidelity
	f.Train, f.Seed = train, e.Seed
	p, err := e.Evaluator.(*SupernetEvaluator).Data.prepare(f)
	if err != nil {
		t.Fatal(err)
	}
	return e, mn, p
}

// searchEpoch runs the first epoch of e's search on mn, weights on wset and
// architecture on aset; it returns the search's state and relaxed network.
func searchEpoch(t *testing.T, e *Experiment, mn *mixedNet, cfg nn.Config, wset, aset *data.Set) (*diffState, *nn.Mixed) {
	t.Helper()
	pts, err := diffPoints(e)
	if err != nil {
		t.Fatal(err)
	}
	st := newDiffState(mn, pts[0], cfg, 1)
	x, err := st.sn.NewMixed(mn.net, mn.mixes, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.epoch(t.Context(), x, 0, wset, aset); err != nil {
		t.Fatal(err)
	}
	return st, x
}

// TestProxylessHoldsOneChild checks ProxylessNAS's memory (Cai et al.,
// ICLR 2019, §3.2): a proxyless step holds the activations of the paths it
// computes — at most one child's at the largest candidate of every
// position, plus the second candidate of each position an architecture step
// samples, plus the mixed layers' sums — while an fbnet step holds those of
// every path, the whole relaxed network's. Each candidate's share is
// checked against standalone children: swapping candidates in a child
// changes its activation memory by the difference of their shares.
func TestProxylessHoldsOneChild(t *testing.T) {
	e, mn, p := mixedSetup(t, "mem", 128)
	f := e.Fidelity
	cfg := nn.Config{Epochs: 1, Batch: f.Batch, LR: f.LR, Optimizer: f.Optimizer, Seed: 1, Threads: 2}
	peak := map[string]int64{}
	var shares [][]int64
	for _, kind := range []string{"fbnet", "proxyless"} {
		e.Strategy = StrategySpec{Kind: kind, Params: map[string]float64{"warmup": 0}}
		if kind == "proxyless" {
			e.Strategy.Params["target"] = 0.1
		}
		_, x := searchEpoch(t, &e, mn, cfg, p.train, p.train)
		_, peak[kind] = x.Buffers()
		shares = x.InputBytes()
	}
	all, err := nn.ActivationMemory(mn.net, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if peak["fbnet"] != all {
		t.Errorf("an fbnet step held %d bytes of activations, the relaxed network has %d", peak["fbnet"], all)
	}
	child := func(choice []int) int64 {
		net, err := e.Space.Decode(mn.genome(len(e.Space.Decisions()), choice))
		if err != nil {
			t.Fatal(err)
		}
		b, err := nn.ActivationMemory(net, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	largest := make([]int, len(mn.pos))
	var second, sums int64
	for i, s := range shares {
		largest[i] = slices.Index(s, slices.Max(s))
		sorted := slices.Sorted(slices.Values(s))
		second += sorted[len(sorted)-2]
		sums += 2 * 4 * int64(f.Batch) * mn.net.Layers[mn.mixes[i]].Shape.Size() // the sum and its gradient
	}
	base := child(largest)
	for i, s := range shares {
		for k := range s {
			c := slices.Clone(largest)
			c[i] = k
			if got, want := base-child(c), s[largest[i]]-s[k]; got != want {
				t.Errorf("position %d: candidates %d and %d: children differ by %d bytes, their shares by %d", i, largest[i], k, got, want)
			}
		}
	}
	bound := base + second + sums
	t.Logf("activation bytes: proxyless step %d (bound %d: child %d + second candidates %d + sums %d), fbnet step %d", peak["proxyless"], bound, base, second, sums, peak["fbnet"])
	if bound >= all {
		t.Fatalf("the bound %d is not below the relaxed network's %d bytes: the test's space needs more candidates", bound, all)
	}
	if peak["proxyless"] > bound {
		t.Errorf("a proxyless step held %d bytes of activations, want at most %d (fbnet's: %d)", peak["proxyless"], bound, peak["fbnet"])
	}
}

// TestFBNetEpochOrder: an fbnet epoch takes its architecture steps after
// all its weight steps (FBNet's order), so its weights end as a warm-up
// epoch's, which takes none; a proxyless epoch interleaves them, so its
// later weight steps draw their paths from the updated θ. Both take one
// architecture step per batch of the architecture split.
func TestFBNetEpochOrder(t *testing.T) {
	e, mn, p := mixedSetup(t, "order", 96)
	f := e.Fidelity
	wset, aset, err := p.train.SplitFraction(0.5, 1)
	if err != nil {
		t.Fatal(err)
	}
	cfg := nn.Config{Epochs: 1, Batch: 16, LR: f.LR, Optimizer: f.Optimizer, Seed: 1, Threads: 2}
	epoch := func(kind string, warmup float64) ([]byte, epochStats) {
		e.Strategy = StrategySpec{Kind: kind, Params: map[string]float64{"warmup": warmup, "arch_lr": 0.5, "target": 0.1}}
		if kind == "fbnet" {
			delete(e.Strategy.Params, "target")
		}
		st, _ := searchEpoch(t, &e, mn, cfg, wset, aset)
		b, err := st.sn.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		return b, st.last
	}
	nA := (aset.Len() + cfg.Batch - 1) / cfg.Batch
	for _, kind := range []string{"fbnet", "proxyless"} {
		warm, _ := epoch(kind, 1)
		searched, s := epoch(kind, 0)
		if s.nA != nA {
			t.Errorf("%s: %d architecture steps in an epoch, want one per batch: %d", kind, s.nA, nA)
		}
		if same := bytes.Equal(warm, searched); same != (kind == "fbnet") {
			t.Errorf("%s: weights after a searching epoch equal to a warm-up epoch's: %v", kind, same)
		}
	}
}
