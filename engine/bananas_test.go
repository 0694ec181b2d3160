package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/arch/nb201"
	"github.com/hwnas/hwnas/dsl"
	"github.com/hwnas/hwnas/internal/hwnastest"
)

// bananasSpec searches NAS-Bench-201 under a latency spec the FPGA model
// checks before the table is read; KIND is the strategy.
const bananasSpec = `
space nb201 = benchmark("nasbench201")
evaluator tab table { benchmark = "nasbench201" }
experiment e {
  space = nb201  evaluator = tab  platform = "PYNQ-Z1"
  maximize accuracy
  require latency <= 4 ms
  strategy KIND
  budget 40 trials  seed 4
}
`

// With a hard constraint the FPGA model can check, bananas proposes no
// candidate that is pruned (random search over the same space has pruned
// ones), and it takes the space's path encoding.
func TestBananasUsesHardwareModel(t *testing.T) {
	pruned := map[string]int{}
	for _, kind := range []string{"random", "bananas { initial = 10  ensemble = 2 }"} {
		spec, err := dsl.LoadSource("t.hwnas", strings.Replace(bananasSpec, "KIND", kind, 1), nil)
		if err != nil {
			t.Fatal(err)
		}
		e, err := FromSpec(spec, "e")
		if err != nil {
			t.Fatal(err)
		}
		out, err := Run(context.Background(), e, Options{Store: hwnastest.OpenStore(t, t.TempDir())})
		if err != nil {
			t.Fatal(err)
		}
		name := e.Strategy.Kind
		for _, tr := range out.Trials {
			if tr.Status == "pruned" {
				pruned[name]++
			}
		}
		t.Logf("%s: %v", name, out.Counts)
		if name == "bananas" {
			if x := e.encoder()(out.Trials[0].Genome); len(x) != nb201.PathFeatures {
				t.Errorf("bananas gets %d features, want the %d of the path encoding", len(x), nb201.PathFeatures)
			}
		}
	}
	if pruned["random"] == 0 {
		t.Fatal("random search met no pruned candidate: the latency spec proves nothing")
	}
	if pruned["bananas"] != 0 {
		t.Errorf("bananas proposed %d candidates the hardware model prunes", pruned["bananas"])
	}
}

// An experiment with two objectives and no reward runs bananas in its
// multi-objective mode end to end, and finds a front of several children.
func TestBananasTwoObjectives(t *testing.T) {
	src := strings.Replace(bananasSpec, "require latency <= 4 ms", "minimize latency", 1)
	src = strings.Replace(src, "KIND", "bananas { initial = 10  ensemble = 2 }", 1)
	out, _ := runSpec(t, hwnastest.OpenStore(t, t.TempDir()), "t.hwnas", src, "e")
	if len(out.Trials) != 40 || len(out.Front()) < 2 {
		t.Errorf("%d trials, front %d; want 40 and a front of several", len(out.Trials), len(out.Front()))
	}
}
