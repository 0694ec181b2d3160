package main

import (
	"errors"
	"strings"
	"testing"
)

// TestBenchUnknown: a mistyped benchmark is an error naming it, not the help
// text and exit status 0.
func TestBenchUnknown(t *testing.T) {
	_, err := runCLI(t, "bench", "fnsa")
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(ee.msg, `unknown benchmark "fnsa": want differentiable, fidelity, fnas, nb201, oneshot or train`) {
		t.Fatalf("error %v, want exit 2 naming the benchmark", err)
	}
	out, err := runCLI(t, "bench")
	if err != nil || !strings.Contains(out, "Available Commands") {
		t.Fatalf("hwnas bench: %v\n%s", err, out)
	}
}
