package engine

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/internal/hwnastest"
)

// runHelper runs the demo experiment with a slow evaluator on the store in
// HWNAS_RUN_HELPER, printing each finished trial's id, until killed.
func runHelper() int {
	st, err := store.Open(os.Getenv("HWNAS_RUN_HELPER"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if os.Getenv("HWNAS_RUN_SUPERNET") != "" {
		return supernetHelper(st)
	}
	if os.Getenv("HWNAS_RUN_DIFF") != "" {
		return diffHelper(st)
	}
	delay := 30 * time.Millisecond
	if d, err := time.ParseDuration(os.Getenv("HWNAS_RUN_DELAY")); err == nil {
		delay = d
	}
	e := demoExperiment(&fakeEval{delay: delay}, 40)
	e.Parallel = 2
	if name := os.Getenv("HWNAS_RUN_NAME"); name != "" {
		e.Name = name
	}
	_, err = Run(context.Background(), e, Options{Store: st, Progress: func(ev Event) {
		switch ev.Kind {
		case TrialFinished, TrialPruned, TrialCached, TrialFailed:
			fmt.Printf("finished %d\n", ev.Trial)
		}
	}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// TestKilledRunResumes kills a run with SIGKILL mid-search: every trial it
// reported finished is in the store, and the next run resumes from them,
// evaluating only what was left, with the same results as an unbroken run.
func TestKilledRunResumes(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "HWNAS_RUN_HELPER="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	seen := map[int]bool{}
	for len(seen) < 12 && sc.Scan() {
		var id int
		if _, err := fmt.Sscanf(sc.Text(), "finished %d", &id); err == nil {
			seen[id] = true
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if len(seen) < 12 {
		t.Fatalf("helper finished only %d trials before it ended", len(seen))
	}

	st := hwnastest.OpenStore(t, dir)
	if err := st.IntegrityCheck(); err != nil {
		t.Fatal(err)
	}
	es, _ := st.Experiments("fnas")
	if len(es) != 1 {
		t.Fatalf("%d experiments stored", len(es))
	}
	stored, _ := st.Trials(es[0].ID)
	have := map[int]bool{}
	for _, tr := range stored {
		have[tr.Seq] = true
	}
	for id := range seen {
		if !have[id] {
			t.Errorf("trial %d was reported finished but is not in the store", id)
		}
	}

	ev := &fakeEval{}
	e := demoExperiment(ev, 40)
	resumed, err := Run(context.Background(), e, Options{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	if resumed.Counts.Resumed < len(seen) {
		t.Errorf("resumed %d trials, want at least the %d finished before the kill", resumed.Counts.Resumed, len(seen))
	}
	if int(ev.calls.Load()) > resumed.Counts.Trained {
		t.Errorf("evaluator called %d times for %d newly trained trials", ev.calls.Load(), resumed.Counts.Trained)
	}
	fresh, err := Run(context.Background(), demoExperiment(&fakeEval{}, 40), Options{Store: hwnastest.OpenStore(t, t.TempDir())})
	if err != nil {
		t.Fatal(err)
	}
	// A trial killed between caching its accuracy and storing itself comes
	// back "cached" instead of "trained": the results are the same.
	a, b := summary(resumed), summary(fresh)
	for i := range a {
		a[i] = strings.Replace(a[i], " cached ", " trained ", 1)
		if i < len(b) {
			b[i] = strings.Replace(b[i], " cached ", " trained ", 1)
		}
		if i >= len(b) || a[i] != b[i] {
			t.Fatalf("resumed run differs from an unbroken one at trial %d:\n%s\n%s", i, a[i], b[min(i, len(b)-1)])
		}
	}
}

// TestTwoRunsShareAStore runs two searches in two processes on one store at
// once: neither fails on a lock, both keep every trial, the store is intact.
func TestTwoRunsShareAStore(t *testing.T) {
	dir := t.TempDir()
	type proc struct {
		cmd    *exec.Cmd
		stderr *strings.Builder
	}
	var procs []proc
	for _, name := range []string{"first", "second"} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "HWNAS_RUN_HELPER="+dir, "HWNAS_RUN_NAME="+name, "HWNAS_RUN_DELAY=0s")
		p := proc{cmd, &strings.Builder{}}
		cmd.Stderr = p.stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		procs = append(procs, p)
	}
	for _, p := range procs {
		if err := p.cmd.Wait(); err != nil {
			t.Fatalf("%v: %s", err, p.stderr)
		}
	}
	st := hwnastest.OpenStore(t, dir)
	if err := st.IntegrityCheck(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"first", "second"} {
		out, err := Load(st, name)
		if err != nil || len(out.Trials) != 40 {
			t.Fatalf("%s: %v trials, err %v", name, out, err)
		}
	}
}
