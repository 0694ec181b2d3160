package queue

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine"
)

// TestNetworkPadAfterRoundTrip checks that an even kernel's extra padding
// after travels through the wire JSON (as pad_after) and comes back with
// the same shapes and key, and that networks without it carry no field.
func TestNetworkPadAfterRoundTrip(t *testing.T) {
	n := &arch.Network{Input: arch.Shape{H: 28, W: 28, C: 1}, Classes: 10}
	x := n.Append(arch.Layer{Op: arch.Conv, Kernel: 14, Stride: 1, Pad: 6, PadAfter: 1, Out: 9, Act: arch.ReLU}, arch.Input)
	x = n.Append(arch.Layer{Op: arch.Conv, Kernel: 5, Stride: 1, Pad: 2, Out: 9, Act: arch.ReLU}, x)
	x = n.Append(arch.Layer{Op: arch.GlobalAvgPool}, x)
	n.Append(arch.Layer{Op: arch.Dense, Out: 10}, x)
	if err := n.Infer(); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(engine.NetworkToJSON(n))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(string(b), `"pad_after":1`); got != 1 || strings.Contains(string(b), `"pad_after":0`) {
		t.Fatalf("want one pad_after:1 and no pad_after:0 in %s", b)
	}
	var j engine.NetworkJSON
	if err := json.Unmarshal(b, &j); err != nil {
		t.Fatal(err)
	}
	m, err := NetworkFromJSON(j)
	if err != nil {
		t.Fatal(err)
	}
	if m.Key() != n.Key() || m.Layers[0].PadAfter != 1 || m.Layers[0].Shape != (arch.Shape{H: 28, W: 28, C: 9}) {
		t.Errorf("round trip: key %s (want %s), pad after %d, shape %s", m.Key(), n.Key(), m.Layers[0].PadAfter, m.Layers[0].Shape)
	}
	// A shape that ignores the padding after is rejected, not trusted.
	j.Layers[0].Shape = [3]int{27, 27, 9}
	if _, err := NetworkFromJSON(j); err == nil || !strings.Contains(err.Error(), "disagrees") {
		t.Errorf("27x27 shape accepted: %v", err)
	}
	j.Layers[0].Shape, j.Layers[0].PadAfter = [3]int{}, -1
	if _, err := NetworkFromJSON(j); err == nil || !strings.Contains(err.Error(), "extra padding after -1") {
		t.Errorf("negative pad_after: %v", err)
	}
}
