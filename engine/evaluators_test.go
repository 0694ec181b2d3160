package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hwnas/hwnas/internal/hwnastest"
	"github.com/hwnas/hwnas/metric"

	"github.com/hwnas/hwnas/arch/nb201"
)

// TestMain lets the test binary act as a command evaluator:
// HWNAS_CMD_HELPER=echo reads a request and answers with metrics derived
// from it, so the request's content is checked end to end.
func TestMain(m *testing.M) {
	switch os.Getenv("HWNAS_CMD_HELPER") {
	case "":
	case "echo":
		var req CommandRequest
		if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
			fmt.Fprintln(os.Stderr, "bad request:", err)
			os.Exit(3)
		}
		fmt.Printf(`{"accuracy": %g, "layers": %d, "threads": %d, "epochs": %d}`+"\n",
			float64(len(req.Network.Layers))/100, len(req.Network.Layers), req.Threads, req.Fidelity.Epochs)
		os.Exit(0)
	case "rungs":
		os.Exit(hwnastest.RungTrainer(os.Stdin, os.Stdout, os.Stderr)) // HWNAS_RUNGS_* set by the test
	default:
		os.Exit(2)
	}
	if os.Getenv("HWNAS_RUN_HELPER") != "" {
		os.Exit(runHelper())
	}
	if dir := os.Getenv("HWNAS_REAP_HELPER"); dir != "" {
		os.Exit(reapHelper(dir))
	}
	os.Exit(m.Run())
}

func TestTableEvaluator(t *testing.T) {
	g := []int{3, 3, 3, 3, 3, 3} // every edge nor_conv_3x3
	net, err := nb201.NetworkOf(g)
	if err != nil {
		t.Fatal(err)
	}
	row, err := nb201.LookupGenome(g)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := TableEvaluator{}.Evaluate(context.Background(), Request{Network: net, Space: "nasbench201", Genome: g})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Metrics[metric.Accuracy] != row.C10ValidValidAcc/100 || ev.Metrics[metric.TestAccuracy] != row.C10TestAcc/100 || ev.ChargedS != row.C10ValidTrainTimeS {
		t.Fatalf("got %v charged %g, want the table row %+v", ev.Metrics, ev.ChargedS, row)
	}
	if ev.Metrics[metric.Accuracy] < 0.5 || ev.Metrics[metric.Accuracy] > 1 {
		t.Fatalf("accuracy %g is not a plausible fraction", ev.Metrics[metric.Accuracy])
	}
	errCases := []struct {
		name string
		ev   TableEvaluator
		req  Request
		want string
	}{
		{"space", TableEvaluator{}, Request{Network: net, Space: "fnas_mnist", Genome: g}, `only knows the "nasbench201" space`},
		{"split", TableEvaluator{Split: "svhn"}, Request{Network: net, Space: "nasbench201", Genome: g}, `no split "svhn"`},
		{"genome", TableEvaluator{}, Request{Network: net, Space: "nasbench201", Genome: []int{9}}, "nasbench201 table"},
	}
	for _, c := range errCases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.ev.Evaluate(context.Background(), c.req)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

func TestCommandEvaluator(t *testing.T) {
	net, _ := fnasSpace().Decode([]int{0, 0, 0, 1, 0, 2, 0, 2})
	req := Request{Network: net, Space: "fnas_mnist", Fidelity: Fidelity{Dataset: "mnist", Epochs: 3}, Threads: 2}
	self := os.Args[0]
	cases := []struct {
		name    string
		ev      CommandEvaluator
		env     string
		want    Metrics
		wantErr string
	}{
		{"request reaches the program", CommandEvaluator{Argv: []string{self}}, "HWNAS_CMD_HELPER=echo",
			Metrics{metric.Accuracy: 0.06, "layers": 6, "threads": 2, "epochs": 3}, ""},
		{"exit status", CommandEvaluator{Argv: []string{"sh", "-c", "cat >/dev/null; echo loading >&2; echo 'RuntimeError: out of memory' >&2; exit 3"}}, "",
			nil, "exit status 3; stderr ends:\nloading\nRuntimeError: out of memory"},
		{"bad json", CommandEvaluator{Argv: []string{"sh", "-c", "cat >/dev/null; echo 'accuracy: 0.9'"}}, "",
			nil, "not a JSON object"},
		{"timeout", CommandEvaluator{Argv: []string{"sh", "-c", "exec sleep 5"}, Timeout: 100 * time.Millisecond}, "",
			nil, "timed out after 100ms (the evaluator's timeout setting)"},
		{"missing program", CommandEvaluator{Argv: []string{"/nonexistent/trainer"}}, "", nil, "no such file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.env != "" {
				k, v, _ := strings.Cut(c.env, "=")
				t.Setenv(k, v)
			}
			t0 := time.Now()
			ev, err := c.ev.Evaluate(context.Background(), req)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				if time.Since(t0) > 4*time.Second {
					t.Fatalf("took %s", time.Since(t0))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range c.want {
				if ev.Metrics[k] != v {
					t.Errorf("%s = %g, want %g (all: %v)", k, ev.Metrics[k], v, ev.Metrics)
				}
			}
		})
	}
}

