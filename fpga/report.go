package fpga

import "fmt"

// Bound names what limits a layer, a stage or a design.
type Bound string

// The bounds a report names (HotNAS labels plus the roofline and links).
const (
	BoundCompute   Bound = "compute"     // the MAC array (t_comp)
	BoundIFM       Bound = "ifm-load"    // the input port (t_I)
	BoundWeight    Bound = "weight-load" // the weight port (t_W)
	BoundOFM       Bound = "ofm-store"   // the output port (t_O)
	BoundBandwidth Bound = "bandwidth"   // the off-chip bandwidth roofline
	BoundLink      Bound = "link"        // an inter-FPGA link (Multi)
	BoundNone      Bound = "none"        // not costed (concat; non-conv layers under the FNAS template)
)

// MarshalText writes the mode name.
func (m Mode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// MarshalText writes the precision name.
func (p Precision) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// MarshalText writes the combination name.
func (c Combine) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// MarshalText writes the template name.
func (t Template) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText reads a mode name.
func (m *Mode) UnmarshalText(b []byte) error {
	v, err := ParseMode(string(b))
	*m = v
	return err
}

// UnmarshalText reads a precision name.
func (p *Precision) UnmarshalText(b []byte) error {
	v, err := ParsePrecision(string(b))
	*p = v
	return err
}

// UnmarshalText reads sum or slowest.
func (c *Combine) UnmarshalText(b []byte) error {
	switch string(b) {
	case "sum":
		*c = Sum
	case "slowest":
		*c = Slowest
	default:
		return fmt.Errorf("unknown latency combination %q: want sum or slowest", b)
	}
	return nil
}

// UnmarshalText reads hwnas or fnas.
func (t *Template) UnmarshalText(b []byte) error {
	switch string(b) {
	case "hwnas":
		*t = HWNAS
	case "fnas":
		*t = FNAS
	default:
		return fmt.Errorf("unknown template %q: want hwnas or fnas", b)
	}
	return nil
}

// LayerReport is the model's answer for one layer. Cycles are at the clock
// of the device that runs the layer.
type LayerReport struct {
	Index     int     `json:"index"`
	Name      string  `json:"name,omitempty"`
	Op        string  `json:"op"`
	Stage     int     `json:"stage"` // engine (Pipeline) or stage (Multi); 0 in Shared mode
	Tiling    Tiling  `json:"tiling"`
	MACs      int64   `json:"macs"`
	Cycles    int64   `json:"cycles"`
	LatencyMs float64 `json:"latency_ms"`
	GOPS      float64 `json:"gops"`
	Bound     Bound   `json:"bound"`
	TComp     int64   `json:"t_comp"` // per-tile cycles of compute and of each port
	TIn       int64   `json:"t_in"`
	TWeight   int64   `json:"t_weight"`
	TOut      int64   `json:"t_out"`
	Bytes     int64   `json:"bytes"`  // off-chip traffic
	DSP       int     `json:"dsp"`    // DSPs of the engine the layer runs on
	BRAM18    int     `json:"bram18"` // BRAM18 its buffers need
}

// StageReport is one pipeline stage of a Multi design.
type StageReport struct {
	Device    string  `json:"device"`
	First     int     `json:"first"`
	Last      int     `json:"last"`
	Cycles    int64   `json:"cycles"`
	LatencyMs float64 `json:"latency_ms"`
	LinkMs    float64 `json:"link_ms"` // moving activations to the next stage
	LinkBytes int64   `json:"link_bytes"`
	DSP       int     `json:"dsp"`
	BRAM18    int     `json:"bram18"`
	LUT       int     `json:"lut"`
	PowerW    float64 `json:"power_w"`
}

// Report is the model's answer for a network, a platform (or pool) and a
// design. LatencyMs follows Combine; IntervalMs is the time between two
// images in steady state (1/throughput).
type Report struct {
	ModelVersion  string        `json:"model_version"`
	Platform      string        `json:"platform"`
	Mode          Mode          `json:"mode"`
	Template      Template      `json:"template"`
	Combine       Combine       `json:"combine"`
	Precision     Precision     `json:"precision"`
	ClockMHz      float64       `json:"clock_mhz"`
	Cycles        int64         `json:"cycles"` // cycles of LatencyMs (Shared, Pipeline)
	LatencyMs     float64       `json:"latency_ms"`
	IntervalMs    float64       `json:"interval_ms"`
	ThroughputFPS float64       `json:"throughput_fps"`
	GOPS          float64       `json:"gops"` // 2·MACs·throughput
	PowerW        float64       `json:"power_w"`
	EnergyMJ      float64       `json:"energy_mj"` // per image
	DSP           int           `json:"dsp"`
	BRAM18        int           `json:"bram18"`
	LUT           int           `json:"lut"`
	DSPPct        float64       `json:"dsp_pct"`
	BRAMPct       float64       `json:"bram18_pct"`
	LUTPct        float64       `json:"lut_pct"`
	Bound         Bound         `json:"bound"` // of the slowest layer or stage
	Layers        []LayerReport `json:"layers"`
	Stages        []StageReport `json:"stages,omitempty"`
}

// FitError reports a design that needs more of a resource than the platform
// allows.
type FitError struct {
	Platform string
	Resource string // "DSP", "BRAM18", "LUT", "port bits"; empty when several together
	Need     int
	Have     int
	Detail   string // which engine or tiling
}

func (e *FitError) Error() string {
	if e.Resource == "" {
		return fmt.Sprintf("design does not fit %s%s", e.Platform, e.Detail)
	}
	return fmt.Sprintf("design does not fit %s: needs %d %s, %d available%s", e.Platform, e.Need, e.Resource, e.Have, e.Detail)
}
