package kernel

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/internal/hwnastest"
)

// TestExportMagic: %export and hwnas.Export write a trial of an experiment
// run in the session; bad calls are one-line errors with the usage.
func TestExportMagic(t *testing.T) {
	s := newTestSession(t)
	ctx := context.Background()
	var r record
	if _, err := s.Execute(ctx, hwnastest.ExportSpec+"run tiny\n", r.output()); err != nil {
		t.Fatalf("run: %v", err)
	}
	dir := t.TempDir()
	model, hlsDir := filepath.Join(dir, "m.onnx"), filepath.Join(dir, "hls")
	r = record{}
	if _, err := s.Execute(ctx, "%export tiny 0 onnx "+model+" hls "+hlsDir, r.output()); err != nil {
		t.Fatalf("%%export: %v", err)
	}
	got := strings.Join(r.msgs, "\n")
	for _, want := range []string{"trained again with the run's seed", "ONNX opset 13", "make -C " + hlsDir + " csim"} {
		if !strings.Contains(got, want) {
			t.Errorf("%%export said %s; want %q", got, want)
		}
	}
	for _, p := range []string{model, filepath.Join(hlsDir, "hwnas_net.cpp")} {
		if _, err := os.Stat(p); err != nil {
			t.Error(err)
		}
	}
	second := filepath.Join(dir, "g.onnx")
	res, err := s.Execute(ctx, "%%go\nimport \"strings\"\nmsg, err := hwnas.Export(\"tiny\", 0, \""+second+"\", \"\")\nerr == nil && strings.Contains(msg, \"ONNX\")", r.output())
	if err != nil {
		t.Fatalf("hwnas.Export: %v", err)
	}
	if a, b := read(t, model), read(t, second); res.Data["text/plain"] != "true" || a != b {
		t.Errorf("hwnas.Export: %v; same bytes as %%export: %v", res.Data, a == b)
	}
	for _, c := range []struct{ args, want string }{
		{"tiny 0", "usage: %export"},
		{"tiny x onnx a.onnx", `trial id "x"`},
		{"tiny 0 pdf a.pdf", `"pdf": want onnx FILE or hls DIR`},
		{"tiny 9 onnx " + model, "has no trial 9"},
		{"nosuch 0 onnx " + model, "nosuch"},
	} {
		_, err := s.Execute(ctx, "%export "+c.args, (&record{}).output())
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%%export %s: %v; want one line with %q", c.args, err, c.want)
		}
	}
}

func read(t *testing.T, p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
