package dsl

import (
	"strings"
	"testing"
)

// bananas takes several objectives without a reward (it then optimises
// them itself); a single-objective strategy still needs one.
func TestBananasSeveralObjectives(t *testing.T) {
	const src = `
space s { input 28x28x1  conv { kernel in {3, 5}  filters = 8 }  head gap, dense(10) }
dataset d { source = builtin("mnist")  train = 600  epochs = 1 }
platform p from "PYNQ-Z1"
experiment e {
  space = s  dataset = d  platform = p
  maximize accuracy
  minimize latency
  strategy KIND
  budget 10 trials
}
`
	if _, err := LoadSource("t.hwnas", strings.Replace(src, "KIND", "bananas", 1), nil); err != nil {
		t.Errorf("bananas with two objectives: %v", err)
	}
	_, err := LoadSource("t.hwnas", strings.Replace(src, "KIND", "evolution", 1), nil)
	if err == nil || !strings.Contains(err.Error(), "optimises one objective but the experiment has 2") {
		t.Errorf("evolution with two objectives: %v", err)
	}
}
