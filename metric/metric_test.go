package metric

import (
	"os"
	"strings"
	"testing"
)

func TestTableIsConsistent(t *testing.T) {
	names, keys := map[string]bool{}, map[string]bool{}
	for _, m := range All {
		if m.Key == "" || keys[m.Key] {
			t.Errorf("key %q empty or repeated", m.Key)
		}
		keys[m.Key] = true
		if m.Name != "" {
			if names[m.Name] {
				t.Errorf("name %q repeated", m.Name)
			}
			names[m.Name] = true
			if Key(m.Name) != m.Key {
				t.Errorf("Key(%q) = %q, want %q", m.Name, Key(m.Name), m.Key)
			}
		}
		if m.Unit != "" && m.Dim == Count {
			t.Errorf("%s: a count with unit %q", m.Key, m.Unit)
		}
	}
	if Key("top5") != "top5" {
		t.Error("a metric the table does not know must be its own key")
	}
}

func TestLabelAndFormat(t *testing.T) {
	for _, c := range []struct{ key, label string }{
		{LatencyMs, "latency (ms)"}, {EnergyMJ, "energy (mJ)"}, {Accuracy, "accuracy"}, {DSP, "dsp"}, {"custom", "custom"},
	} {
		if got := Label(c.key); got != c.label {
			t.Errorf("Label(%s) = %q, want %q", c.key, got, c.label)
		}
	}
	for got, want := range map[string]string{Format(LatencyMs, 4.8125): "4.812", Format(Accuracy, 0.96124): "0.9612", Format(DSP, 178.4): "178"} {
		if got != want {
			t.Errorf("Format = %q, want %q", got, want)
		}
	}
}

// docs/language.md's table of metrics lists every metric a spec can name,
// with its unit.
func TestLanguageDocListsEveryMetric(t *testing.T) {
	doc, err := os.ReadFile("../docs/language.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range All {
		if m.Name == "" {
			continue
		}
		unit := m.Unit
		switch {
		case m.Dim == Count:
			unit = "count"
		case m.Dim == Fraction:
			unit = "fraction"
		}
		if row := "| `" + m.Name + "` | " + unit + " |"; !strings.Contains(string(doc), row) {
			t.Errorf("docs/language.md lacks the row %q", row)
		}
	}
}
