package report

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hwnas/hwnas/engine"

	"github.com/hwnas/hwnas/internal/golden"
	"github.com/hwnas/hwnas/metric"

	"github.com/hwnas/hwnas/engine/store"
)

// fixture is a small outcome with every status.
func fixture() *engine.Outcome {
	out := &engine.Outcome{Experiment: "fnas", Hash: "0123456789abcdef", Seed: 1,
		Objectives:  []engine.Objective{{Metric: metric.Accuracy, Maximize: true}, {Metric: metric.LatencyMs}},
		Constraints: []engine.Constraint{{Metric: metric.LatencyMs, Op: "<=", Value: 8, Hard: true}},
		Wall:        83 * time.Second / 2,
		Trials: []engine.Trial{
			{ID: 0, Genome: []int{0, 0, 0, 1, 0, 2, 0, 2}, Network: "6 layers, 41.5M MACs, 18.4K params", NetworkKey: "a1",
				Design: "fpga-model/1 mode=pipeline", Status: store.Trained,
				Metrics: engine.Metrics{metric.Accuracy: 0.9612, metric.TestAccuracy: 0.9587, metric.LatencyMs: 4.8, metric.ThroughputFPS: 208.3, metric.EnergyMJ: 11.2, metric.DSP: 178, metric.BRAM18: 90}},
			{ID: 1, Genome: []int{2, 2, 2, 2, 2, 2, 2, 2}, Network: "6 layers, 1.79G MACs, 763K params", NetworkKey: "b2",
				Design: "fpga-model/1 mode=shared", Status: store.Pruned, Error: "latency_ms = 75.26 breaks latency_ms <= 8",
				Metrics: engine.Metrics{metric.LatencyMs: 75.264, metric.ThroughputFPS: 13.3, metric.EnergyMJ: 170, metric.DSP: 216, metric.BRAM18: 162}},
			{ID: 2, Genome: []int{0, 0, 0, 0, 0, 0, 0, 0}, Network: "6 layers, 4.9M MACs, 6.1K params", NetworkKey: "c3",
				Design: "fpga-model/1 mode=pipeline", Status: store.Trained,
				Metrics: engine.Metrics{metric.Accuracy: 0.9123, metric.TestAccuracy: 0.9101, metric.LatencyMs: 0.8, metric.ThroughputFPS: 1250, metric.EnergyMJ: 1.6, metric.DSP: 90, metric.BRAM18: 49}},
			{ID: 3, Genome: []int{1, 0, 0, 0, 0, 0, 0, 0}, Network: "6 layers, 5.1M MACs, 6.3K params", NetworkKey: "d4",
				Status: store.Failed, Error: "train evaluator: training diverged", Metrics: engine.Metrics{metric.LatencyMs: 0.9}},
			{ID: 4, Genome: []int{0, 0, 0, 1, 0, 2, 0, 2}, Network: "6 layers, 41.5M MACs, 18.4K params", NetworkKey: "a1",
				Design: "fpga-model/1 mode=pipeline", Status: store.Cached,
				Metrics: engine.Metrics{metric.Accuracy: 0.9612, metric.TestAccuracy: 0.9587, metric.LatencyMs: 4.8, metric.ThroughputFPS: 208.3, metric.EnergyMJ: 11.2, metric.DSP: 178, metric.BRAM18: 90}},
			{ID: 5, Genome: []int{0, 1, 0, 0, 0, 0, 0, 0}, Network: "6 layers, 9.0M MACs, 8.0K params", NetworkKey: "e5",
				Design: "fpga-model/1 mode=pipeline", Status: store.Trained,
				Metrics: engine.Metrics{metric.Accuracy: 0.9005, metric.TestAccuracy: 0.8990, metric.LatencyMs: 1.2, metric.ThroughputFPS: 833, metric.EnergyMJ: 2.5, metric.DSP: 120, metric.BRAM18: 60}},
		},
	}
	for i := range out.Trials {
		t := &out.Trials[i]
		t.Feasible = t.Status != store.Pruned && t.Status != store.Failed // every constraint holds for the others
		out.Counts.Add(t)
	}
	out.Pareto = engine.ParetoFront(out.Trials, out.Objectives)
	return out
}

