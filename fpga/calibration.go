package fpga

// Calibration of the analytical model to a board's measured latencies
// (docs/fpga-model.md §12): one efficiency factor per bound of the MAC-array
// layers (conv, dense), one for pools and one for the other vector layers
// (adds, global pools), a time per multiply-accumulate, a per-layer overhead
// for each of the three kinds, and a fixed per-image overhead, fitted by non-negative weighted least
// squares on the relative error.

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
)

// The terms of a calibration, in the order of Calibration.Terms.
var calibrationTerms = []string{"compute", "weight_load", "ifm_load", "ofm_store", "bandwidth",
	"pool", "eltwise", "gmac_ms", "layer_ms", "pool_layer_ms", "eltwise_layer_ms", "fixed_ms"}

const nTerms = 12

// Calibration maps the model's latency to a board's: the time of every
// conv or dense layer the model says is bound by compute, weight load, input
// load, output store or the bandwidth roofline is multiplied by that bound's
// factor, the time of every pool by Pool and of every other vector layer
// (add, global pool) by Eltwise; every billion MACs add GMACMs (a board's
// achieved MAC rate, whatever the tiling); each conv or dense layer adds LayerMs, each
// pool PoolLayerMs, each other vector layer EltwiseLayerMs, and each image
// FixedMs. The zero value is not a calibration; Identity changes nothing.
type Calibration struct {
	Platform       string  `json:"platform"`
	Compute        float64 `json:"compute"`
	Weight         float64 `json:"weight_load"`
	IFM            float64 `json:"ifm_load"`
	OFM            float64 `json:"ofm_store"`
	Bandwidth      float64 `json:"bandwidth"`
	Pool           float64 `json:"pool"`
	Eltwise        float64 `json:"eltwise"`
	GMACMs         float64 `json:"gmac_ms"`
	LayerMs        float64 `json:"layer_ms"`
	PoolLayerMs    float64 `json:"pool_layer_ms"`
	EltwiseLayerMs float64 `json:"eltwise_layer_ms"`
	FixedMs        float64 `json:"fixed_ms"`
	// Fit records how the calibration was made and how well it does.
	Fit *CalibrationFit `json:"fit,omitempty"`
}

// CalibrationFit is the record of a fit: the measurements, and the errors
// before and after on held-out networks (k-fold).
type CalibrationFit struct {
	Networks int       `json:"networks"`
	Folds    int       `json:"folds"`
	Before   FitErrors `json:"before"`
	After    FitErrors `json:"after"` // each network predicted by the fit without its fold
}

// FitErrors compare predicted and measured latencies.
type FitErrors struct {
	MAPE     float64 `json:"mape"` // mean absolute percentage error, %
	Spearman float64 `json:"spearman"`
	Kendall  float64 `json:"kendall"` // tau-b
}

func (e FitErrors) String() string {
	return fmt.Sprintf("MAPE %.1f %%, Spearman %.3f, Kendall %.3f", e.MAPE, e.Spearman, e.Kendall)
}

// Identity is the calibration that changes nothing.
func Identity() Calibration {
	return Calibration{Compute: 1, Weight: 1, IFM: 1, OFM: 1, Bandwidth: 1, Pool: 1, Eltwise: 1}
}

func (c *Calibration) terms() [nTerms]float64 {
	return [nTerms]float64{c.Compute, c.Weight, c.IFM, c.OFM, c.Bandwidth, c.Pool, c.Eltwise, c.GMACMs, c.LayerMs, c.PoolLayerMs, c.EltwiseLayerMs, c.FixedMs}
}

func (c *Calibration) setTerms(t []float64) {
	c.Compute, c.Weight, c.IFM, c.OFM, c.Bandwidth = t[0], t[1], t[2], t[3], t[4]
	c.Pool, c.Eltwise, c.GMACMs, c.LayerMs, c.PoolLayerMs, c.EltwiseLayerMs, c.FixedMs = t[5], t[6], t[7], t[8], t[9], t[10], t[11]
}

// Validate reports a calibration with a negative or non-finite term, or
// one that predicts no time at all.
func (c *Calibration) Validate() error {
	t := c.terms()
	for i, v := range t {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return fmt.Errorf("calibration: %s = %g, want a finite number ≥ 0", calibrationTerms[i], v)
		}
	}
	if t == [nTerms]float64{} {
		return errors.New("calibration: every term is 0")
	}
	return nil
}

