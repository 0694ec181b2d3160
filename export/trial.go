// Package export rebuilds a stored trial for export: its network from the
// genome, its weights by training it again exactly as the run did, and its
// FPGA design from the hardware model; export/onnx and export/hls write
// them out.
//
// The store keeps a trial's genome, network key, design string and metrics,
// not its weights. Training is deterministic for a seed (engine/nn), so the
// weights are recovered by training the network again with the run's seed
// and fidelity, and checked: the retrained accuracy must equal the stored
// one bit for bit, or Load fails.
package export

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine"
	"github.com/hwnas/hwnas/engine/data"
	"github.com/hwnas/hwnas/engine/nn"
	"github.com/hwnas/hwnas/engine/store"
	"github.com/hwnas/hwnas/export/hls"
	"github.com/hwnas/hwnas/export/onnx"
	"github.com/hwnas/hwnas/fpga"
	"github.com/hwnas/hwnas/metric"
)

// ErrOtherSpec is wrapped by Load's error when the experiment given is not
// the one the stored run came from.
var ErrOtherSpec = errors.New("the spec given is not the one the stored run came from")

// Trial is a stored trial ready to export.
type Trial struct {
	Experiment string
	ID         int
	Network    *arch.Network
	Metrics    engine.Metrics // as stored
	// Weights are the trained weights when the built-in trainer trained the
	// trial (Trained), else the initial weights from the run's seed.
	Weights *nn.Weights
	Trained bool
	// Mean and Std normalise the network's inputs, (x − Mean)/Std, when
	// Trained; nil otherwise.
	Mean, Std []float32
	// Design is the trial's FPGA design and Pool the devices it runs on
	// (one device unless Design.Mode is Multi); HasDesign is false when the
	// experiment names no hardware or the trial has no design.
	Design    fpga.Design
	Pool      fpga.Pool
	HasDesign bool
	// Train and Test are the experiment's data set, raw (not normalised),
	// when it trains with the built-in trainer; nil otherwise.
	Train, Test *data.Set
}

// Load finds trial id of the latest stored run of e in st and rebuilds it.
// e must be the experiment the run came from (engine.FromSpec of its spec):
// its hash must match the stored run's. threads bounds the retraining.
func Load(ctx context.Context, st *store.Store, e engine.Experiment, id, threads int) (*Trial, error) {
	out, err := engine.Load(st, e.Name)
	if err != nil {
		return nil, err
	}
	if out.Hash != e.Hash {
		return nil, fmt.Errorf("experiment %s: %w (spec hash %s, stored %s)", e.Name, ErrOtherSpec, e.Hash, out.Hash)
	}
	i := slices.IndexFunc(out.Trials, func(t engine.Trial) bool { return t.ID == id })
	if i < 0 {
		return nil, fmt.Errorf("experiment %s has no trial %d (stored: %d trials, ids 0 to %d)", e.Name, id, len(out.Trials), len(out.Trials)-1)
	}
	st0 := out.Trials[i]
	nArch := len(e.Space.Decisions())
	if len(st0.Genome) < nArch {
		return nil, fmt.Errorf("trial %d: stored genome %v is shorter than the space's %d decisions", id, st0.Genome, nArch)
	}
	net, err := e.Space.Decode(st0.Genome[:nArch])
	if err == nil {
		err = net.Infer()
	}
	if err != nil {
		return nil, fmt.Errorf("trial %d: decoding genome %v: %w", id, st0.Genome, err)
	}
	if net.Key() != st0.NetworkKey {
		return nil, fmt.Errorf("trial %d: the genome decodes to network %s, the store says %s: the space has changed", id, net.Key(), st0.NetworkKey)
	}
	t := &Trial{Experiment: e.Name, ID: id, Network: net, Metrics: st0.Metrics}
	if err := t.design(e, &st0, nArch); err != nil {
		return nil, err
	}
	if err := t.weights(ctx, e, &st0, out.Seed, threads); err != nil {
		return nil, err
	}
	return t, nil
}

// design rebuilds the stored trial's design and checks it is the one stored
// (Score gives the string the run stored, with a calibration's name).
func (t *Trial) design(e engine.Experiment, st *engine.Trial, nArch int) error {
	if e.Hardware.Report == nil || e.Hardware.Score == nil || st.Design == "" {
		return nil
	}
	genes := st.Genome[nArch:]
	d, _, err := e.Hardware.Report(t.Network, genes)
	if err != nil {
		return fmt.Errorf("trial %d: design: %w", t.ID, err)
	}
	s, _, err := e.Hardware.Score(t.Network, genes)
	if err != nil {
		return fmt.Errorf("trial %d: design: %w", t.ID, err)
	}
	if s != st.Design {
		return fmt.Errorf("trial %d: the hardware model now gives design %q, the store has %q (re-run with --rescore)", t.ID, s, st.Design)
	}
	t.Design, t.Pool, t.HasDesign = d, e.Hardware.Pool, true
	return nil
}

