package fpga

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/arch"
)

// zooReports are the model's reports of the zoo networks on a ZCU102.
func zooReports(t *testing.T) []Report {
	t.Helper()
	p, err := Lookup("ZCU102")
	if err != nil {
		t.Fatal(err)
	}
	var out []Report
	for _, name := range arch.ZooNames() {
		n, err := arch.Zoo(name)
		if err != nil {
			t.Fatal(err)
		}
		_, r, err := Optimize(n, p, Options{Mode: Shared})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// A board that runs every bound at a known efficiency and adds a known
// overhead is recovered exactly from its measurements.
func TestFitRecoversACalibration(t *testing.T) {
	reps := zooReports(t)
	want := Identity()
	want.Compute, want.Weight, want.IFM, want.OFM, want.Bandwidth = 1.3, 1.1, 1.6, 1.2, 1.05
	want.LayerMs, want.FixedMs = 0.02, 0.5
	var y []float64
	for _, r := range reps {
		y = append(y, want.Apply(r).LatencyMs)
	}
	got, err := Fit(reps, y, 3)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range reps {
		if p := got.Apply(r).LatencyMs; math.Abs(p-y[i]) > 1e-3*y[i] {
			t.Errorf("%s: calibrated %.4f ms, the board %.4f ms", r.Platform, p, y[i])
		}
	}
	if got.Fit == nil || got.Fit.Networks != len(reps) || got.Fit.Before.MAPE < 10 {
		t.Errorf("fit record %+v", got.Fit)
	}
	if got.Platform != "ZCU102" || !strings.HasPrefix(got.Version(), ModelVersion+"+cal-") {
		t.Errorf("platform %q, version %q", got.Platform, got.Version())
	}
}

func TestApplyIdentityAndScaling(t *testing.T) {
	for _, r := range zooReports(t) {
		id := Identity()
		got := id.Apply(r)
		if math.Abs(got.LatencyMs-r.LatencyMs) > 1e-9*r.LatencyMs+1e-12 {
			t.Errorf("identity changes %.6f ms to %.6f", r.LatencyMs, got.LatencyMs)
		}
		twice := Calibration{Compute: 2, Weight: 2, IFM: 2, OFM: 2, Bandwidth: 2, Pool: 2, Eltwise: 2}
		got = twice.Apply(r)
		if math.Abs(got.LatencyMs-2*r.LatencyMs) > 1e-6*r.LatencyMs || math.Abs(got.ThroughputFPS-r.ThroughputFPS/2) > 1e-6*r.ThroughputFPS ||
			math.Abs(got.EnergyMJ-2*r.EnergyMJ) > 1e-6*r.EnergyMJ || got.ModelVersion != twice.Version() {
			t.Errorf("twice as slow: %.4f ms %.2f fps %.4f mJ (%s), model %.4f ms %.2f fps %.4f mJ",
				got.LatencyMs, got.ThroughputFPS, got.EnergyMJ, got.ModelVersion, r.LatencyMs, r.ThroughputFPS, r.EnergyMJ)
		}
	}
}

func TestCalibrationErrors(t *testing.T) {
	reps := zooReports(t)
	for _, c := range []struct {
		y    []float64
		want string
	}{
		{[]float64{1, 2}, "reports, 2 measurements"},
		{slices.Repeat([]float64{0}, len(reps)), "want a positive latency"},
	} {
		if _, err := Fit(reps, c.y, 3); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Fit: err %v, want %q", err, c.want)
		}
	}
	if _, err := Fit(reps[:2], []float64{1, 2}, 2); err == nil {
		t.Error("a fit on 2 networks succeeded")
	}
	for _, c := range []Calibration{{}, {Compute: -1}, {Compute: math.NaN()}} {
		if c.Validate() == nil {
			t.Errorf("%+v is valid", c)
		}
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"compute": -2}`), 0o644)
	if _, err := ReadCalibration(bad); err == nil || !strings.Contains(err.Error(), "compute = -2") {
		t.Errorf("ReadCalibration: %v", err)
	}
	if _, err := ReadCalibration(filepath.Join(dir, "none.json")); err == nil {
		t.Error("a missing file reads")
	}
}

func TestRankCorrelations(t *testing.T) {
	if r := ranks([]float64{3, 1, 3, 2}); !slices.Equal(r, []float64{3.5, 1, 3.5, 2}) {
		t.Errorf("ranks %v", r)
	}
	e := Compare([]float64{1, 2, 3, 4}, []float64{10, 20, 30, 40})
	if e.Spearman != 1 || e.Kendall != 1 || math.Abs(e.MAPE-90) > 1e-9 {
		t.Errorf("monotone: %+v", e)
	}
	// Kendall: pairs (1,2)+ (1,3)+ (2,3)− of x = 1, 2, 3 and y = 1, 3, 2.
	if k := kendall([]float64{1, 2, 3}, []float64{1, 3, 2}); math.Abs(k-1.0/3) > 1e-12 {
		t.Errorf("kendall %g, want 1/3", k)
	}
}
