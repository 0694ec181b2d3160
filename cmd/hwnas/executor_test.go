package main

import (
	"context"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hwnas/hwnas/arch/nb201"
	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/queue"
	"github.com/hwnas/hwnas/internal/hwnastest"
	"github.com/hwnas/hwnas/metric"
)

// helperArgsEnv makes the test binary run hwnas with these arguments
// (separated by \x1f) in TestHelperHwnas, so that the embedded executor's
// worker processes are this binary.
const helperArgsEnv = "HWNAS_TEST_HELPER_ARGS"

func TestHelperHwnas(t *testing.T) {
	args := os.Getenv(helperArgsEnv)
	if args == "" {
		t.Skip("helper process for the executor tests")
	}
	rootCmd.SetArgs(strings.Split(args, "\x1f"))
	if err := rootCmd.Execute(); err != nil {
		code := 1
		if ee, ok := err.(*exitError); ok {
			code = ee.code
		}
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(code)
	}
	os.Exit(0)
}

func helperWorkers(t *testing.T) {
	t.Helper()
	old := workerCommand
	workerCommand = func(args ...string) (*exec.Cmd, error) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHwnas$")
		cmd.Env = append(os.Environ(), helperArgsEnv+"="+strings.Join(args, "\x1f"))
		return cmd, nil
	}
	t.Cleanup(func() { workerCommand = old })
}

func nb201TableExperiment(trials int) engine.Experiment {
	return engine.Experiment{Name: "exec", Spec: "experiment exec (test)", Space: nb201.Space{},
		Evaluator: engine.TableEvaluator{}, Fidelity: engine.Fidelity{Dataset: "nasbench201:cifar10"},
		Objectives: []engine.Objective{{Metric: metric.Accuracy, Maximize: true}},
		Strategy:   engine.StrategySpec{Kind: "random"}, Budget: engine.Budget{Trials: trials}, Parallel: 1, Seed: 11}
}

func runExperiment(t *testing.T, e engine.Experiment) *engine.Outcome {
	t.Helper()
	st := hwnastest.OpenStore(t, t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := engine.Run(ctx, e, engine.Options{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameTrials(t *testing.T, got, want *engine.Outcome) {
	t.Helper()
	if len(got.Trials) != len(want.Trials) {
		t.Fatalf("%d trials, want %d", len(got.Trials), len(want.Trials))
	}
	for i, g := range got.Trials {
		w := want.Trials[i]
		if !reflect.DeepEqual(g.Genome, w.Genome) || g.Status != w.Status || !reflect.DeepEqual(g.Metrics, w.Metrics) {
			t.Errorf("trial %d: %v %s %v, local %v %s %v", i, g.Genome, g.Status, g.Metrics, w.Genome, w.Status, w.Metrics)
		}
	}
}

// TestExecutorEmbedded: `--executor embedded --workers 2` gives the trials
// of a local run.
func TestExecutorEmbedded(t *testing.T) {
	helperWorkers(t)
	const trials = 20
	local := runExperiment(t, nb201TableExperiment(trials))
	e := nb201TableExperiment(trials)
	cleanup, err := applyExecutor(context.Background(), &e, "embedded", 2)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if _, ok := e.Evaluator.(*queue.Evaluator); !ok || e.Parallel != 2 {
		t.Fatalf("evaluator %T, parallel %d: want the queue evaluator and 2", e.Evaluator, e.Parallel)
	}
	e.Parallel = 1 // keep the trained/cached split of isomorphic cells deterministic (see engine/queue)
	sameTrials(t, runExperiment(t, e), local)
}

// TestExecutorRemote: `--executor nats://…` with the token from the
// environment, and a `hwnas worker` process with it.
func TestExecutorRemote(t *testing.T) {
	helperWorkers(t)
	srv, err := queue.StartServer(queue.ServerConfig{Token: "remote-secret"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	t.Setenv(envNATSToken, "remote-secret")
	cmd, _ := workerCommand("worker", "--nats", srv.URL(), "--concurrency", "2")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()

	const trials = 12
	local := runExperiment(t, nb201TableExperiment(trials))
	e := nb201TableExperiment(trials)
	cleanup, err := applyExecutor(context.Background(), &e, srv.URL(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	sameTrials(t, runExperiment(t, e), local)
}

func TestExecutorErrors(t *testing.T) {
	srv, err := queue.StartServer(queue.ServerConfig{Token: "s"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	t.Setenv(envNATSToken, "")
	for _, c := range []struct {
		executor string
		workers  int
		ev       engine.Evaluator
		want     string
	}{
		{"kubernetes", 0, engine.TableEvaluator{}, `unknown executor "kubernetes"`},
		{"embedded", -1, engine.TableEvaluator{}, "--workers -1"},
		{srv.URL(), 0, engine.TableEvaluator{}, "Authorization Violation"},
		{"nats://127.0.0.1:1", 0, engine.TableEvaluator{}, "connecting to NATS at nats://127.0.0.1:1"},
		{"embedded", 1, nil, "no evaluator to run on workers"},
	} {
		e := nb201TableExperiment(4)
		e.Evaluator = c.ev
		cleanup, err := applyExecutor(context.Background(), &e, c.executor, c.workers)
		cleanup()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.executor, err, c.want)
		}
	}
	e := nb201TableExperiment(4)
	cleanup, err := applyExecutor(context.Background(), &e, "local", 3)
	cleanup()
	if err != nil || e.Evaluator != (engine.TableEvaluator{}) {
		t.Errorf("local executor: %v, evaluator %T", err, e.Evaluator)
	}
}

// TestWorkerCLI: a worker without the server's credentials is refused, and
// bad flags are usage errors.
func TestWorkerCLI(t *testing.T) {
	srv, err := queue.StartServer(queue.ServerConfig{User: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	t.Setenv(envNATSUser, "")
	t.Setenv(envNATSPassword, "")
	t.Setenv(envNATSToken, "")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"worker", "--nats", srv.URL()}, 1, "Authorization Violation"},
		{[]string{"worker", "--nats", srv.URL(), "--user", "u", "--password", "wrong"}, 1, "Authorization Violation"},
		{[]string{"worker"}, 2, "--nats URL is required"},
		{[]string{"worker", "--nats", srv.URL(), "--concurrency", "0"}, 2, "--concurrency 0"},
		{[]string{"worker", "--nats", srv.URL(), "--threads", "-2"}, 2, "--threads -2"},
		{[]string{"worker", "--nats", srv.URL(), "--token", "t", "--user", "u"}, 2, "not both"},
	} {
		_, err := runCLI(t, c.args...)
		ee, ok := err.(*exitError)
		if !ok || ee.code != c.code || !strings.Contains(ee.msg, c.want) {
			t.Errorf("%v: error %v, want exit %d saying %q", c.args, err, c.code, c.want)
		}
	}
}
