package engine

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/internal/hwnastest"
	"github.com/hwnas/hwnas/metric"
)

func TestLoadFromStore(t *testing.T) {
	st := hwnastest.OpenStore(t, t.TempDir())
	ran, err := Run(t.Context(), demoExperiment(&fakeEval{}, 10), Options{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Load(st, "fnas")
	if err != nil {
		t.Fatal(err)
	}
	if summary(got)[3] != summary(ran)[3] || !slices.Equal(got.Pareto, ran.Pareto) || got.Counts != ran.Counts {
		t.Fatalf("loaded outcome differs:\n%v %v\n%v %v", got.Pareto, got.Counts, ran.Pareto, ran.Counts)
	}
	if _, err := Load(st, "fans"); err == nil || !strings.Contains(err.Error(), `no experiment "fans"`) || !strings.Contains(err.Error(), "fnas") {
		t.Fatalf("err = %v", err)
	}
}

func TestFrontObjectives(t *testing.T) {
	acc := Objective{metric.Accuracy, true}
	lat := Constraint{Metric: metric.LatencyMs, Op: "<=", Value: 8, Hard: true}
	cases := []struct {
		objs []Objective
		cons []Constraint
		want []Objective
	}{
		{[]Objective{acc}, []Constraint{lat}, []Objective{acc, {metric.LatencyMs, false}}},
		{[]Objective{acc}, []Constraint{{Metric: metric.ThroughputFPS, Op: ">=", Value: 500}}, []Objective{acc}},
		{[]Objective{acc, {metric.EnergyMJ, false}}, []Constraint{lat}, []Objective{acc, {metric.EnergyMJ, false}}},
		{[]Objective{acc}, nil, []Objective{acc}},
	}
	for _, c := range cases {
		if got := FrontObjectives(c.objs, c.cons); !reflect.DeepEqual(got, c.want) {
			t.Errorf("FrontObjectives(%v, %v) = %v, want %v", c.objs, c.cons, got, c.want)
		}
	}
}
