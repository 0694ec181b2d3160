package main

import (
	"context"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/internal/golden"
)

func TestNB201BenchRendering(t *testing.T) {
	b := &nb201Bench{Seeds: 30, Batch: 4, Encoding: "path", Optimum: 94.373, LoadAverage: "1.00 1.00 1.00", Results: []nb201Cell{
		{Strategy: "bananas", Evals: 100, Mean: 94.3712, SE: 0.0021, AskTellS: 0.0312},
		{Strategy: "random", Evals: 100, Mean: 93.71, SE: 0.05, AskTellS: 0.00001},
	}}
	var sb strings.Builder
	writeNB201Bench(&sb, b)
	golden.Check(t, "bench_nb201.golden", sb.String())
}

// A small run: every strategy and budget gets a figure within the range of
// the table's test accuracies.
func TestBenchNB201Small(t *testing.T) {
	b, err := benchNB201(context.Background(), []string{"random", "evolution"}, []int{8, 20}, 3, 4, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Results) != 4 || b.Optimum < 94 || b.Optimum > 94.5 {
		t.Fatalf("bench %+v", b)
	}
	for _, c := range b.Results {
		if c.Mean < 10 || c.Mean > 94.5 || c.SE < 0 {
			t.Errorf("%+v out of range", c)
		}
	}
}

func TestBenchNB201BadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--evals", "10,x"},
		{"--seeds", "1"},
		{"--strategies", "coexplore"},
		{"--strategies", "bananna"},
	} {
		_, err := runCLI(t, append([]string{"bench", "nb201"}, args...)...)
		if exitCode(err) != 2 || !strings.Contains(err.Error(), "hwnas bench nb201: ") {
			t.Errorf("%v: err = %v", args, err)
		}
	}
}
