package fpga

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/hwnas/hwnas/internal/suggest"
)

// Family is a device family; it sets the DSP cost of a MAC per precision.
type Family string

// The device families of the catalog.
const (
	Series7    Family = "xilinx-7series"    // DSP48E1, BRAM18/36
	UltraScale Family = "xilinx-ultrascale" // DSP48E2, BRAM18/36, URAM on UltraScale+
	Intel      Family = "intel"             // Arria 10 / Stratix 10 variable-precision DSP, M20K
)

// Caps are the fractions of each resource a design may use (1 = the whole
// device). Datasheet counts include what shells, DMA and control logic need.
type Caps struct {
	DSP, BRAM, URAM, LUT float64
}

// Platform is one FPGA board or card: device resources, memory system, clock
// and power model. Counts are full-device datasheet figures; Caps limit what a
// design may use.
type Platform struct {
	Name    string   `json:"name"`
	Aliases []string `json:"aliases,omitempty"`
	Device  string   `json:"device"`
	Family  Family   `json:"family"`

	DSP    int `json:"dsp"`    // DSP blocks (DSP48E1/E2 slices, Intel DSP blocks)
	BRAM18 int `json:"bram18"` // 18 Kb block RAMs (2 per BRAM36); Intel: M20K blocks
	URAM   int `json:"uram"`   // 288 Kb UltraRAMs
	LUT    int `json:"lut"`    // 6-input LUTs (Intel: ALMs)
	FF     int `json:"ff"`     // flip-flops (registers)

	// BRAMBits is the capacity of one block used to size buffers: 18,432 for
	// a Xilinx RAMB18 (UG473/UG573), 20,480 for an Intel M20K.
	BRAMBits int `json:"bram_bits"`

	BandwidthGBs float64 `json:"bandwidth_gbs"` // off-chip memory, theoretical peak
	PortBits     int     `json:"port_bits"`     // total width of the accelerator's memory ports
	ClockMHz     float64 `json:"clock_mhz"`     // default accelerator clock

	// Power model: P = StaticW + f/100MHz·(DSPmW·DSP + BRAMmW·BRAM18 +
	// LUTmWk·LUT/1000)/1000 + DRAMpJB·bytes/s·1e-12 (see docs/fpga-model.md).
	StaticW float64 `json:"static_w"`
	DSPmW   float64 `json:"dsp_mw"`           // mW per active DSP at 100 MHz
	BRAMmW  float64 `json:"bram_mw"`          // mW per active BRAM18 at 100 MHz
	LUTmWk  float64 `json:"lut_mw_k"`         // mW per 1,000 active LUTs at 100 MHz
	DRAMpJB float64 `json:"dram_pj_per_byte"` // off-chip access energy per byte

	Caps Caps `json:"caps"`
}

// Budget returns the usable DSP, BRAM18 and LUT counts after the caps.
func (p Platform) Budget() (dsp, bram18, lut int) {
	return int(float64(p.DSP) * p.Caps.DSP), int(float64(p.BRAM18) * p.Caps.BRAM), int(float64(p.LUT) * p.Caps.LUT)
}

// Validate checks that the platform's numbers can drive the model.
func (p Platform) Validate() error {
	switch {
	case p.Name == "":
		return fmt.Errorf("platform has no name")
	case p.DSP <= 0 || p.BRAM18 <= 0 || p.LUT <= 0:
		return fmt.Errorf("platform %s: DSP %d, BRAM18 %d and LUT %d must be positive", p.Name, p.DSP, p.BRAM18, p.LUT)
	case p.BRAMBits <= 0:
		return fmt.Errorf("platform %s: BRAM block size %d bits must be positive", p.Name, p.BRAMBits)
	case p.BandwidthGBs <= 0 || p.PortBits <= 0:
		return fmt.Errorf("platform %s: bandwidth %g GB/s and port width %d bits must be positive", p.Name, p.BandwidthGBs, p.PortBits)
	case p.ClockMHz <= 0:
		return fmt.Errorf("platform %s: clock %g MHz must be positive", p.Name, p.ClockMHz)
	case !(p.StaticW >= 0) || math.IsInf(p.StaticW, 1): // NaN fails every comparison
		return fmt.Errorf("platform %s: static power %g W must be zero or more", p.Name, p.StaticW)
	case p.Caps.DSP <= 0 || p.Caps.DSP > 1 || p.Caps.BRAM <= 0 || p.Caps.BRAM > 1 || p.Caps.LUT <= 0 || p.Caps.LUT > 1:
		return fmt.Errorf("platform %s: utilisation caps %+v must lie in (0, 1]", p.Name, p.Caps)
	}
	if p.Family != Series7 && p.Family != UltraScale && p.Family != Intel {
		return fmt.Errorf("platform %s: unknown family %q", p.Name, p.Family)
	}
	return nil
}

