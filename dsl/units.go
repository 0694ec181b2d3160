package dsl

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

// unit is a unit's dimension and its factor to the canonical unit.
type unit struct {
	dim    Dimension
	factor float64
}

// units maps every unit the lexer knows to its dimension and scale.
var units = map[string]unit{
	"ns": {Time, 1e-6}, "us": {Time, 1e-3}, "ms": {Time, 1}, "s": {Time, 1e3}, "min": {Time, 60e3}, "h": {Time, 3600e3},
	"kHz": {Frequency, 1e-3}, "MHz": {Frequency, 1}, "GHz": {Frequency, 1e3},
	"GB/s": {Bandwidth, 1}, "Gb/s": {Bandwidth, 1.0 / 8}, "MB/s": {Bandwidth, 1e-3}, "Mb/s": {Bandwidth, 1.0 / 8000},
	"W": {Power, 1}, "mW": {Power, 1e-3},
	"J": {Energy, 1e3}, "mJ": {Energy, 1}, "uJ": {Energy, 1e-3},
	"fps": {Rate, 1},
	"%":   {Fraction, 0.01},
}

// canonicalUnit names the unit a dimension is stored in.
var canonicalUnit = map[Dimension]string{
	Time: "ms", Frequency: "MHz", Bandwidth: "GB/s", Power: "W", Energy: "mJ", Rate: "fps", Fraction: "%",
}

// unitsOf lists the units of a dimension, for error messages.
var unitsOf = map[Dimension]string{
	Time: "ns, us, ms, s, min, h", Frequency: "kHz, MHz, GHz", Bandwidth: "GB/s, Gb/s, MB/s, Mb/s",
	Power: "W, mW", Energy: "J, mJ, uJ", Rate: "fps", Fraction: "%",
}

// Metric describes one metric an experiment can optimise or constrain.
type Metric struct {
	Name string
	Dim  Dimension
	Unit string // canonical unit, "" for counts and fractions
	Doc  string
	HW   bool   // computed by the FPGA model (needs hardware)
	Key  string // the engine's name of the metric (runtime's metric keys)
}

// Metrics are the metric names shared with the engine and its JSON.
var Metrics = []Metric{
	{"accuracy", Fraction, "", "top-1 accuracy, a fraction in [0, 1] (write 0.92 or 92 %)", false, "accuracy"},
	{"latency", Time, "ms", "inference latency of one image", true, "latency_ms"},
	{"throughput", Rate, "fps", "images per second", true, "throughput_fps"},
	{"energy", Energy, "mJ", "energy of one inference", true, "energy_mj"},
	{"power", Power, "W", "average power while inferring", true, "power_w"},
	{"dsp", Count, "", "DSP blocks used", true, "dsp"},
	{"bram", Count, "", "18 Kb block RAMs used", true, "bram18"},
	{"lut", Count, "", "LUTs used", true, "lut"},
	{"params", Count, "", "network parameters", false, "params"},
	{"macs", Count, "", "multiply-accumulates of one inference", false, "macs"},
}

func metricByName(name string) (Metric, bool) {
	for _, m := range Metrics {
		if m.Name == name {
			return m, true
		}
	}
	return Metric{}, false
}

func metricNames() []string {
	out := make([]string, len(Metrics))
	for i, m := range Metrics {
		out[i] = m.Name
	}
	return out
}
