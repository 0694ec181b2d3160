// Package metric is the one table of the metrics hwnas knows: the name a
// spec writes (latency), the key stored results and JSON carry (latency_ms),
// the physical dimension and canonical unit, whether the FPGA model computes
// it, and the label axes and column headers show.
//
// The language checks objectives and constraints against this table, the
// engine stores trial values under its keys, and the renderers label columns
// and axes from it, so a metric is added in one place.
package metric

import (
	"strconv"
	"strings"
)

// Dimension is the physical kind of a quantity.
type Dimension string

// The dimensions of the language. Count is a plain number (DSPs, trials).
const (
	Count     Dimension = "count"
	Time      Dimension = "time"      // canonical unit ms
	Frequency Dimension = "frequency" // canonical unit MHz
	Bandwidth Dimension = "bandwidth" // canonical unit GB/s
	Power     Dimension = "power"     // canonical unit W
	Energy    Dimension = "energy"    // canonical unit mJ
	Rate      Dimension = "rate"      // canonical unit fps
	Fraction  Dimension = "fraction"  // canonical: a fraction in [0, 1]
)

// The keys trial values are stored under. Accuracies are fractions in [0, 1].
const (
	Accuracy      = "accuracy"       // validation accuracy: the value searched on
	TestAccuracy  = "test_accuracy"  // test accuracy: the value to report
	LatencyMs     = "latency_ms"     // inference latency per image
	ThroughputFPS = "throughput_fps" // images per second
	EnergyMJ      = "energy_mj"      // energy per image
	PowerW        = "power_w"
	DSP           = "dsp"
	BRAM18        = "bram18"
	LUT           = "lut"
	Params        = "params"
	MACs          = "macs"

	// HW-NAS-Bench's measurements of the NAS-Bench-201 cells (Li et al.,
	// ICLR 2021), read from the table arch/nb201 embeds.
	BenchFPGALatencyMs    = "bench_fpga_latency_ms"
	BenchFPGAEnergyMJ     = "bench_fpga_energy_mj"
	BenchEyerissLatencyMs = "bench_eyeriss_latency_ms"
	BenchRaspi4LatencyMs  = "bench_raspi4_latency_ms"
	BenchPixel3LatencyMs  = "bench_pixel3_latency_ms"

	// The float accuracies of a network whose accuracy and test_accuracy
	// were measured after post-training quantization (quantize = …).
	AccuracyFP32     = "accuracy_fp32"
	TestAccuracyFP32 = "test_accuracy_fp32"
)

// Metric describes one metric.
type Metric struct {
	Name string    // the spec's name ("" when a spec cannot name it)
	Key  string    // the stored key
	Dim  Dimension // physical kind
	Unit string    // canonical unit, "" for counts and fractions
	Doc  string
	HW   bool // computed by the FPGA model (needs hardware)
	// Bench: measured by HW-NAS-Bench on a real device and read from the
	// NAS-Bench-201 table (needs the table evaluator or a command that
	// reports it, no platform).
	Bench bool
}

// All lists every metric, in the order tables show them.
var All = []Metric{
	{"accuracy", Accuracy, Fraction, "", "top-1 accuracy, a fraction in [0, 1] (write 0.92 or 92 %)", false, false},
	{"", TestAccuracy, Fraction, "", "top-1 accuracy on the test split, reported beside the searched accuracy", false, false},
	{"accuracy_fp32", AccuracyFP32, Fraction, "", "accuracy before post-training quantization (with quantize = …; accuracy is then the quantized one)", false, false},
	{"", TestAccuracyFP32, Fraction, "", "test accuracy before post-training quantization", false, false},
	{"latency", LatencyMs, Time, "ms", "inference latency of one image", true, false},
	{"throughput", ThroughputFPS, Rate, "fps", "images per second", true, false},
	{"energy", EnergyMJ, Energy, "mJ", "energy of one inference", true, false},
	{"power", PowerW, Power, "W", "average power while inferring", true, false},
	{"dsp", DSP, Count, "", "DSP blocks used", true, false},
	{"bram", BRAM18, Count, "", "18 Kb block RAMs used", true, false},
	{"lut", LUT, Count, "", "LUTs used", true, false},
	{"params", Params, Count, "", "network parameters", false, false},
	{"macs", MACs, Count, "", "multiply-accumulates of one inference", false, false},
	{"bench_fpga_latency", BenchFPGALatencyMs, Time, "ms", "HW-NAS-Bench's measured FPGA latency of one image (NAS-Bench-201 table)", false, true},
	{"bench_fpga_energy", BenchFPGAEnergyMJ, Energy, "mJ", "HW-NAS-Bench's FPGA energy of one image (NAS-Bench-201 table)", false, true},
	{"bench_eyeriss_latency", BenchEyerissLatencyMs, Time, "ms", "HW-NAS-Bench's Eyeriss ASIC latency of one image (NAS-Bench-201 table)", false, true},
	{"bench_raspi4_latency", BenchRaspi4LatencyMs, Time, "ms", "HW-NAS-Bench's measured Raspberry Pi 4 latency (NAS-Bench-201 table)", false, true},
	{"bench_pixel3_latency", BenchPixel3LatencyMs, Time, "ms", "HW-NAS-Bench's measured Pixel 3 latency (NAS-Bench-201 table)", false, true},
}

// ByName returns the metric a spec calls name.
func ByName(name string) (Metric, bool) {
	for _, m := range All {
		if m.Name != "" && m.Name == name {
			return m, true
		}
	}
	return Metric{}, false
}

// ByKey returns the metric stored under key.
func ByKey(key string) (Metric, bool) {
	for _, m := range All {
		if m.Key == key {
			return m, true
		}
	}
	return Metric{}, false
}

// Names lists the names a spec can use, in table order.
func Names() []string {
	var out []string
	for _, m := range All {
		if m.Name != "" {
			out = append(out, m.Name)
		}
	}
	return out
}

// Key maps a spec's metric name to its stored key; a name the table does
// not know is its own key (a command evaluator's extra metric).
func Key(name string) string {
	if m, ok := ByName(name); ok {
		return m.Key
	}
	return name
}

// Label is a stored key with its unit, for axes and column headers:
// "latency (ms)" for latency_ms.
func Label(key string) string {
	m, ok := ByKey(key)
	if !ok || m.Unit == "" {
		return key
	}
	return strings.TrimSuffix(key, "_"+strings.ToLower(m.Unit)) + " (" + m.Unit + ")"
}

// Format renders a value stored under key the way every table shows it.
func Format(key string, v float64) string {
	switch key {
	case Accuracy, TestAccuracy, AccuracyFP32, TestAccuracyFP32:
		return strconv.FormatFloat(v, 'f', 4, 64)
	case DSP, BRAM18, LUT, Params, MACs:
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}
