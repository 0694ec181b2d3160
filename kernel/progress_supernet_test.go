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
