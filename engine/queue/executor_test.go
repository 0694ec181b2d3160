package queue

import (
	"context"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hwnas/hwnas/arch/nb201"
	"github.com/hwnas/hwnas/engine"
)

// testWorkerCommand runs this test binary as a worker of the server that
// args name with --nats.
func testWorkerCommand(args ...string) (*exec.Cmd, error) {
	i := slices.Index(args, "--nats")
	if i < 0 || i+1 >= len(args) {
		return nil, exec.ErrNotFound
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), workerEnv+"="+args[i+1])
	return cmd, nil
}

// tableExperiment is an experiment for ApplyExecutor to change.
func tableExperiment() engine.Experiment {
	return engine.Experiment{Name: "exec", Space: nb201.Space{}, Evaluator: engine.TableEvaluator{},
		Fidelity: engine.Fidelity{Dataset: "nasbench201:cifar10"}, Budget: engine.Budget{Trials: 4}, Parallel: 1}
}

// TestApplyExecutorEmbedded: the embedded executor's worker processes
// answer what the local evaluator would. (cmd/hwnas runs whole experiments
// through it, and so does the kernel.)
func TestApplyExecutorEmbedded(t *testing.T) {
	e := tableExperiment()
	cleanup, err := ApplyExecutor(context.Background(), &e, "embedded", ExecutorOptions{Workers: 2, WorkerCommand: testWorkerCommand})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if _, ok := e.Evaluator.(*Evaluator); !ok || e.Parallel != 2 {
		t.Fatalf("evaluator %T, parallel %d: want the queue evaluator and 2", e.Evaluator, e.Parallel)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r := nb201Request(t, []int{1, 2, 3, 1, 2, 3})
	want, err := engine.TableEvaluator{}.Evaluate(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.Evaluator.Evaluate(ctx, r)
	if err != nil || !reflect.DeepEqual(got.Metrics, want.Metrics) {
		t.Errorf("through the workers: %+v, %v; locally %+v", got, err, want)
	}
}

func TestApplyExecutorErrors(t *testing.T) {
	for _, c := range []struct {
		executor string
		ev       engine.Evaluator
		want     string
	}{
		{"kubernetes", engine.TableEvaluator{}, `unknown executor "kubernetes"`},
		{"nats://127.0.0.1:1", engine.TableEvaluator{}, "connecting to NATS at nats://127.0.0.1:1"},
		{"embedded", nil, "no evaluator to run on workers"},
	} {
		e := tableExperiment()
		e.Evaluator = c.ev
		cleanup, err := ApplyExecutor(context.Background(), &e, c.executor, ExecutorOptions{WorkerCommand: testWorkerCommand})
		cleanup()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.executor, err, c.want)
		}
	}
	for _, local := range []string{"", "local"} {
		e := tableExperiment()
		cleanup, err := ApplyExecutor(context.Background(), &e, local, ExecutorOptions{Workers: 3})
		cleanup()
		if err != nil || e.Evaluator != (engine.TableEvaluator{}) || e.Parallel != 1 {
			t.Errorf("executor %q: %v, evaluator %T, parallel %d; want nothing changed", local, err, e.Evaluator, e.Parallel)
		}
	}
}