// Catalog returns a copy of every catalogued platform, in catalog order.
func Catalog() []Platform {
	out := make([]Platform, len(catalog))
	copy(out, catalog)
	for i := range out {
		out[i].Aliases = append([]string(nil), catalog[i].Aliases...)
	}
	return out
}

// Names returns the names of the catalogued platforms, in catalog order.
func Names() []string {
	out := make([]string, len(catalog))
	for i, p := range catalog {
		out[i] = p.Name
	}
	return out
}

// norm folds a name for matching: lower case, letters and digits only.
func norm(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Lookup returns the platform named name (or one of its aliases), ignoring
// case, spaces, dashes and underscores. An unknown name gets an error that
// lists the closest catalogued names.
func Lookup(name string) (Platform, error) {
	k := norm(name)
	for _, p := range catalog {
		if norm(p.Name) == k {
			return Catalog()[indexOf(p.Name)], nil
		}
		for _, a := range p.Aliases {
			if norm(a) == k {
				return Catalog()[indexOf(p.Name)], nil
			}
		}
	}
	return Platform{}, fmt.Errorf("unknown platform %q: did you mean %s? (`hwnas platforms` lists all %d)",
		name, strings.Join(Closest(name, 3), ", "), len(catalog))
}

func indexOf(name string) int {
	for i, p := range catalog {
		if p.Name == name {
			return i
		}
	}
	return -1
}

// Closest returns up to n catalogued platform names nearest to name, for a
// "did you mean" list: ranked by suggest.Distance over names and aliases
// (letters and digits only, ignoring case), a substring match counting as
// distance 1, ties in catalog order.
func Closest(name string, n int) []string {
	k := norm(name)
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	for _, p := range catalog {
		best := 1 << 30
		for _, s := range append([]string{p.Name}, p.Aliases...) {
			t := norm(s)
			d := suggest.Distance(k, t)
			if k != "" && (strings.Contains(t, k) || strings.Contains(k, t)) {
				d = min(d, 1)
			}
			best = min(best, d)
		}
		cs = append(cs, cand{p.Name, best})
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].d < cs[j].d })
	out := make([]string, 0, n)
	for _, c := range cs[:min(n, len(cs))] {
		out = append(out, c.name)
	}
	return out
}

// Line names the product line of p's device from its part number, for
// people who search the catalog by it: "Zynq-7000" (XC7Z…, DS190), "Zynq
// UltraScale+" (XCZU…, DS891), "Virtex-7" (XC7V…), "Artix-7" (XC7A…),
// "Kintex UltraScale" (XCKU…), "Virtex UltraScale+" (XCVU…), "Alveo"
// (XCU…), "Arria 10" (10A…) and "Stratix 10" (1S…); "" when unknown.
func (p Platform) Line() string {
	lines := []struct{ prefix, line string }{
		{"XC7Z", "Zynq-7000"}, {"XCZU", "Zynq UltraScale+"}, {"XC7V", "Virtex-7"}, {"XC7A", "Artix-7"},
		{"XCKU", "Kintex UltraScale"}, {"XCVU", "Virtex UltraScale+"}, {"XCU", "Alveo"},
		{"10A", "Arria 10"}, {"1S", "Stratix 10"},
	}
	d := strings.ToUpper(p.Device)
	for _, l := range lines {
		if strings.HasPrefix(d, l.prefix) {
			return l.line
		}
	}
	return ""
}
