package nn

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// Training 3 epochs in rungs of 1 and 2 more through a checkpoint (Adam,
// dropout, batch norm, cosine schedule over 3 epochs) gives exactly the
// accuracies of training 3 epochs at once; a checkpoint of another setup is
// ignored, and one past StopEpoch too.
func TestCheckpointResumesExactly(t *testing.T) {
	train, test := mnist(t)
	tr, _ := train.Subset(600, 1)
	te, _ := test.Subset(300, 1)
	cfg := Config{Epochs: 3, Batch: 32, Optimizer: "adam", Dropout: 0.1, Seed: 4, Threads: 1}
	whole, err := Train(context.Background(), leNet5(), tr, nil, te, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ck := filepath.Join(t.TempDir(), "c.ckpt")
	rung := func(stop int, c Config) Result {
		t.Helper()
		c.StopEpoch, c.Checkpoint = stop, ck
		res, err := Train(context.Background(), leNet5(), tr, nil, te, c)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	first := rung(1, cfg)
	if first.Steps != 19 || first.TestAccuracy == whole.TestAccuracy {
		t.Errorf("rung 1: %d steps, accuracy %v (whole run %v)", first.Steps, first.TestAccuracy, whole.TestAccuracy)
	}
	if got := rung(3, cfg); got.TestAccuracy != whole.TestAccuracy || got.Steps != whole.Steps || len(got.Loss) != 2 {
		t.Errorf("resumed to epoch 3: accuracy %v in %d steps, losses %v; whole run %v in %d steps", got.TestAccuracy, got.Steps, got.Loss, whole.TestAccuracy, whole.Steps)
	}
	// The checkpoint now holds epoch 3: past StopEpoch 1, so ignored.
	if got := rung(1, cfg); got.TestAccuracy != first.TestAccuracy {
		t.Errorf("rung 1 again: accuracy %v, want %v", got.TestAccuracy, first.TestAccuracy)
	}
	other := cfg
	other.LR = 0.002
	fresh, _ := Train(context.Background(), leNet5(), tr, nil, te, Config{Epochs: 3, Batch: 32, Optimizer: "adam", Dropout: 0.1, Seed: 4, Threads: 1, LR: 0.002})
	if got := rung(3, other); got.TestAccuracy != fresh.TestAccuracy || got.Steps != fresh.Steps {
		t.Errorf("another learning rate resumed a checkpoint: accuracy %v in %d steps, want %v in %d", got.TestAccuracy, got.Steps, fresh.TestAccuracy, fresh.Steps)
	}
	os.WriteFile(ck, []byte("hwnas checkpoint 1\ngarbage"), 0o644)
	if got := rung(1, cfg); got.TestAccuracy != first.TestAccuracy {
		t.Errorf("a damaged checkpoint: accuracy %v, want a fresh start's %v", got.TestAccuracy, first.TestAccuracy)
	}
}

// FuzzReadCheckpoint: any bytes give an error or a state, never a panic or
// an allocation the model does not have room for.
func FuzzReadCheckpoint(f *testing.F) {
	arrays := [][]float32{make([]float32, 3), make([]float32, 2)}
	var good bytes.Buffer
	good.WriteString(checkpointMagic + "\x02\x00\x00\x00fp\x01\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00")
	good.WriteString("\x03\x00\x00\x00" + string(make([]byte, 12)) + "\x02\x00\x00\x00" + string(make([]byte, 8)))
	if e, st, err := readCheckpoint(bytes.NewReader(good.Bytes()), "fp", arrays, 3); e != 1 || st != 5 || err != nil {
		f.Fatalf("the seed checkpoint reads as epoch %d, steps %d, %v", e, st, err)
	}
	f.Add(good.Bytes())
	f.Add([]byte(checkpointMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		epoch, steps, err := readCheckpoint(bytes.NewReader(b), "fp", arrays, 3)
		if err == nil && (epoch > 3 || steps < 0) {
			t.Fatalf("epoch %d, steps %d", epoch, steps)
		}
	})
}
