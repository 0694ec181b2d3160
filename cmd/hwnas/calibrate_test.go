package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/arch/nb201"
	"github.com/hwnas/hwnas/fpga"
	"github.com/hwnas/hwnas/internal/golden"
)

// writeNB201Measurements writes HW-NAS-Bench's FPGA latency and energy of
// n fully live NAS-Bench-201 cells, from the k-th on, as a measurements file.
func writeNB201Measurements(t *testing.T, path string, from, n int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("network,latency_ms,energy_mj\n# HW-NAS-Bench's FPGA\n")
	for i := 0; n > 0; i += 97 {
		row, _ := nb201.At(i % nb201.Len())
		if !nb201.FullyLive(row.Genome) || !nb201.Reachable(row.Genome) {
			continue
		}
		if from > 0 {
			from--
			continue
		}
		fmt.Fprintf(&b, "%s,%g,%g\n", row.Arch, row.FPGALatencyMs, row.FPGAEnergyMJ)
		n--
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCalibrateCommand(t *testing.T) {
	dir := t.TempDir()
	train, test, out := filepath.Join(dir, "train.csv"), filepath.Join(dir, "test.csv"), filepath.Join(dir, "cal.json")
	writeNB201Measurements(t, train, 0, 30)
	writeNB201Measurements(t, test, 30, 60)
	got, err := runCLI(t, "calibrate", "--platform", "ZC706", "--measurements", train, "--test", test, "--out", out, "--folds", "5")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "calibrate_nb201_zc706.golden", strings.ReplaceAll(got, dir, "DIR"))
	c, err := fpga.ReadCalibration(out)
	if err != nil {
		t.Fatal(err)
	}
	cell := "|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|skip_connect~0|nor_conv_3x3~1|avg_pool_3x3~2|"
	est, err := runCLI(t, "estimate", "--nb201", cell, "--platform", "ZC706", "--calibration", out)
	if err != nil {
		t.Fatal(err)
	}
	row, _ := nb201.Lookup(cell)
	n, _ := nb201.Network(cell)
	_, r, _ := fpga.Optimize(n, mustPlatform(t, "ZC706"), fpga.Options{Mode: fpga.Shared, Precision: fpga.Int16})
	want := fmt.Sprintf("latency     %.3f ms", c.Apply(r).LatencyMs)
	if !strings.Contains(est, want) || !strings.Contains(est, "model       "+c.Version()) {
		t.Errorf("estimate --calibration:\n%s\nwant %q and the model version %s (HW-NAS-Bench: %.3f ms)", est, want, c.Version(), row.FPGALatencyMs)
	}
}

func mustPlatform(t *testing.T, name string) fpga.Platform {
	p, err := fpga.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCalibrateErrors(t *testing.T) {
	dir := t.TempDir()
	file := func(body string) string {
		p := filepath.Join(dir, fmt.Sprintf("m%d.csv", len(body)))
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--platform", "ZC706"}, "--platform and --measurements are required"},
		{[]string{"--platform", "nope", "--measurements", file("network,latency_ms\nlenet5,1\n")}, "nope"},
		{[]string{"--platform", "ZC706", "--measurements", file("net,ms\nlenet5,1\n")}, `header "net,ms", want network,latency_ms`},
		{[]string{"--platform", "ZC706", "--measurements", file("network,latency_ms\nlenet5,fast\n")}, `line 2: latency_ms "fast": want a positive number`},
		{[]string{"--platform", "ZC706", "--measurements", file("network,latency_ms\nlenet5,1\nlenet6,2\n")}, "line 3: "},
		{[]string{"--platform", "ZC706", "--measurements", file("network,latency_ms\nlenet5,1\nalexnet,2\n")}, "want at least 3"},
		{[]string{"--platform", "ZC706", "--measurements", filepath.Join(dir, "none.csv")}, "no such file"},
	} {
		_, err := runCLI(t, append([]string{"calibrate"}, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("calibrate %v: err %v, want %q", c.args, err, c.want)
		}
	}
	if _, err := runCLI(t, "estimate", "--model", "lenet5", "--platform", "pynq", "--calibration", filepath.Join(dir, "none.json")); err == nil {
		t.Error("estimate with a missing calibration file succeeded")
	}
}
