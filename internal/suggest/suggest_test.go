package suggest

import "testing"

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "ab", 2}, {"kitten", "sitting", 3},
		{"ZCU102", "ZCU102", 0}, {"ZUC102", "ZCU102", 1}, // a swap of neighbours costs 1
		{"latnecy", "latency", 1}, {"café", "cafe", 1},
	} {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := Distance(c.b, c.a); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d (symmetry)", c.b, c.a, got, c.want)
		}
	}
}

func TestClosest(t *testing.T) {
	names := []string{"latency", "throughput", "energy", "dsp", "bram"}
	for _, c := range []struct {
		name, want string
		ok         bool
	}{
		{"latnecy", "latency", true},
		{"LATENCY", "latency", true},
		{"enrgy", "energy", true},
		{"dps", "dsp", true},
		{"x", "", false},     // a one-letter word suggests nothing
		{"power", "", false}, // too far from everything
		{"throughptu", "throughput", true},
	} {
		got, ok := Closest(c.name, names)
		if got != c.want || ok != c.ok {
			t.Errorf("Closest(%q) = %q, %v; want %q, %v", c.name, got, ok, c.want, c.ok)
		}
	}
}
