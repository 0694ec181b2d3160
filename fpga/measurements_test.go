package fpga

import (
	"bytes"
	"strings"
	"testing"
)

func TestParseMeasurements(t *testing.T) {
	ms, err := ParseMeasurements(strings.NewReader("network,latency_ms,energy_mj\n# a comment\nlenet5, 1.5, 3\n|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|,2,14\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0] != (Measurement{Line: 3, Network: "lenet5", LatencyMs: 1.5, EnergyMJ: 3}) || ms[1].Line != 4 {
		t.Errorf("parsed %+v", ms)
	}
	for src, want := range map[string]string{
		"":                            "header",
		"network,ms\nx,1\n":           `header "network,ms"`,
		"network,latency_ms\n":        "no measurements",
		"network,latency_ms\nx,1,2\n": "line 2: 3 fields, want 2",
		"network,latency_ms\n,1\n":    "line 2: no network",
		"network,latency_ms\nx,-1\n":  `line 2: latency_ms "-1": want a positive number`,
		"network,latency_ms,energy_mj\nx,1,Inf\n": `energy_mj "Inf"`,
		"network,latency_ms\n\"x,1\n":             "line 2",
	} {
		if _, err := ParseMeasurements(strings.NewReader(src)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err %v, want %q", src, err, want)
		}
	}
}

func FuzzParseMeasurements(f *testing.F) {
	f.Add([]byte("network,latency_ms\nlenet5,1.5\n"))
	f.Add([]byte("network,latency_ms,energy_mj\n# c\n|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|,2,14\n"))
	f.Add([]byte("network,latency_ms\n\"a,b\",NaN\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ms, err := ParseMeasurements(bytes.NewReader(b))
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error of more than one line: %q", err)
			}
			return
		}
		for _, m := range ms {
			if m.Network == "" || !(m.LatencyMs > 0) || m.LatencyMs > 1e9 || m.EnergyMJ < 0 || m.Line < 2 {
				t.Errorf("accepted %+v", m)
			}
		}
	})
}
