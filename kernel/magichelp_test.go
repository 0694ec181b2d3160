package kernel

import (
	"context"
	"strings"
	"testing"
)

// TestHelpEstimateUsage checks that %help states the syntax %estimate
// accepts, and that a call written the way the help says runs.
func TestHelpEstimateUsage(t *testing.T) {
	help := helpText()
	line := ""
	for _, l := range strings.Split(help, "\n") {
		if strings.Contains(l, "%estimate") {
			line = l
		}
	}
	for _, want := range []string{"%estimate MODEL on PLATFORM", "[precision P]", "[mode shared|pipeline]", "[clock MHZ]"} {
		if !strings.Contains(line, want) {
			t.Errorf("%%help line %q lacks %q", line, want)
		}
	}
	if !strings.Contains(estimateUsage, estimateSyntax) {
		t.Errorf("error usage %q does not repeat the help syntax %q", estimateUsage, estimateSyntax)
	}
	s := newTestSession(t)
	var r record
	if _, err := s.Execute(context.Background(), "%estimate lenet5 on ZCU102 precision int8 mode pipeline clock 150", r.output()); err != nil {
		t.Fatalf("the syntax of %%help fails: %v", err)
	}
}
