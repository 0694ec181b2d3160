package main

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/hwnas/hwnas/internal/golden"
)

func TestEstimateGolden(t *testing.T) {
	cases := []struct {
		golden string
		args   []string
	}{
		{"estimate_alexnet_zcu102.golden", []string{"estimate", "--model", "alexnet", "--platform", "zcu102"}},
		{"estimate_lenet5_pynq_tiling.golden", []string{"estimate", "--model", "lenet5", "--platform", "PYNQ-Z1", "--tiling", "8,6,14,14"}},
		{"estimate_mobilenet_v2_u50_int8_pipeline.golden", []string{"estimate", "--model", "mobilenet_v2", "--platform", "u50", "--precision", "int8", "--mode", "pipeline", "--goal", "throughput"}},
		{"estimate_vgg16_zc706_json.golden", []string{"estimate", "--model", "vgg16", "--platform", "ZC706", "--clock", "150", "--json"}},
		{"estimate_mbconv_spec_pynq.golden", []string{"estimate", "--spec", "../../examples/oneshot_mnist.hwnas", "--genome", "0,2,1,0,0,2,1,1,0,0,0,1,0,0", "--platform", "pynq"}},
		{"estimate_nb201_pynq.golden", []string{"estimate", "--nb201", "|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|skip_connect~0|nor_conv_3x3~1|avg_pool_3x3~2|", "--platform", "pynq"}},
	}
	for _, c := range cases {
		out, err := runCLI(t, c.args...)
		if err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		golden.Check(t, c.golden, out)
		if strings.HasSuffix(c.golden, "_json.golden") {
			var m map[string]any
			if err := json.Unmarshal([]byte(out), &m); err != nil {
				t.Fatalf("JSON output: %v", err)
			}
			for _, k := range []string{"latency_ms", "throughput_fps", "gops", "dsp", "bram18", "lut", "power_w", "energy_mj", "layers", "design", "model_version"} {
				if _, ok := m[k]; !ok {
					t.Errorf("JSON output lacks %q", k)
				}
			}
		}
	}
}

func TestPlatformsGolden(t *testing.T) {
	out, err := runCLI(t, "platforms")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "platforms_table.golden", out)
	out, err = runCLI(t, "platforms", "--json")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "platforms_json.golden", out)
	var ps []map[string]any
	if err := json.Unmarshal([]byte(out), &ps); err != nil || len(ps) < 13 {
		t.Errorf("platforms --json: %d platforms, %v", len(ps), err)
	}
}

func TestEstimateErrors(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"estimate", "--model", "alexnet", "--platform", "zcu12"}, 2, `unknown platform "zcu12": did you mean ZCU102`},
		{[]string{"estimate", "--platform", "zcu102"}, 2, "give a network: --model NAME"},
		{[]string{"estimate", "--model", "alexnet"}, 2, "--platform is required"},
		{[]string{"estimate", "--model", "resnet50", "--platform", "zcu102"}, 2, `unknown model "resnet50"`},
		{[]string{"estimate", "--model", "alexnet", "--nb201", "x", "--platform", "zcu102"}, 2, "not both"},
		{[]string{"estimate", "--model", "alexnet", "--platform", "zcu102", "--precision", "int4"}, 2, "want one of fp32, fp16, int16, int8"},
		{[]string{"estimate", "--model", "alexnet", "--platform", "zcu102", "--mode", "multi"}, 2, "want shared or pipeline"},
		{[]string{"estimate", "--model", "alexnet", "--platform", "zcu102", "--tiling", "64,7"}, 2, "want four comma-separated integers"},
		{[]string{"estimate", "--model", "alexnet", "--platform", "zcu102", "--clock", "-5"}, 2, "--clock -5 MHz"},
		{[]string{"estimate", "--model", "alexnet", "--platform", "zcu102", "--clock", "nan"}, 2, "--clock NaN MHz"},
		{[]string{"estimate", "--model", "alexnet", "--platform", "zcu102", "--goal", "speed"}, 2, "want latency or throughput"},
		{[]string{"estimate", "--model", "alexnet", "--platform", "pynq", "--tiling", "64,64,13,13"}, 1, "needs 4096 DSP, 220 available"},
		{[]string{"estimate", "--nb201", "|bogus~0|", "--platform", "pynq"}, 2, "--nb201"},
		{[]string{"estimate", "--spec", "../../examples/oneshot_mnist.hwnas", "--genome", "0,9", "--platform", "pynq"}, 2, "--genome has 2 values; space mobile has 14 decisions"},
		{[]string{"estimate", "--spec", "../../examples/oneshot_mnist.hwnas", "--genome", "0,2,1,0,0,2,1,1,0,0,0,1,0,7", "--platform", "pynq"}, 2, `--genome value 14 (layer6.mbconv.kernel) is "7": want 0..2 (3, 5, 7)`},
		{[]string{"estimate", "--spec", "../../examples/oneshot_mnist.hwnas", "--space", "nope", "--platform", "pynq"}, 2, `--space "nope"`},
		{[]string{"estimate", "--model", "alexnet", "--platform", "pynq", "--template", "fnas"}, 2, "use it with --mode pipeline"},
	}
	for _, c := range cases {
		_, err := runCLI(t, c.args...)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != c.code || !strings.Contains(ee.msg, c.want) {
			t.Errorf("%v: error %v, want exit %d containing %q", c.args, err, c.code, c.want)
		}
	}
}
