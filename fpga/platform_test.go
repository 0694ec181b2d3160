package fpga

import (
	"strings"
	"testing"
)

func TestCatalogValid(t *testing.T) {
	if len(catalog) < 13 {
		t.Fatalf("catalog has %d platforms, the issue asks for at least 13", len(catalog))
	}
	seen := map[string]bool{}
	for _, p := range Catalog() {
		if err := p.Validate(); err != nil {
			t.Error(err)
		}
		for _, n := range append([]string{p.Name}, p.Aliases...) {
			if seen[norm(n)] {
				t.Errorf("name %q is used twice", n)
			}
			seen[norm(n)] = true
		}
		for _, pr := range Precisions() {
			if num, _ := pr.DSPPerMAC(p.Family); num == 0 {
				t.Errorf("%s: no DSP cost for %s", p.Name, pr)
			}
		}
	}
}

func TestLookup(t *testing.T) {
	cases := []struct{ in, want, err string }{
		{"ZCU102", "ZCU102", ""},
		{"zcu-102", "ZCU102", ""},
		{"pynq", "PYNQ-Z1", ""},
		{"u250", "Alveo-U250", ""},
		{"zcu12", "", "did you mean ZCU102"},
		{"alveo u5", "", "Alveo-U50"},
		{"zcu012", "", "did you mean ZCU102, ZCU104,"}, // a swap of neighbours costs 1, as in the DSL
		{"", "", "unknown platform"},
	}
	for _, c := range cases {
		p, err := Lookup(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Lookup(%q) error = %v, want it to contain %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || p.Name != c.want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", c.in, p.Name, err, c.want)
		}
	}
}

func TestParsePrecision(t *testing.T) {
	for _, p := range Precisions() {
		got, err := ParsePrecision(strings.ToUpper(p.String()))
		if err != nil || got != p {
			t.Errorf("ParsePrecision(%q) = %v, %v", p, got, err)
		}
	}
	if _, err := ParsePrecision("int4"); err == nil || !strings.Contains(err.Error(), "fp32, fp16, int16, int8") {
		t.Errorf("ParsePrecision(int4) error = %v", err)
	}
}

func TestDSPCost(t *testing.T) {
	// Zhang FPGA'15: <64,7> fp32 on a 7-series device costs 2,240 DSPs.
	if got := FP32.dspCost(Series7).dsps(64 * 7); got != 2240 {
		t.Errorf("fp32 <64,7> = %d DSP, want 2240", got)
	}
	// WP486: 2 int8 MACs per DSP48E2.
	if got := Int8.dspCost(UltraScale).lanes(2520); got != 5040 {
		t.Errorf("int8 lanes on 2,520 DSP48E2 = %d, want 5040", got)
	}
}

func TestPool(t *testing.T) {
	p, err := NewPool(1.25, "ZCU102", "zcu102", "ZC706")
	if err != nil || len(p.Devices) != 3 {
		t.Fatalf("NewPool = %v, %v", p, err)
	}
	if _, err := NewPool(0, "ZCU102", "ZC706"); err == nil {
		t.Error("pool with zero link bandwidth accepted")
	}
	if _, err := NewPool(1, "ZCU999"); err == nil || !strings.Contains(err.Error(), "did you mean") {
		t.Errorf("unknown pool device error = %v", err)
	}
}

// TestEveryPlatformHasALine: the catalog can be searched by product line
// (%platforms zynq), so every entry must have one.
func TestEveryPlatformHasALine(t *testing.T) {
	for _, p := range Catalog() {
		if p.Line() == "" {
			t.Errorf("%s (%s): no product line", p.Name, p.Device)
		}
	}
	if p, _ := Lookup("ZCU102"); p.Line() != "Zynq UltraScale+" {
		t.Errorf("ZCU102 is %q, want Zynq UltraScale+", p.Line())
	}
}
