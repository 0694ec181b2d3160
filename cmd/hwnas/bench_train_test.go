package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestBenchTrainJSON(t *testing.T) {
	var out bytes.Buffer
	rootCmd.SetOut(&out)
	rootCmd.SetArgs([]string{"bench", "train", "--steps", "3", "--batch", "16", "--json"})
	defer rootCmd.SetArgs(nil)
	if err := rootCmd.Execute(); err != nil {
		t.Fatal(err)
	}
	var rep benchTrainReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%v in %s", err, out.String())
	}
	if rep.Steps != 3 || rep.Images != 48 || !(rep.ImagesPerSecond > 0) || rep.ModelBytes <= 0 || rep.Batch != 16 {
		t.Errorf("report %+v", rep)
	}
	if !strings.Contains(out.String(), `"images_per_second"`) {
		t.Errorf("no images_per_second in %s", out.String())
	}
}

func TestBenchTrainBadFlags(t *testing.T) {
	rootCmd.SetArgs([]string{"bench", "train", "--batch", "0"})
	defer rootCmd.SetArgs(nil)
	err := rootCmd.Execute()
	if ee, ok := err.(*exitError); !ok || ee.code != 2 || !strings.Contains(ee.msg, "--batch at least 1") {
		t.Errorf("error %v, want exit code 2 naming --batch", err)
	}
}
