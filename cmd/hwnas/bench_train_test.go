package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestBenchTrainJSON(t *testing.T) {
	out, err := runCLI(t, "bench", "train", "--steps", "3", "--batch", "16", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var rep benchTrainReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if rep.Steps != 3 || rep.Images != 48 || !(rep.ImagesPerSecond > 0) || rep.ModelBytes <= 0 || rep.Batch != 16 {
		t.Errorf("report %+v", rep)
	}
	if !(rep.AchievedGFLOPS > 0) || !(rep.PeakGFLOPS > 0) || rep.PeakShare != rep.AchievedGFLOPS/rep.PeakGFLOPS {
		t.Errorf("GFLOP/s %g of a %g peak, share %g", rep.AchievedGFLOPS, rep.PeakGFLOPS, rep.PeakShare)
	}
	if rep.ImagesPerCPUSecond > 0 && !(rep.PeakShareCPU > 0) {
		t.Errorf("%g images per CPU-second but no share of the peak per CPU-second", rep.ImagesPerCPUSecond)
	}
	if !strings.Contains(out, `"images_per_second"`) {
		t.Errorf("no images_per_second in %s", out)
	}
}

func TestBenchTrainBadFlags(t *testing.T) {
	_, err := runCLI(t, "bench", "train", "--batch", "0")
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "--batch at least 1") {
		t.Errorf("error %v, want exit code 2 naming --batch", err)
	}
}
