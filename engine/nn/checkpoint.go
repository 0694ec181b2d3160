package nn

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// A checkpoint is the whole training state after some epochs: every
// parameter with its optimiser moments, the batch norm running statistics,
// the epochs and steps done. Shuffles, dropout and the learning rate are
// functions of the seed, the epoch and the step, so training resumed from a
// checkpoint takes exactly the steps the uninterrupted run takes.
//
// File layout (little-endian): the magic line, the fingerprint (uint32
// length, bytes), epochs done (uint32), steps done (uint64), the number of
// arrays (uint32), then each array as its length (uint32) and float32 values.

const checkpointMagic = "hwnas checkpoint 1\n"

// errStale marks a checkpoint that cannot be resumed: written for another
// network or training setup, past the stop, or damaged.
var errStale = errors.New("checkpoint is for another network or setup")

// fingerprint is what a checkpoint must have been written for to be resumed:
// the network and everything the steps depend on.
func (tr *trainer) fingerprint() string {
	c := tr.cfg
	return fmt.Sprintf("net=%s images=%d epochs=%d batch=%d lr=%g opt=%s mom=%g wd=%g sched=%s drop=%g norm=%v seed=%d max=%d",
		tr.m.net.Key(), tr.set.Len(), c.Epochs, c.Batch, c.LR, c.Optimizer, c.Momentum, c.WeightDecay, c.Schedule, c.Dropout, c.Normalize, c.Seed, c.MaxSteps)
}

// state lists the arrays a checkpoint holds, in file order.
func (m *model) state() [][]float32 {
	var out [][]float32
	for _, p := range m.params {
		out = append(out, p.v)
		if p.m1 != nil {
			out = append(out, p.m1)
		}
		if p.m2 != nil {
			out = append(out, p.m2)
		}
	}
	for _, n := range m.nodes {
		if n.runMean != nil {
			out = append(out, n.runMean, n.runVar)
		}
	}
	return out
}

// saveCheckpoint writes the trainer's state to path, atomically (a
// temporary file renamed over it).
func (tr *trainer) saveCheckpoint(path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ckpt-*")
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriter(tmp)
	fp := tr.fingerprint()
	arrays := tr.m.state()
	put := func(v any) { binary.Write(w, binary.LittleEndian, v) } // errors surface in Flush
	w.WriteString(checkpointMagic)
	put(uint32(len(fp)))
	w.WriteString(fp)
	put(uint32(tr.epoch))
	put(uint64(tr.t))
	put(uint32(len(arrays)))
	for _, a := range arrays {
		put(uint32(len(a)))
		put(a)
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return fmt.Errorf("checkpoint %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("checkpoint %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// loadCheckpoint restores the trainer's state from path. A missing file is
// not an error (nothing to resume); a file for another network or setup, or
// past the epoch training stops at, returns an error wrapping errStale and
// leaves the trainer as it was built.
func (tr *trainer) loadCheckpoint(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	defer f.Close()
	epoch, t, err := readCheckpoint(bufio.NewReader(f), tr.fingerprint(), tr.m.state(), tr.stop())
	if errors.Is(err, errStale) {
		return fmt.Errorf("checkpoint %s: %w", path, err)
	}
	if err != nil { // a damaged file cannot be resumed either
		return fmt.Errorf("checkpoint %s: %w: %v", path, errStale, err)
	}
	tr.epoch, tr.t = epoch, t
	return nil
}

// readCheckpoint checks a checkpoint against the fingerprint, the arrays'
// lengths and the epoch training stops at (a checkpoint past it is stale),
// and only then fills the arrays. It returns the epochs and steps done.
func readCheckpoint(r io.Reader, fp string, arrays [][]float32, stop int) (int, int, error) {
	magic := make([]byte, len(checkpointMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != checkpointMagic {
		return 0, 0, fmt.Errorf("not a checkpoint (bad header)")
	}
	var n uint32
	if err := binary.Read(r, binary.LittleEndian, &n); err != nil || n > 1<<16 {
		return 0, 0, fmt.Errorf("bad fingerprint length")
	}
	got := make([]byte, n)
	if _, err := io.ReadFull(r, got); err != nil {
		return 0, 0, fmt.Errorf("truncated fingerprint")
	}
	if string(got) != fp {
		return 0, 0, errStale
	}
	var head struct {
		Epoch  uint32
		Steps  uint64
		Arrays uint32
	}
	if err := binary.Read(r, binary.LittleEndian, &head); err != nil {
		return 0, 0, fmt.Errorf("truncated header")
	}
	if int(head.Arrays) != len(arrays) || head.Steps > 1<<40 || int(head.Epoch) > stop {
		return 0, 0, errStale
	}
	vals := make([][]float32, len(arrays))
	for i, a := range arrays {
		if err := binary.Read(r, binary.LittleEndian, &n); err != nil || int(n) != len(a) {
			return 0, 0, fmt.Errorf("array %d: length does not match the model", i)
		}
		vals[i] = make([]float32, n)
		if err := binary.Read(r, binary.LittleEndian, vals[i]); err != nil {
			return 0, 0, fmt.Errorf("array %d: truncated", i)
		}
	}
	for i, a := range arrays {
		copy(a, vals[i])
	}
	return int(head.Epoch), int(head.Steps), nil
}
