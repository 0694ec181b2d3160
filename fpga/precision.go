package fpga

import (
	"fmt"
	"strings"
)

// Precision is the numeric format of weights and activations.
type Precision uint8

// The supported precisions. The zero value is invalid so that a forgotten
// precision is caught by Design validation.
const (
	FP32 Precision = iota + 1
	FP16
	Int16
	Int8
)

var precNames = [...]string{FP32: "fp32", FP16: "fp16", Int16: "int16", Int8: "int8"}

func (p Precision) String() string {
	if p >= FP32 && p <= Int8 {
		return precNames[p]
	}
	return fmt.Sprintf("precision(%d)", uint8(p))
}

// Precisions lists every supported precision.
func Precisions() []Precision { return []Precision{FP32, FP16, Int16, Int8} }

// ParsePrecision reads a precision name (fp32, fp16, int16, int8; also
// float32, float16, fixed16, 16-bit names as aliases), case-insensitively.
func ParsePrecision(s string) (Precision, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "fp32", "float32", "float", "f32":
		return FP32, nil
	case "fp16", "float16", "half", "f16":
		return FP16, nil
	case "int16", "fixed16", "i16", "16bit", "16-bit":
		return Int16, nil
	case "int8", "fixed8", "i8", "8bit", "8-bit":
		return Int8, nil
	}
	return 0, fmt.Errorf("unknown precision %q: want one of fp32, fp16, int16, int8", s)
}

// Bits is the width of one word in bits.
func (p Precision) Bits() int {
	switch p {
	case FP32:
		return 32
	case FP16, Int16:
		return 16
	case Int8:
		return 8
	}
	return 0
}

// Bytes is the width of one word in bytes.
func (p Precision) Bytes() int { return p.Bits() / 8 }

// dspCost is the DSP blocks one multiply-accumulate lane costs, as the
// fraction Num/Den (Den > 1 when one block packs several MACs).
type dspCost struct{ Num, Den int }

// DSPPerMAC returns the DSP blocks per MAC lane on a device family as a
// fraction num/den; num == 0 means the precision is not supported there.
// The table is docs/fpga-model.md §3. Sources: Zhang et al. FPGA'15,
// "Optimizing FPGA-based Accelerator Design for Deep Convolutional Neural
// Networks" (fp32 = 5 DSP48E1); FNAS's released model PARA.py (Jiang et al.
// DAC'19; 16-bit = 1); Xilinx WP486 (two int8 MACs per DSP48E2 sharing an
// operand); the Intel Arria 10 / Stratix 10 variable-precision DSP user
// guides (hardened fp32 multiply-add per block; two 18×19 multipliers per
// block).
func (p Precision) DSPPerMAC(f Family) (num, den int) {
	c := p.dspCost(f)
	return c.Num, c.Den
}

func (p Precision) dspCost(f Family) dspCost {
	switch f {
	case Series7:
		switch p {
		case FP32:
			return dspCost{5, 1} // Zhang FPGA'15: 3 DSP48E1 multiply + 2 add
		case FP16:
			return dspCost{2, 1} // approx.: a half-precision MAC takes 2–3 DSP48E1, by IP configuration
		case Int16, Int8:
			return dspCost{1, 1} // one 25×18 DSP48E1 per fixed-point MAC (FNAS PARA.py)
		}
	case UltraScale:
		switch p {
		case FP32:
			return dspCost{5, 1} // HotNAS PM_FPGA_Template.py assumes 5 as on 7-series
		case FP16:
			return dspCost{2, 1} // approx.: Floating-Point LogiCORE (PG060) half-precision
		case Int16:
			return dspCost{1, 1} // one 27×18 DSP48E2 per MAC
		case Int8:
			return dspCost{1, 2} // Xilinx WP486: two int8 MACs per DSP48E2
		}
	case Intel:
		switch p {
		case FP32, FP16:
			return dspCost{1, 1} // Arria 10 DSP block: hardened IEEE-754 multiply-add (fp16 promoted)
		case Int16, Int8:
			return dspCost{1, 2} // Arria 10 DSP block: two 18×19 multipliers
		}
	}
	return dspCost{}
}

// dsps returns the DSP blocks for lanes MAC lanes: ⌈lanes·num/den⌉.
func (c dspCost) dsps(lanes int) int {
	if c.Den == 0 {
		return 0
	}
	return (lanes*c.Num + c.Den - 1) / c.Den
}

// lanes returns how many MAC lanes fit in dsp blocks: ⌊dsp·den/num⌋.
func (c dspCost) lanes(dsp int) int {
	if c.Num == 0 {
		return 0
	}
	return dsp * c.Den / c.Num
}
