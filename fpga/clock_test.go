package fpga

import (
	"math"
	"strings"
	"testing"
)

// TestClockNotANumber: a clock that is not a finite number is an error, not
// silently the platform's default (NaN fails every comparison, so a check
// written as "< 0" lets it through and clock() then picks the default).
func TestClockNotANumber(t *testing.T) {
	n := fnasChild([2]int{5, 9}, [2]int{5, 18})
	p := mustLookup(t, "PYNQ-Z1")
	for _, mhz := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), -5} {
		d := Design{Mode: Shared, Precision: Int16, ClockMHz: mhz, Tilings: []Tiling{{Tm: 4, Tn: 4, Tr: 4, Tc: 4}}}
		if _, err := Estimate(n, p, d); err == nil || !strings.Contains(err.Error(), "clock") {
			t.Errorf("Estimate with clock %g: error %v, want one naming the clock", mhz, err)
		}
		if _, _, err := Optimize(n, p, Options{Mode: Shared, ClockMHz: mhz}); err == nil || !strings.Contains(err.Error(), "clock") {
			t.Errorf("Optimize with clock %g: error %v, want one naming the clock", mhz, err)
		}
	}
}

// TestTilingTooLarge: tile sizes whose products overflow int64 (2^32 × 2^32
// DSPs wraps to 0) are rejected, not estimated with wrapped resource counts.
func TestTilingTooLarge(t *testing.T) {
	n := fnasChild([2]int{5, 9}, [2]int{5, 18})
	p := mustLookup(t, "ZCU102")
	for _, tl := range []Tiling{{Tm: 1 << 32, Tn: 1 << 32, Tr: 1, Tc: 1}, {Tm: 1, Tn: 1, Tr: 1 << 40, Tc: 1 << 40}} {
		d := Design{Mode: Shared, Precision: Int16, Tilings: []Tiling{tl}}
		_, err := Estimate(n, p, d)
		if err == nil || !strings.Contains(err.Error(), "at most") {
			t.Errorf("tiling <%s>: error %v, want one saying how large a tile may be", tl, err)
		}
	}
}