// ID names the calibration in model versions and cache keys: the hash of
// its terms.
func (c *Calibration) ID() string {
	b, _ := json.Marshal(c.terms())
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:10]
}

// Version is ModelVersion with the calibration: what a report calibrated by
// c records, and what caches of its results key on.
func (c *Calibration) Version() string { return ModelVersion + "+cal-" + c.ID() }

// ReadCalibration reads a calibration file written by `hwnas calibrate`.
func ReadCalibration(path string) (Calibration, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Calibration{}, fmt.Errorf("calibration: %w", err)
	}
	var c Calibration
	if err := json.Unmarshal(b, &c); err != nil {
		return Calibration{}, fmt.Errorf("calibration %s: %w", path, err)
	}
	if err := c.Validate(); err != nil {
		return Calibration{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// features are the model's sums per term for a report: the time of the
// conv and dense layers under each bound, of the pools and of the other
// vector layers, the MACs in billions, the counts of each kind of costed
// layer, and 1.
func features(r *Report) [nTerms]float64 {
	var f [nTerms]float64
	for i := range r.Layers {
		l := &r.Layers[i]
		if l.Bound == BoundNone || l.Bound == "" {
			continue
		}
		f[7] += float64(l.MACs) / 1e9
		switch l.Op {
		case "conv", "dense":
		case "maxpool", "avgpool":
			f[5] += l.LatencyMs
			f[9]++
			continue
		default:
			f[6] += l.LatencyMs
			f[10]++
			continue
		}
		switch l.Bound {
		case BoundCompute:
			f[0] += l.LatencyMs
		case BoundWeight:
			f[1] += l.LatencyMs
		case BoundIFM:
			f[2] += l.LatencyMs
		case BoundOFM:
			f[3] += l.LatencyMs
		default: // the bandwidth roofline, a link
			f[4] += l.LatencyMs
		}
		f[8]++
	}
	f[11] = 1
	return f
}

func (c *Calibration) predict(f [nTerms]float64) float64 {
	t := c.terms()
	s := 0.0
	for i := range t {
		s += t[i] * f[i]
	}
	return s
}

// Apply returns r with its latency calibrated by c. A Shared design's
// latency is the calibrated sum of its layers; other designs' latency,
// interval and throughput scale by the ratio of the calibrated to the
// model's sum of layer times. Energy follows the time at the model's power.
func (c *Calibration) Apply(r Report) Report {
	f := features(&r)
	raw := f[0] + f[1] + f[2] + f[3] + f[4] + f[5] + f[6]
	cal := c.predict(f)
	if raw <= 0 || cal <= 0 {
		return r
	}
	k := cal / raw
	r.ModelVersion = c.Version()
	r.LatencyMs *= k
	r.IntervalMs *= k
	if r.Mode == Shared {
		r.LatencyMs, r.IntervalMs = cal, cal
	}
	if r.IntervalMs > 0 {
		r.ThroughputFPS = 1000 / r.IntervalMs
		r.GOPS *= raw / cal
	}
	r.EnergyMJ = r.PowerW * r.IntervalMs
	return r
}

// Fit fits a calibration of the reports to the measured latencies (ms),
// and measures it with folds-fold cross-validation (each network predicted
// by a fit without its fold; folds assigned in order, round robin).
func Fit(reports []Report, measuredMs []float64, folds int) (Calibration, error) {
	if len(reports) != len(measuredMs) {
		return Calibration{}, fmt.Errorf("calibration: %d reports, %d measurements", len(reports), len(measuredMs))
	}
	if len(reports) < 3 {
		return Calibration{}, fmt.Errorf("calibration: %d measurements, want at least 3", len(reports))
	}
	for i, y := range measuredMs {
		if !(y > 0) || math.IsInf(y, 0) {
			return Calibration{}, fmt.Errorf("calibration: measurement %d is %g ms, want a positive latency", i+1, y)
		}
	}
	X := make([][nTerms]float64, len(reports))
	before := make([]float64, len(reports))
	for i := range reports {
		X[i] = features(&reports[i])
		before[i] = reports[i].LatencyMs
	}
	folds = min(max(folds, 2), len(reports))
	held := make([]float64, len(reports))
	for k := range folds {
		var tx [][nTerms]float64
		var ty []float64
		for i := range X {
			if i%folds != k {
				tx, ty = append(tx, X[i]), append(ty, measuredMs[i])
			}
		}
		c := fitTerms(tx, ty)
		for i := k; i < len(X); i += folds {
			held[i] = c.predict(X[i])
		}
	}
	c := fitTerms(X, measuredMs)
	c.Platform = reports[0].Platform
	c.Fit = &CalibrationFit{Networks: len(reports), Folds: folds,
		Before: Compare(before, measuredMs), After: Compare(held, measuredMs)}
	return c, nil
}

// fitTerms minimises Σ ((prediction − y)/y)² over non-negative terms by
// cyclic coordinate descent on the normal equations (columns scaled to unit
// norm first).
func fitTerms(X [][nTerms]float64, y []float64) Calibration {
	var A [nTerms][nTerms]float64
	var b, scale [nTerms]float64
	for i, x := range X {
		w := 1 / (y[i] * y[i])
		for j := range nTerms {
			b[j] += w * x[j] * y[i]
			for k := range nTerms {
				A[j][k] += w * x[j] * x[k]
			}
		}
	}
	for j := range nTerms {
		scale[j] = math.Sqrt(A[j][j])
		if scale[j] == 0 {
			scale[j] = 1
		}
	}
	var t [nTerms]float64
	for range 20000 {
		for j := range nTerms {
			if A[j][j] == 0 {
				continue
			}
			g := -b[j] / scale[j]
			for k := range nTerms {
				g += A[j][k] / (scale[j] * scale[k]) * t[k]
			}
			t[j] = max(0, t[j]-g/(A[j][j]/(scale[j]*scale[j])))
		}
	}
	var c Calibration
	out := make([]float64, nTerms)
	for j := range nTerms {
		out[j] = t[j] / scale[j]
	}
	c.setTerms(out)
	return c
}

// Compare measures predictions against measurements: MAPE, Spearman's rank
// correlation and Kendall's tau-b.
func Compare(pred, meas []float64) FitErrors {
	var e FitErrors
	for i := range pred {
		e.MAPE += math.Abs(pred[i]-meas[i]) / meas[i]
	}
	e.MAPE *= 100 / float64(len(pred))
	e.Spearman = pearson(ranks(pred), ranks(meas))
	e.Kendall = kendall(pred, meas)
	return e
}

// ranks are the 1-based ranks of x, ties sharing their mean rank.
func ranks(x []float64) []float64 {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(x[a], x[b]) })
	r := make([]float64, len(x))
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && x[idx[j]] == x[idx[i]] {
			j++
		}
		for k := i; k < j; k++ {
			r[idx[k]] = float64(i+j+1) / 2
		}
		i = j
	}
	return r
}

func pearson(a, b []float64) float64 {
	n := float64(len(a))
	var ma, mb float64
	for i := range a {
		ma, mb = ma+a[i]/n, mb+b[i]/n
	}
	var sab, saa, sbb float64
	for i := range a {
		sab += (a[i] - ma) * (b[i] - mb)
		saa += (a[i] - ma) * (a[i] - ma)
		sbb += (b[i] - mb) * (b[i] - mb)
	}
	if saa == 0 || sbb == 0 {
		return 0
	}
	return sab / math.Sqrt(saa*sbb)
}

// kendall is Kendall's tau-b (ties in either variable accounted for).
func kendall(a, b []float64) float64 {
	var conc, disc, tieA, tieB float64
	for i := range a {
		for j := i + 1; j < len(a); j++ {
			da, db := cmp.Compare(a[i], a[j]), cmp.Compare(b[i], b[j])
			switch {
			case da == 0 && db == 0:
			case da == 0:
				tieA++
			case db == 0:
				tieB++
			case da == db:
				conc++
			default:
				disc++
			}
		}
	}
	d := math.Sqrt((conc + disc + tieA) * (conc + disc + tieB))
	if d == 0 {
		return 0
	}
	return (conc - disc) / d
}
