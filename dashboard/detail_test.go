package dashboard

import (
	"strings"
	"testing"

	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/store"
)

// TestDetails derives a trial's network and FPGA report from the spec the
// store kept, and says why when it cannot.
func TestDetails(t *testing.T) {
	st, err := store.OpenReadOnly(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	es, _ := st.Experiments("")
	out, err := engine.LoadRun(st, es[0])
	if err != nil {
		t.Fatal(err)
	}
	tr := &out.Trials[0]
	d := details(es[0], tr, ".")
	if d.Note != "" || d.Report == nil || len(d.Layers) == 0 || len(d.Report.Layers) == 0 {
		t.Fatalf("details: note %q, report %v, %d layers", d.Note, d.Report != nil, len(d.Layers))
	}
	if got := d.Report.LatencyMs; got != tr.Metrics["latency_ms"] {
		t.Errorf("the derived report's latency %v is not the stored %v", got, tr.Metrics["latency_ms"])
	}
	if d.Layers[0].In != "input" {
		t.Errorf("layer 0 reads %q, want input", d.Layers[0].In)
	}

	// A store written before the spec was kept whole holds the experiment
	// alone: the page says why it shows no layers.
	old := es[0]
	_, old.Spec, _ = strings.Cut(old.Spec, "experiment ")
	old.Spec = "experiment " + old.Spec
	if d := details(old, tr, "."); !strings.Contains(d.Note, "the stored spec does not check on its own") || d.Layers != nil {
		t.Errorf("experiment alone: note %q, %d layers", d.Note, len(d.Layers))
	}
	short := *tr
	short.Genome = short.Genome[:2]
	if d := details(es[0], &short, "."); !strings.Contains(d.Note, "the genome has 2 genes, the space 6 decisions") {
		t.Errorf("short genome: note %q", d.Note)
	}
	moved := *tr
	moved.Design = "fpga-model/0 something else"
	if d := details(es[0], &moved, "."); !d.Mismatch || d.Report == nil {
		t.Errorf("another stored design: mismatch %v", d.Mismatch)
	}
}
