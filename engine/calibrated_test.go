package engine

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/arch/nb201"
	"github.com/hwnas/hwnas/fpga"
	"github.com/hwnas/hwnas/internal/hwnastest"
	"github.com/hwnas/hwnas/metric"
)

// A platform with calibration = "file.json" scores latency through the
// calibration, every design names it, and another calibration re-scores
// the stored trials.
func TestCalibratedPlatform(t *testing.T) {
	dir := t.TempDir()
	st := hwnastest.OpenStore(t, dir)
	write := func(c fpga.Calibration) {
		b, _ := json.Marshal(c)
		if err := os.WriteFile(filepath.Join(dir, "cal.json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src := `
platform z from "ZC706" { calibration = "cal.json" }
space nb = benchmark("nasbench201")
experiment e { space = nb  evaluator = table  platform = z  maximize accuracy  minimize latency  budget 5 trials  seed 3 }
`
	slow := fpga.Identity()
	slow.Compute, slow.Weight, slow.IFM, slow.OFM, slow.Bandwidth, slow.Pool, slow.Eltwise, slow.FixedMs = 2, 2, 2, 2, 2, 2, 2, 1
	before := map[string]float64{} // network key → latency under the identity
	for pass, c := range []fpga.Calibration{fpga.Identity(), slow} {
		write(c)
		out, spec := runSpec(t, st, filepath.Join(dir, "c.hwnas"), src, "e")
		for _, tr := range out.Trials {
			if !strings.HasSuffix(tr.Design, " cal="+c.ID()) {
				t.Errorf("trial %d design %q does not name calibration %s", tr.ID, tr.Design, c.ID())
			}
			net, _ := nb201.NetworkOf(tr.Genome)
			_, rep, err := fpga.Optimize(net, spec.Platforms["z"].Device, fpga.Options{Precision: fpga.Int16})
			if err != nil {
				t.Fatal(err)
			}
			if want := c.Apply(rep).LatencyMs; math.Abs(tr.Metrics[metric.LatencyMs]-want) > 1e-9*want {
				t.Errorf("trial %d latency %g, calibrated model %g", tr.ID, tr.Metrics[metric.LatencyMs], want)
			}
			if pass == 0 {
				before[tr.NetworkKey] = tr.Metrics[metric.LatencyMs]
			} else if prev := before[tr.NetworkKey]; !(tr.Metrics[metric.LatencyMs] > prev) {
				t.Errorf("trial %d: latency %g under the slower calibration, %g before: not re-scored", tr.ID, tr.Metrics[metric.LatencyMs], prev)
			}
		}
	}
}
