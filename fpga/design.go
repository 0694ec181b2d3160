package fpga

import (
	"fmt"
	"strconv"
	"strings"
)

// ModelVersion names the model's formulas and constants. It changes whenever
// the numbers the model produces for the same inputs change, so stores keyed
// by it never serve stale hardware metrics.
const ModelVersion = "fpga-model/1"

// Mode is how layers share hardware.
type Mode uint8

// The design modes (docs/fpga-model.md §5).
const (
	Shared   Mode = iota + 1 // one engine reused by every layer
	Pipeline                 // one engine per layer on one device
	Multi                    // contiguous stages on the devices of a Pool
)

var modeNames = [...]string{Shared: "shared", Pipeline: "pipeline", Multi: "multi"}

func (m Mode) String() string {
	if m >= Shared && m <= Multi {
		return modeNames[m]
	}
	return "mode(" + strconv.Itoa(int(m)) + ")"
}

// ParseMode reads shared, pipeline or multi.
func ParseMode(s string) (Mode, error) {
	for i, n := range modeNames {
		if n != "" && strings.EqualFold(n, strings.TrimSpace(s)) {
			return Mode(i), nil
		}
	}
	return 0, fmt.Errorf("unknown mode %q: want shared, pipeline or multi", s)
}

// Combine is how per-stage latencies make the network latency
// (docs/fpga-model.md §5): Sum (one image passes every stage, as with the one
// reused engine of HotNAS, Jiang et al. CODES+ISSS'20) or Slowest (the
// steady-state interval of a pipeline of per-layer engines, as FNAS's, Jiang
// et al. DAC'19). FNAS's released code leaves the choice open.
type Combine uint8

// The latency combinations.
const (
	Sum Combine = iota
	Slowest
)

func (c Combine) String() string {
	if c == Slowest {
		return "slowest"
	}
	return "sum"
}

// Template selects the cycle formulas.
type Template uint8

// The model templates.
const (
	// HWNAS is the default: Zhang FPGA'15 tiling with the HotNAS overlapped
	// cycle form, input halos, prologue/epilogue, the bandwidth roofline and
	// BRAM sized by RAMB18 aspect ratios.
	HWNAS Template = iota
	// FNAS reproduces FNAS PARA.py exactly: t_I = Tn·Tr·Tc/I_p, no halo, no
	// roofline, per-lane BRAM banks of 18,000 bits, only conv layers costed.
	FNAS
)

func (t Template) String() string {
	if t == FNAS {
		return "fnas"
	}
	return "hwnas"
}

// Tiling is a loop tiling <Tm,Tn,Tr,Tc>: output channels, input channels,
// output rows and output columns per tile (Zhang FPGA'15). Values larger than
// a layer's dimension are clamped to it. For pools and adds Tm is the number
// of channel lanes.
type Tiling struct {
	Tm int `json:"tm"`
	Tn int `json:"tn"`
	Tr int `json:"tr"`
	Tc int `json:"tc"`
}

func (t Tiling) String() string { return fmt.Sprintf("%d,%d,%d,%d", t.Tm, t.Tn, t.Tr, t.Tc) }

// ParseTiling reads "Tm,Tn,Tr,Tc" (four positive integers).
func ParseTiling(s string) (Tiling, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return Tiling{}, fmt.Errorf("tiling %q: want four comma-separated integers Tm,Tn,Tr,Tc", s)
	}
	var v [4]int
	for i, p := range parts {
		x, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || x < 1 {
			return Tiling{}, fmt.Errorf("tiling %q: %s = %q must be a positive integer", s, [4]string{"Tm", "Tn", "Tr", "Tc"}[i], p)
		}
		v[i] = x
	}
	return Tiling{v[0], v[1], v[2], v[3]}, nil
}

// Ports are the words per cycle of the weight, input and output memory
// ports (W_p, I_p, O_p in FNAS/HotNAS).
type Ports struct {
	W int `json:"w"`
	I int `json:"i"`
	O int `json:"o"`
}

// Stage is a contiguous range of layers [First, Last] placed on one device
// of a Pool (index Device).
type Stage struct {
	First  int `json:"first"`
	Last   int `json:"last"`
	Device int `json:"device"`
}

// Design is one hardware implementation of a network.
//
// Tilings holds either one tiling used by every layer or one per layer. In
// Shared mode all conv/dense layers must agree on Tm and Tn (one MAC array)
// and may differ in Tr and Tc (runtime loop bounds; buffers are sized for the
// largest). Multi mode runs a shared engine per stage.
type Design struct {
	Mode      Mode      `json:"mode"`
	Template  Template  `json:"template"`
	Combine   Combine   `json:"combine"`
	Precision Precision `json:"precision"`
	ClockMHz  float64   `json:"clock_mhz"`  // 0: the platform's default clock
	Ports     Ports     `json:"ports"`      // zero: each device's port width split by PortShare
	PortShare [3]int    `json:"port_share"` // weight:input:output shares of the port width; zero: even
	Tilings   []Tiling  `json:"tilings"`
	Stages    []Stage   `json:"stages,omitempty"` // Multi only
	Device    int       `json:"device"`           // single-device modes estimated over a Pool: which device
}

// String is the canonical form of the design, stable across runs; stores use
// it (with ModelVersion) as a cache key.
func (d Design) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s mode=%s tmpl=%s combine=%s prec=%s clk=%g ports=%d/%d/%d",
		ModelVersion, d.Mode, d.Template, d.Combine, d.Precision, d.ClockMHz, d.Ports.W, d.Ports.I, d.Ports.O)
	if d.PortShare != [3]int{} {
		fmt.Fprintf(&b, " share=%d:%d:%d", d.PortShare[0], d.PortShare[1], d.PortShare[2])
	}
	if d.Mode != Multi {
		fmt.Fprintf(&b, " dev=%d", d.Device)
	}
	b.WriteString(" tiles=")
	for i, t := range d.Tilings {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(t.String())
	}
	if len(d.Stages) > 0 {
		b.WriteString(" stages=")
		for i, s := range d.Stages {
			if i > 0 {
				b.WriteByte(';')
			}
			fmt.Fprintf(&b, "%d-%d@%d", s.First, s.Last, s.Device)
		}
	}
	return b.String()
}

// tiling returns the tiling of layer i.
func (d *Design) tiling(i int) Tiling {
	if len(d.Tilings) == 1 {
		return d.Tilings[0]
	}
	return d.Tilings[i]
}

// ports resolves the design's ports on platform p for word width bits: the
// platform's port width split by PortShare across weight, input and output.
func (d *Design) ports(p *Platform, bits int) Ports {
	if d.Ports.W > 0 && d.Ports.I > 0 && d.Ports.O > 0 {
		return d.Ports
	}
	s := d.PortShare
	if s[0] <= 0 || s[1] <= 0 || s[2] <= 0 {
		s = [3]int{1, 1, 1}
	}
	words, sum := p.PortBits/bits, s[0]+s[1]+s[2]
	return Ports{max(words*s[0]/sum, 1), max(words*s[1]/sum, 1), max(words*s[2]/sum, 1)}
}
