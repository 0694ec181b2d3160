package runtime

import "strings"

// Metrics are a trial's measured values by name.
type Metrics map[string]float64

// The metric names every front end knows. Accuracies are fractions in [0, 1].
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
)

// Units maps metric names to the unit their axis and column carry.
var Units = map[string]string{
	Accuracy: "", TestAccuracy: "", LatencyMs: "ms", ThroughputFPS: "fps", EnergyMJ: "mJ", PowerW: "W",
	DSP: "", BRAM18: "", LUT: "", Params: "", MACs: "",
}

// Label is a metric's name with its unit, for axes and column headers.
func Label(metric string) string {
	if u := Units[metric]; u != "" {
		return strings.TrimSuffix(metric, "_"+strings.ToLower(u)) + " (" + u + ")"
	}
	return metric
}

func (m Metrics) clone() Metrics {
	out := make(Metrics, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (m Metrics) merge(o Metrics) {
	for k, v := range o {
		m[k] = v
	}
}
