package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hwnas/hwnas/metric"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/fpga"
)

// ErrNoDesign marks a hardware error that means the network cannot be built
// on the hardware at all (it needs more DSP, BRAM, LUT or ports than there
// are): such a candidate is pruned like one that misses a hard constraint.
var ErrNoDesign = errors.New("no design fits the hardware")

// PlatformHardware scores networks on one FPGA platform with the design
// fpga.Optimize finds under o. The cache key covers every field of the
// platform and the options, so an edited platform re-scores.
func PlatformHardware(p fpga.Platform, o fpga.Options) Hardware {
	report := func(n *arch.Network, _ []int) (fpga.Design, fpga.Report, error) { return fpga.Optimize(n, p, o) }
	return Hardware{Key: p.Name + " " + digest(p, o), Model: fpga.ModelVersion, Report: report, Score: scoreBy(report),
		Pool: fpga.Pool{Devices: []fpga.Platform{p}}}
}

// scoreBy is the Score of a hardware whose full report is report: the
// design's canonical string and the report's metrics.
func scoreBy(report func(*arch.Network, []int) (fpga.Design, fpga.Report, error)) func(*arch.Network, []int) (string, Metrics, error) {
	return func(n *arch.Network, genes []int) (string, Metrics, error) {
		d, rep, err := report(n, genes)
		if err != nil {
			return "", nil, hardwareError(err)
		}
		return d.String(), ReportMetrics(rep), nil
	}
}

// CalibratedHardware is PlatformHardware with the model's latency mapped to
// the board's by c (fpga.Calibration.Apply): its version is the model's, so
// another calibration re-scores, and every design it returns names it.
func CalibratedHardware(p fpga.Platform, o fpga.Options, c fpga.Calibration) Hardware {
	report := func(n *arch.Network, _ []int) (fpga.Design, fpga.Report, error) {
		d, rep, err := fpga.Optimize(n, p, o)
		return d, c.Apply(rep), err
	}
	score := scoreBy(report)
	return Hardware{Key: p.Name + " " + digest(p, o), Model: c.Version(), Report: report,
		Pool: fpga.Pool{Devices: []fpga.Platform{p}},
		Score: func(n *arch.Network, genes []int) (string, Metrics, error) {
			design, m, err := score(n, genes)
			if err != nil {
				return "", nil, err
			}
			return design + " cal=" + c.ID(), m, nil
		}}
}

func hardwareError(err error) error {
	var fe *fpga.FitError
	if errors.As(err, &fe) {
		return fmt.Errorf("%w: %v", ErrNoDesign, err)
	}
	return err
}

// ReportMetrics are the metrics of an FPGA model report.
func ReportMetrics(r fpga.Report) Metrics {
	return Metrics{
		metric.LatencyMs: r.LatencyMs, metric.ThroughputFPS: r.ThroughputFPS, metric.EnergyMJ: r.EnergyMJ, metric.PowerW: r.PowerW,
		metric.DSP: float64(r.DSP), metric.BRAM18: float64(r.BRAM18), metric.LUT: float64(r.LUT),
	}
}

// digest is a short canonical hash of values' JSON.
func digest(vs ...any) string {
	h := sha256.New()
	for _, v := range vs {
		b, _ := json.Marshal(v)
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// PoolHardware scores networks on a pool of FPGAs with fpga.OptimizePool
// (Mode Multi partitions the network into pipeline stages over the pool).
func PoolHardware(pool fpga.Pool, o fpga.Options) Hardware {
	report := func(n *arch.Network, _ []int) (fpga.Design, fpga.Report, error) { return fpga.OptimizePool(n, pool, o) }
	return Hardware{Key: pool.String() + " " + digest(pool, o), Model: fpga.ModelVersion, Report: report, Score: scoreBy(report),
		Pool: pool}
}

// SpaceHardware searches the hardware with the network (co-exploration):
// the space's decisions become genes after the architecture's, and each
// candidate's design is decoded from them and estimated on the pool.
func SpaceHardware(s fpga.HWSpace) Hardware {
	report := func(n *arch.Network, genes []int) (fpga.Design, fpga.Report, error) {
		d, err := s.Decode(genes, n)
		if err != nil {
			return d, fpga.Report{}, err
		}
		rep, err := fpga.EstimatePool(n, s.Pool, d)
		return d, rep, err
	}
	return Hardware{Key: s.Pool.String() + " hwspace " + digest(s), Model: fpga.ModelVersion, Genes: s.Decisions(),
		Report: report, Score: scoreBy(report), Pool: s.Pool}
}
