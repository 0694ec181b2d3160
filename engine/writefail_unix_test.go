//go:build linux

package engine

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/internal/hwnastest"
)

// A store that cannot be written (the disk full; here a file size limit,
// which makes writes fail as a full disk does) stops the run at the first
// failed write, with an error saying what was kept. It used to mark every
// trained trial failed, burn the rest of the budget failing and return no
// error.
func TestStoreWriteErrorStopsRun(t *testing.T) {
	dir := t.TempDir()
	st := hwnastest.OpenStore(t, dir)
	db, err := os.Stat(filepath.Join(dir, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	var old syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old)
	lim := old
	lim.Cur = uint64(db.Size() + 96<<10)
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Fatal(err)
	}
	out, err := Run(context.Background(), demoExperiment(&fakeEval{}, 500), Options{Store: st})
	syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old)
	if err == nil || !strings.Contains(err.Error(), `experiment "fnas" stopped at the first failed write to the store`) {
		t.Fatalf("error %v, want the run stopped at the failed write", err)
	}
	if len(out.Trials) == 0 || len(out.Trials) >= 500 {
		t.Fatalf("%d trials, want the run stopped part way", len(out.Trials))
	}
	for _, tr := range out.Trials {
		if tr.Status == store.Failed {
			t.Errorf("trial %d failed (%s): a store error must not fail a trial", tr.ID, tr.Error)
		}
	}
	stored, rerr := st.Trials(out.StoreID)
	if rerr != nil {
		t.Fatal(rerr)
	}
	want := "of its " + itoa(len(out.Trials)) + " finished trials " + itoa(len(stored)) + " are stored and " + itoa(len(out.Trials)-len(stored)) + " only in this run's summary"
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %v\nwant it to say %q", err, want)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