func TestParseMetrics(t *testing.T) {
	cases := []struct {
		in, want string
	}{
		{`{"accuracy": 0.9, "test_accuracy": 0.88}`, ""},
		{"\n {\"accuracy\": 1}\n", ""},
		{``, "printed nothing"},
		{`[0.9]`, "not a JSON object"},
		{`{"accuracy": "high"}`, `metric "accuracy" is "high", want a number`},
		{`{"accuracy": 97.5}`, "not a fraction in [0, 1]"},
		{`{"accuracy": 0.9, "dsp": -5}`, `metric "dsp" = -5 is negative; a count cannot be`},
		{`{"accuracy": 0.9, "loss": -5}`, ""},
		{`{"loss": 0.1}`, `no "accuracy" metric`},
		{`{"accuracy": 0.9} {"accuracy": 0.8}`, "more than one JSON value"},
	}
	for _, c := range cases {
		_, err := ParseMetrics([]byte(c.in))
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("ParseMetrics(%q) = %v, want %q", c.in, err, c.want)
		}
	}
}

func FuzzParseMetrics(f *testing.F) {
	for _, s := range []string{`{"accuracy": 0.9}`, `{"accuracy": 1e400}`, `{}`, `{"a":`, `null`, `{"accuracy": 0.5, "x": [1]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseMetrics(b)
		if err != nil {
			return
		}
		if a, ok := m[metric.Accuracy]; !ok || a < 0 || a > 1 {
			t.Fatalf("accepted %q with accuracy %v", b, m[metric.Accuracy])
		}
	})
}

// TestPyTorchTrainer runs examples/pytorch_trainer for real where PyTorch is
// installed (Debian: python3-torch, which .ci/run installs: under CI=true a
// missing torch fails the test) and is skipped elsewhere. The network has a
// 14x14 kernel, whose "same" padding is asymmetric (pad_after).
func TestPyTorchTrainer(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a network")
	}
	py := hwnastest.NeedPython(t, "torch") // .ci/run installs python3-torch
	net, err := fnasSpace().Decode([]int{2, 0, 0, 0, 0, 0, 0, 0})
	if err != nil {
		t.Fatal(err)
	}
	if net.Layers[0].Kernel != 14 || net.Layers[0].PadAfter != 1 || net.Layers[0].Shape.H != 28 {
		t.Fatalf("first layer %+v: want a 14x14 kernel keeping 28x28 with pad_after 1", net.Layers[0])
	}
	ev := CommandEvaluator{Argv: []string{py, "../examples/pytorch_trainer/trainer.py"}, Timeout: 5 * time.Minute}
	got, err := ev.Evaluate(context.Background(), Request{Network: net, Space: "fnas_mnist", Threads: 1,
		Fidelity: Fidelity{Dataset: "mnist", Train: 512, Val: 256, Test: 256, Epochs: 1, Batch: 32, LR: 0.002, Seed: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if a := got.Metrics[metric.Accuracy]; a < 0 || a > 1 || got.Metrics[metric.TestAccuracy] <= 0 {
		t.Fatalf("metrics %v", got.Metrics)
	}
}

// examples/pytorch_trainer under a fidelity schedule: a network trained 1
// epoch, saved to its checkpoint and resumed to 2 trains as 2 epochs at
// once (its last epoch's loss is the same, bit for bit), training 1 epoch.
func TestPyTorchTrainerResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a network")
	}
	py := hwnastest.NeedPython(t, "torch") // .ci/run installs python3-torch
	net, err := fnasSpace().Decode([]int{0, 0, 0, 0, 0, 0, 0, 0})
	if err != nil {
		t.Fatal(err)
	}
	ev := CommandEvaluator{Argv: []string{py, "../examples/pytorch_trainer/trainer.py"}, Timeout: 5 * time.Minute}
	fid := Fidelity{Dataset: "mnist", Train: 256, Val: 128, Test: 128, Epochs: 2, Batch: 32, LR: 0.002, Seed: 1}
	at := func(stop int, ckpt string) Metrics {
		f := fid
		f.Stop = stop
		got, err := ev.Evaluate(context.Background(), Request{Network: net, Space: "fnas_mnist", Threads: 1, Fidelity: f, Checkpoint: ckpt})
		if err != nil {
			t.Fatal(err)
		}
		return got.Metrics
	}
	ckpt := filepath.Join(t.TempDir(), "c.ckpt")
	first := at(1, ckpt)
	if _, err := os.Stat(ckpt); err != nil {
		t.Fatalf("no checkpoint after the first rung: %v", err)
	}
	resumed, whole := at(0, ckpt), at(0, "")
	// The last epoch's mean loss is the same bit for bit only if resumed exactly.
	if l := "train_loss"; resumed[l] != whole[l] || first[l] == whole[l] || whole[l] == 0 {
		t.Errorf("last epoch's training loss after 1 epoch %v, resumed to 2 %v, 2 at once %v: want the last two equal", first[l], resumed[l], whole[l])
	}
	if r := "epochs_run"; first[r] != 1 || resumed[r] != 1 || whole[r] != 2 {
		t.Errorf("epochs run: %v, resuming %v, at once %v; want 1, 1, 2", first[r], resumed[r], whole[r])
	}
}

// A command evaluator's timeout kills its whole process group: a grandchild
// it started in the background does not outlive the trial.
func TestCommandEvaluatorKillsGrandchildren(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	ev := CommandEvaluator{Argv: []string{"sh", "-c", "sleep 300 & echo $! >" + pidFile + "; exec sleep 300"},
		Timeout: 300 * time.Millisecond}
	net, _ := fnasSpace().Decode([]int{0, 0, 0, 1, 0, 2, 0, 2})
	_, err := ev.Evaluate(context.Background(), Request{Network: net})
	if err == nil || !strings.Contains(err.Error(), "timed out after 300ms (the evaluator's timeout setting)") ||
		errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the evaluator's own timeout named", err)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(3 * time.Second); syscall.Kill(pid, 0) == nil; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("grandchild %d outlived the evaluator's timeout", pid)
		}
	}
}

// What a command evaluator prints is bounded: only a tail of its stderr is
// kept, and stdout past its limit fails the trial instead of filling memory.
func TestCommandEvaluatorBoundsOutput(t *testing.T) {
	net, _ := fnasSpace().Decode([]int{0, 0, 0, 1, 0, 2, 0, 2})
	req := Request{Network: net}
	noisy := CommandEvaluator{Argv: []string{"sh", "-c", "cat >/dev/null; head -c 50000000 /dev/zero | tr '\\0' x >&2; echo; echo last line >&2; exit 1"}}
	_, err := noisy.Evaluate(context.Background(), req)
	if err == nil || !strings.HasSuffix(err.Error(), "last line") || len(err.Error()) > 4000 {
		n := 0
		if err != nil {
			n = len(err.Error())
		}
		t.Fatalf("err (%d bytes) does not end in a short stderr tail", n)
	}
	tb := tailBuffer{max: 8}
	for _, s := range []string{"abc", "defghij", "klmnopqrstu", "vw"} {
		tb.Write([]byte(s))
	}
	if string(tb.Bytes()) != "pqrstuvw" {
		t.Fatalf("tail = %q, want %q", tb.Bytes(), "pqrstuvw")
	}
	flood := CommandEvaluator{Argv: []string{"sh", "-c", "cat >/dev/null; printf '{\"accuracy\": 0.5, \"pad\": \"'; exec cat /dev/zero"}}
	_, err = flood.Evaluate(context.Background(), req)
	if err == nil || !strings.Contains(err.Error(), "printed more than 16 MiB on stdout") {
		t.Fatalf("err = %v, want the stdout limit", err)
	}
}
