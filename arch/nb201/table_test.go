package nb201

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestTable(t *testing.T) {
	if err := Load(); err != nil {
		t.Fatal(err)
	}
	rows := Rows()
	if len(rows) != NumCells || Len() != NumCells {
		t.Fatalf("%d rows, want %d", len(rows), NumCells)
	}
	// Facts from the data README: best c10_test_acc 94.37 at idx 6111, best valid 91.61.
	best, bestValid := rows[0], 0.0
	for _, r := range rows {
		if r.C10TestAcc > best.C10TestAcc {
			best = r
		}
		bestValid = max(bestValid, r.C10ValidValidAcc)
	}
	if best.Idx != 6111 || math.Abs(best.C10TestAcc-94.37) > 0.005 {
		t.Errorf("best c10_test_acc %.4f at idx %d, want 94.37 at 6111", best.C10TestAcc, best.Idx)
	}
	if math.Abs(bestValid-91.61) > 0.005 {
		t.Errorf("best c10valid_valid_acc %.4f, want 91.61", bestValid)
	}
	r, ok := Lookup("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|")
	if !ok || r.Idx != 1 || r.C10TestAcc != 93.66 || r.FPGALatencyMs != 5.31536 || r.Pixel3LatencyMs != 17.2381 {
		t.Errorf("Lookup(idx 1 cell) = %+v, %v", r, ok)
	}
	if _, ok := Lookup("|none~0|"); ok {
		t.Error("Lookup of a malformed cell succeeded")
	}
	if _, ok := At(NumCells); ok {
		t.Error("At(NumCells) succeeded")
	}
	for _, r := range rows {
		g, err := ParseCell(r.Arch)
		if err != nil || !slices.Equal(g, r.Genome) {
			t.Fatalf("row %d: genome %v, parse %v %v", r.Idx, r.Genome, g, err)
		}
		if s, _ := CellString(g); s != r.Arch {
			t.Fatalf("row %d: arch_str %q is not canonical (%q)", r.Idx, r.Arch, s)
		}
		r2, err := LookupGenome(g)
		if err != nil || r2.Idx != r.Idx {
			t.Fatalf("LookupGenome(%v) = %d, %v; want %d", g, r2.Idx, err, r.Idx)
		}
		// HW-NAS-Bench's FPGA latency is additive per edge op (data README).
		var n [5]int
		for _, v := range g {
			n[v]++
		}
		lat := 1.13296 + 0.5152*float64(n[OpConv1x1]) + 1.2576*float64(n[OpConv3x3]) + 0.4096*float64(n[OpAvgPool3x3])
		if math.Abs(lat-r.FPGALatencyMs) > 1e-6 {
			t.Fatalf("row %d: fpga latency %v, additive model %v", r.Idx, r.FPGALatencyMs, lat)
		}
		if v, ok := r.Metric("fpga_energy_mJ"); !ok || v != r.FPGAEnergyMJ {
			t.Fatalf("Metric(fpga_energy_mJ) = %v, %v", v, ok)
		}
	}
	if _, ok := rows[0].Metric("arch_str"); ok {
		t.Error("Metric(arch_str) should fail")
	}
	if _, err := LookupGenome([]int{9}); err == nil {
		t.Error("LookupGenome of a bad genome succeeded")
	}
}

func TestParseTableErrors(t *testing.T) {
	if _, err := parseTable([]byte("not gzip")); err == nil {
		t.Error("parseTable accepted non-gzip data")
	}
	_, err := parseRow("0,|none~0|+|none~0|none~1|+|none~0|none~1|none~2|,x,1,1,1,1,1,1,1,1,1,1")
	if err == nil || !strings.Contains(err.Error(), "column c10valid_valid_acc") {
		t.Errorf("parseRow bad float: %v", err)
	}
	if !strings.Contains(LicenseHELP, "MIT") || !strings.Contains(LicenseNASLandscapes, "MIT") {
		t.Error("licence texts are not embedded")
	}
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := parseTable(tableGz); err != nil {
			b.Fatal(err)
		}
	}
}