// weights trains the network again when the built-in trainer trained it,
// and checks the accuracy is the stored one; otherwise it takes the initial
// weights of the run's seed.
func (t *Trial) weights(ctx context.Context, e engine.Experiment, st *engine.Trial, seed int64, threads int) error {
	te, ok := e.Evaluator.(*engine.TrainEvaluator)
	if ok && te.Load != nil {
		var err error
		if t.Train, t.Test, err = te.Load(); err != nil {
			return fmt.Errorf("loading the data set: %w", err)
		}
	}
	acc, hasAcc := st.Metrics[metric.Accuracy]
	if !ok || !hasAcc || (st.Status != store.Trained && st.Status != store.Cached) {
		w, err := nn.Init(t.Network, uint64(seed))
		t.Weights = w
		return err
	}
	f := e.Fidelity
	f.Seed = seed
	r, err := te.Retrain(ctx, engine.Request{Network: t.Network, Space: e.Space.Name(), Genome: st.Genome[:len(e.Space.Decisions())], Fidelity: f, Threads: threads})
	if err != nil {
		return fmt.Errorf("trial %d: retraining: %w", t.ID, err)
	}
	if got := r.Metrics[metric.Accuracy]; got != acc {
		return fmt.Errorf("trial %d: retraining gave accuracy %v, the store has %v: the weights cannot be reproduced on this machine (another training kernel, AVX2 or portable, or another hwnas version)", t.ID, got, acc)
	}
	t.Weights, t.Trained, t.Mean, t.Std = r.Weights, true, r.Mean, r.Std
	return nil
}

// HLS writes the trial's design as an HLS C++ accelerator into dir (package
// hls), calibrated on calib training images and checked by its testbench
// on tests test images.
func (t *Trial) HLS(dir string, calib, tests int) (*hls.Summary, error) {
	if !t.HasDesign {
		return nil, fmt.Errorf("trial %d has no FPGA design (the experiment names no hardware, or the trial failed before its design)", t.ID)
	}
	if t.Train == nil || t.Test == nil {
		return nil, fmt.Errorf("trial %d: the HLS export needs the experiment's images (to set the fixed-point scales and test), and only the built-in trainer's data sets are read", t.ID)
	}
	size := int(t.Network.Input.Size())
	calib, tests = min(calib, t.Train.Len()), min(tests, t.Test.Len())
	return hls.Write(dir, hls.Input{Name: fmt.Sprintf("trial %d of %s", t.ID, t.Experiment), Network: t.Network,
		Weights: t.Weights, Mean: t.Mean, Std: t.Std, Design: t.Design, Pool: t.Pool,
		Calib: t.Train.X[:calib*size], Test: t.Test.X[:tests*size], Labels: t.Test.Y[:tests]})
}

// WriteONNX writes the trial's network and weights as an ONNX model to path
// (package onnx) and returns its size in bytes.
func (t *Trial) WriteONNX(path string) (int, error) {
	b, err := onnx.Encode(t.Network, t.Weights, onnx.Options{Mean: t.Mean, Std: t.Std, Name: t.Experiment,
		Doc: fmt.Sprintf("hwnas trial %d of experiment %s", t.ID, t.Experiment)})
	if err != nil {
		return 0, err
	}
	return len(b), os.WriteFile(path, b, 0o644)
}

// Describe says which trial this is and where its weights come from.
func (t *Trial) Describe() string {
	s := fmt.Sprintf("trial %d of %s: %s\n", t.ID, t.Experiment, t.Network.Summary())
	if t.Trained {
		return s + fmt.Sprintf("weights: trained again with the run's seed; accuracy %v, as stored\n", t.Metrics[metric.Accuracy])
	}
	return s + "weights: initial (the built-in trainer did not train this trial)\n"
}

// Files writes the ONNX model to onnxPath and the HLS accelerator into
// hlsDir (either may be empty) and says what it wrote, one line each.
func (t *Trial) Files(onnxPath, hlsDir string) (string, error) {
	var b strings.Builder
	if onnxPath != "" {
		n, err := t.WriteONNX(onnxPath)
		if err != nil {
			return b.String(), err
		}
		fmt.Fprintf(&b, "wrote %s: ONNX opset 13, %d bytes\n", onnxPath, n)
	}
	if hlsDir != "" {
		sum, err := t.HLS(hlsDir, HLSCalib, HLSTests)
		if err != nil {
			return b.String(), err
		}
		fmt.Fprintf(&b, "wrote %s: %s design, %d-bit fixed point, %d conv engine(s) on %d device(s), testbench on %d images; check it with make -C %s csim\n",
			hlsDir, t.Design.Mode, sum.Bits, sum.Engines, sum.Devices, sum.Images, hlsDir)
	}
	return b.String(), nil
}

// HLSCalib and HLSTests are the training images that set the fixed-point
// scales of an HLS export and the test images its testbench runs: a few,
// so that C simulation stays quick.
const HLSCalib, HLSTests = 16, 10
