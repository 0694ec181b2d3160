package fpga

import (
	"math"
	"strings"
	"testing"
)

// TestValidateStaticPower: a negative or not-a-number static power would make
// power and energy negative or NaN; Validate names it. Zero is allowed.
func TestValidateStaticPower(t *testing.T) {
	for _, w := range []float64{-1, math.NaN(), math.Inf(1)} {
		p := mustLookup(t, "ZC706")
		p.StaticW = w
		if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "static power") {
			t.Errorf("static %g W: error %v, want one naming the static power", w, err)
		}
	}
	p := mustLookup(t, "ZC706")
	p.StaticW = 0
	if err := p.Validate(); err != nil {
		t.Errorf("static 0 W: %v", err)
	}
}
