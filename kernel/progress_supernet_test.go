package kernel

import (
	"strings"
	"testing"

	"github.com/hwnas/hwnas/engine"
)

// TestProgressSupernet renders a supernet epoch and a retrained trial past
// the trial budget (retrain adds trials after it) without a panic.
func TestProgressSupernet(t *testing.T) {
	ev := engine.Event{Kind: engine.SupernetEpoch, Note: "supernet epoch 2/6: loss 1.2, 3.0 s", Total: 10, BestTrial: -1}
	if text := progressBundle("oneshot", ev, "running")["text/plain"].(string); !strings.Contains(text, "supernet epoch 2/6") {
		t.Errorf("supernet epoch not shown: %q", text)
	}
	ev = engine.Event{Kind: engine.TrialFinished, Done: 12, Total: 10, BestTrial: -1, Counts: engine.Counts{Inherited: 9, Retrained: 2}}
	if text := progressBundle("oneshot", ev, "running")["text/plain"].(string); !strings.Contains(text, "9 inherited, 2 retrained") {
		t.Errorf("counts not shown: %q", text)
	}
}

// TestProgressArch renders an epoch of a differentiable search: the line,
// and every position's candidates with their probabilities, kept under
// the progress of the trials that follow.
func TestProgressArch(t *testing.T) {
	a := &engine.ArchEpoch{Strategy: "fbnet", Epoch: 3, Epochs: 6, LatencyMs: 0.25, Positions: []engine.ArchPosition{
		{Name: "layer2", Candidates: []string{"mbconv(expand=3 kernel=5)", "skip"}, Probs: []float64{0.25, 0.75}}}}
	ev := engine.Event{Kind: engine.DiffEpoch, Note: a.Line(), Arch: a, BestTrial: -1}
	b := withArch(progressBundle("fbnet", ev, "running"), a)
	text, page := b["text/plain"].(string), b["text/html"].(string)
	for _, want := range []string{"fbnet epoch 3/6", "layer2 skip 75%", "mbconv(expand=3 kernel=5)     25%", "skip                          75%*"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(page, `<th>layer2</th>`) || !strings.Contains(page, "font-weight:bold;background:linear-gradient(to right,#9ecae1 75%") {
		t.Errorf("html lacks the distribution:\n%s", page)
	}
}