func TestParetoOfFixture(t *testing.T) {
	out := fixture()
	// 4 repeats 0's network (cached) and is left out; 2 is fastest; 5 is dominated by 2.
	if want := []int{0, 2}; !slices.Equal(out.Pareto, want) {
		t.Fatalf("front %v, want %v", out.Pareto, want)
	}
}

func TestRenderings(t *testing.T) {
	out := fixture()
	cases := []struct {
		file   string
		render func(*bytes.Buffer) error
	}{
		{"summary.golden", func(b *bytes.Buffer) error { return WriteSummary(b, out) }},
		{"table.golden", func(b *bytes.Buffer) error { return WriteTable(b, out, out.Trials) }},
		{"results.csv.golden", func(b *bytes.Buffer) error { return WriteCSV(b, out) }},
		{"results.json.golden", func(b *bytes.Buffer) error { return WriteJSON(b, out) }},
		{"table.html.golden", func(b *bytes.Buffer) error { return WriteHTML(b, out, out.Trials) }},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			var b bytes.Buffer
			if err := c.render(&b); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, c.file, b.String())
		})
	}
}

func TestPlot(t *testing.T) {
	out := fixture()
	if x, y := PlotAxes(out); x != metric.LatencyMs || y != metric.Accuracy {
		t.Fatalf("axes %s, %s", x, y)
	}
	var svg bytes.Buffer
	if err := WritePlot(&svg, out, "svg"); err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(bytes.NewReader(svg.Bytes()))
	for {
		if _, err := d.Token(); err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("SVG is not well-formed XML: %v", err)
			}
			break
		}
	}
	for _, want := range []string{"latency (ms)", "accuracy", ">pruned<", ">failed<", "Pareto front", "latency_ms &lt;= 8"} {
		if !strings.Contains(svg.String(), want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	var pngBuf bytes.Buffer
	if err := WritePlot(&pngBuf, out, "png"); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&pngBuf)
	if err != nil || img.Bounds().Dx() < 100 {
		t.Fatalf("PNG: %v", err)
	}
	empty := &engine.Outcome{Experiment: "e", Objectives: out.Objectives, Constraints: out.Constraints}
	if err := WritePlot(&svg, empty, "svg"); err != nil {
		t.Fatalf("plot of a run without trials: %v", err)
	}
	if err := WritePlot(&pngBuf, out, "gif"); err == nil || !strings.Contains(err.Error(), `"gif"`) {
		t.Fatalf("err = %v", err)
	}
}

// TestHTMLIsWellFormedAndEscaped: the HTML table parses as XML, has a row per
// trial, and escapes what it shows.
func TestHTMLIsWellFormedAndEscaped(t *testing.T) {
	out := fixture()
	out.Trials[2].Network = `<script>alert("x")</script> & co`
	var b bytes.Buffer
	if err := WriteHTML(&b, out, out.Trials); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Rows []struct {
			Class string   `xml:"class,attr"`
			Cells []string `xml:"td"`
		} `xml:"tbody>tr"`
	}
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, b.String())
	}
	if len(doc.Rows) != len(out.Trials) {
		t.Fatalf("%d rows, want %d", len(doc.Rows), len(out.Trials))
	}
	for i, r := range doc.Rows {
		tr := out.Trials[i]
		if onFront := slices.Contains(out.Pareto, tr.ID); onFront != (r.Class == "pareto") {
			t.Errorf("row %d: class %q, on the front %v", i, r.Class, onFront)
		}
		if got := r.Cells[len(r.Cells)-1]; got != tr.Network {
			t.Errorf("row %d: network cell %q, want %q", i, got, tr.Network)
		}
	}
	if strings.Contains(b.String(), "<script>") {
		t.Error("the network name was not escaped")
	}
	var empty bytes.Buffer
	if err := WriteHTML(&empty, out, nil); err != nil || !strings.Contains(empty.String(), "<tbody>\n</tbody>") {
		t.Errorf("no trials: %v\n%s", err, empty.String())
	}
}
