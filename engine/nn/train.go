package nn

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine/data"
)

// Config is the training setup. Zero fields take the defaults of Defaults.
type Config struct {
	Epochs      int     // passes over the training set
	Batch       int     // images per step
	LR          float64 // peak learning rate
	Optimizer   string  // "sgd" (with Momentum), "adam" or "adamw"
	Momentum    float64 // SGD momentum; negative means none
	WeightDecay float64 // L2 (sgd, adam) or decoupled (adamw) decay of conv and dense weights
	Schedule    string  // "cosine" (to zero over all steps) or "constant"
	Dropout     float64 // probability of dropping each input of a dense layer, in [0, 1)
	// Normalize standardises every image with the training set's per-channel
	// mean and standard deviation as batches are assembled, so that the sets
	// themselves need not be copied (data.Set.Normalize copies them).
	Normalize        bool
	Seed             uint64 // every random draw (init, shuffles, dropout) comes from it
	Threads          int    // goroutines; 0 means GOMAXPROCS
	MemoryLimitBytes int64  // refuse a network needing more; 0 means no limit
	MemoryLimitFrom  string // where the limit comes from, for MemoryError (MachineMemoryLimit's from)
	LossEvery        int    // record the mean loss every LossEvery steps; 0 means once per epoch
	MaxSteps         int    // stop after this many steps in all (a fidelity knob); 0 means no limit
	// Quantize lists integer widths (of QuantBits, or any of 2 to 16) at
	// which to measure the trained network's accuracy again after
	// post-training quantization (quantize.go); Result.Quantized has them.
	Quantize []int
	// StopEpoch, when between 1 and Epochs, ends training after that many
	// epochs in all while the schedule still spans Epochs, so that a later
	// call resuming from Checkpoint continues the same run (successive
	// halving's rungs).
	StopEpoch int
	// Checkpoint, when set, is a file: training resumes from it when it holds
	// this network and setup at or before StopEpoch (otherwise it starts
	// afresh), and writes the state to it when it stops.
	Checkpoint string
	// Progress, when set, is called after every step, on the training goroutine.
	Progress func(Progress)
	// Keep, when set, receives a copy of the trained weights (for export).
	Keep *Weights
}

// Defaults returns the setup the zero fields of a Config take: 1 epoch,
// batch 64, SGD with momentum 0.9 at learning rate 0.05, cosine schedule.
// With Adam or AdamW and no LR, the learning rate is 0.001 (Kingma and Ba's).
func Defaults() Config {
	return Config{Epochs: 1, Batch: 64, LR: 0.05, Optimizer: "sgd", Momentum: 0.9, Schedule: "cosine"}
}

// Progress reports one finished step.
type Progress struct {
	Epoch, Epochs int     // 1-based epoch
	Step, Steps   int     // 1-based step over the whole run
	Loss          float32 // mean loss of this step
	Images        int64   // images trained so far
}

// Result is what a training run measured.
type Result struct {
	ValAccuracy  float64       // fraction in [0, 1]; 0 without a validation set
	TestAccuracy float64       // fraction in [0, 1]; 0 without a test set
	Loss         []float32     // mean training loss per epoch, or per LossEvery steps
	TrainTime    time.Duration // wall time of the training steps, without evaluation
	Images       int64         // images trained on (counting repeats)
	Steps        int
	Params       int64 // trainable values
	MemoryBytes  int64 // bytes the model allocated for its batch
	// Quantized are the accuracies after post-training quantization to
	// each width of Config.Quantize, in its order.
	Quantized []QuantResult
}

// ErrDiverged is wrapped by the error of a run whose loss became NaN or infinite.
var ErrDiverged = errors.New("training diverged")

// MemoryError refuses a network whose buffers exceed the memory budget.
type MemoryError struct {
	Need, Limit int64
	Batch       int
	Params      int64
	From        string // where Limit comes from (MachineMemoryLimit), or ""
}

func (e *MemoryError) Error() string {
	s := fmt.Sprintf("network needs %s for batch %d (%s parameters with gradients and optimiser state, activations, gradients and scratch), over the memory limit of %s",
		BytesHuman(e.Need), e.Batch, arch.Human(e.Params), BytesHuman(e.Limit))
	if e.From != "" {
		s += " (" + e.From + ")"
	}
	return s
}

// BytesHuman writes a size in bytes as people read it: "1.5 GiB".
func BytesHuman(b int64) string {
	switch {
	case b == math.MaxInt64:
		return "more than 8 EiB"
	case b >= 1<<40:
		return fmt.Sprintf("%.1f TiB", float64(b)/(1<<40))
	case b >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
	}
	return fmt.Sprintf("%d bytes", b)
}

func (c *Config) fill() error {
	d := Defaults()
	if c.Epochs == 0 {
		c.Epochs = d.Epochs
	}
	if c.Batch == 0 {
		c.Batch = d.Batch
	}
	if c.Optimizer == "" {
		c.Optimizer = d.Optimizer
	}
	if c.LR == 0 {
		c.LR = d.LR
		if c.Optimizer == "adam" || c.Optimizer == "adamw" {
			c.LR = 0.001
		}
	}
	if c.Momentum == 0 && c.Optimizer == "sgd" {
		c.Momentum = d.Momentum
	}
	c.Momentum = max(c.Momentum, 0)
	if c.Schedule == "" {
		c.Schedule = d.Schedule
	}
	if c.Threads <= 0 {
		c.Threads = runtime.GOMAXPROCS(0)
	}
	switch {
	case c.Epochs < 0:
		return fmt.Errorf("epochs %d: want at least 1", c.Epochs)
	case c.Batch < 0:
		return fmt.Errorf("batch %d: want at least 1", c.Batch)
	case !(c.LR > 0) || math.IsInf(c.LR, 0):
		return fmt.Errorf("learning rate %g: want a positive number", c.LR)
	case c.Optimizer != "sgd" && c.Optimizer != "adam" && c.Optimizer != "adamw":
		return fmt.Errorf("optimizer %q: want sgd, adam or adamw", c.Optimizer)
	case c.Schedule != "cosine" && c.Schedule != "constant":
		return fmt.Errorf("schedule %q: want cosine or constant", c.Schedule)
	case !(c.Dropout >= 0 && c.Dropout < 1):
		return fmt.Errorf("dropout %g: want at least 0 and below 1", c.Dropout)
	case c.WeightDecay < 0 || math.IsNaN(c.WeightDecay):
		return fmt.Errorf("weight decay %g: want at least 0", c.WeightDecay)
	case c.Momentum >= 1:
		return fmt.Errorf("momentum %g: want below 1", c.Momentum)
	}
	for _, b := range c.Quantize {
		if err := checkBits(b); err != nil {
			return err
		}
	}
	return nil
}

// Memory returns the bytes a model of net needs to train with cfg (its
// batch, optimiser, dropout and threads), counted the way Train allocates.
func Memory(net *arch.Network, cfg Config) (int64, error) {
	m, err := dryBuild(net, cfg)
	if err != nil {
		return 0, err
	}
	return m.bytes, nil
}

// ActivationMemory returns the part of Memory in buffers that grow with
// the batch: every node's output and its gradient, a convolution's kept
// patches and the per-chunk weight gradients.
func ActivationMemory(net *arch.Network, cfg Config) (int64, error) {
	m, err := dryBuild(net, cfg)
	if err != nil {
		return 0, err
	}
	return m.actBytes, nil
}

// dryBuild is the dry run of the model cfg trains net with.
func dryBuild(net *arch.Network, cfg Config) (*model, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	return build(net, cfg.Batch, cfg.Threads, float32(cfg.Dropout), cfg.Optimizer, true)
}

func checkSet(role string, s *data.Set, net *arch.Network) error {
	if s == nil {
		return nil
	}
	if s.Shape != net.Input {
		return fmt.Errorf("%s set %q: images are %s, the network takes %s", role, s.Name, s.Shape, net.Input)
	}
	if s.Classes > net.Classes {
		return fmt.Errorf("%s set %q: %d classes, the network outputs %d", role, s.Name, s.Classes, net.Classes)
	}
	if err := s.Check(); err != nil {
		return fmt.Errorf("%s set: %w", role, err)
	}
	return nil
}

// Train builds a model of net, trains it on train and measures its accuracy
// on val and test (either may be nil). Cancelling ctx stops it between two
// steps with ctx's error.
func Train(ctx context.Context, net *arch.Network, train, val, test *data.Set, cfg Config) (res Result, err error) {
	defer func() {
		// A bug in the engine must fail one evaluation, not the whole search.
		if r := recover(); r != nil {
			stack := debug.Stack()
			if p, ok := r.(*panicked); ok {
				r, stack = p.value, p.stack
			}
			err = fmt.Errorf("training engine: internal error (please report it): %v\n%s", r, stack)
		}
	}()
	if err := cfg.fill(); err != nil {
		return res, fmt.Errorf("training setup: %w", err)
	}
	if err := checkSets(net, train, val, test); err != nil {
		return res, err
	}
	m, err := newModel(net, train, &cfg, &res)
	if err != nil {
		return res, err
	}
	start := time.Now()
	tr := trainer{m: m, cfg: &cfg, set: train, res: &res}
	if err := tr.resume(); err != nil {
		return res, err
	}
	if err := tr.run(ctx); err != nil {
		return res, err
	}
	if cfg.Checkpoint != "" {
		if err := tr.saveCheckpoint(cfg.Checkpoint); err != nil {
			return res, err
		}
	}
	tr.flushLoss()
	res.TrainTime = time.Since(start)
	if cfg.Keep != nil {
		*cfg.Keep = *m.weights()
	}
	if res.ValAccuracy, err = m.accuracy(ctx, val); err != nil {
		return res, fmt.Errorf("validation: %w", err)
	}
	if res.TestAccuracy, err = m.accuracy(ctx, test); err != nil {
		return res, fmt.Errorf("test: %w", err)
	}
	if len(cfg.Quantize) > 0 {
		if res.Quantized, err = m.quantized(ctx, cfg.Quantize, train, val, test, cfg.Seed); err != nil {
			return res, fmt.Errorf("post-training quantization: %w", err)
		}
	}
	return res, nil
}

// checkSets checks that net and the data sets fit each other.
func checkSets(net *arch.Network, train, val, test *data.Set) error {
	if train == nil || train.Len() == 0 {
		return fmt.Errorf("training set is empty")
	}
	if err := net.Infer(); err != nil {
		return fmt.Errorf("network: %w", err)
	}
	for _, s := range []struct {
		role string
		set  *data.Set
	}{{"training", train}, {"validation", val}, {"test", test}} {
		if err := checkSet(s.role, s.set, net); err != nil {
			return err
		}
	}
	return nil
}

// newModel builds the model of net that cfg trains, once its dry run fits
// the memory limit, initialised from the seed and with train's statistics
// when cfg normalises. It sets res.Params and res.MemoryBytes.
func newModel(net *arch.Network, train *data.Set, cfg *Config, res *Result) (*model, error) {
	dry, err := build(net, cfg.Batch, cfg.Threads, float32(cfg.Dropout), cfg.Optimizer, true)
	if err != nil {
		return nil, err
	}
	res.Params = net.Params()
	if cfg.MemoryLimitBytes > 0 && dry.bytes > cfg.MemoryLimitBytes {
		return nil, &MemoryError{Need: dry.bytes, Limit: cfg.MemoryLimitBytes, Batch: cfg.Batch, Params: res.Params, From: cfg.MemoryLimitFrom}
	}
	m, err := build(net, cfg.Batch, cfg.Threads, float32(cfg.Dropout), cfg.Optimizer, false)
	if err != nil {
		return nil, err
	}
	res.MemoryBytes = m.bytes
	m.init(cfg.Seed)
	if cfg.Normalize {
		mean, std := train.Stats()
		m.mean, m.invStd = mean, make([]float32, len(std))
		for i, s := range std {
			m.invStd[i] = 1 / max(s, 1e-6)
		}
	}
	return m, nil
}

// trainer runs the training steps of Train and records their losses.
type trainer struct {
	m     *model
	cfg   *Config
	set   *data.Set
	res   *Result
	total int // steps in all
	t     int // steps done
	epoch int // epochs done

	window  float64 // sum of the losses not yet recorded
	windowN int
}

// run trains for cfg.Epochs epochs or cfg.MaxSteps steps, whichever ends first.
func (tr *trainer) run(ctx context.Context) error {
	cfg := tr.cfg
	n := tr.set.Len()
	perEpoch := (n + cfg.Batch - 1) / cfg.Batch
	tr.total = perEpoch * cfg.Epochs
	if cfg.MaxSteps > 0 {
		tr.total = min(tr.total, cfg.MaxSteps)
	}
	for epoch := tr.epoch; epoch < tr.stop(); epoch++ {
		tr.epoch = epoch
		order := data.Permutation(n, cfg.Seed^uint64(epoch+1)*0x9e3779b97f4a7c15)
		for b0 := 0; b0 < n; b0 += cfg.Batch {
			if tr.t == tr.total {
				return nil
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := tr.step(epoch, order[b0:min(b0+cfg.Batch, n)]); err != nil {
				return err
			}
		}
		if cfg.LossEvery == 0 {
			tr.flushLoss()
		}
		tr.epoch = epoch + 1
	}
	return nil
}

// stop is the number of epochs this call trains up to.
func (tr *trainer) stop() int {
	if s := tr.cfg.StopEpoch; s > 0 && s < tr.cfg.Epochs {
		return s
	}
	return tr.cfg.Epochs
}

// resume loads Config.Checkpoint when it has one to resume; a stale one is
// ignored, and training starts from the model as built.
func (tr *trainer) resume() error {
	if tr.cfg.Checkpoint == "" {
		return nil
	}
	if err := tr.loadCheckpoint(tr.cfg.Checkpoint); err != nil && !errors.Is(err, errStale) {
		return err
	}
	return nil
}

// step trains on the images idx of the training set.
func (tr *trainer) step(epoch int, idx []int) error {
	m, cfg, res := tr.m, tr.cfg, tr.res
	nb := len(idx)
	tr.set.Gather(idx, m.input, m.labels)
	m.normalize(nb)
	m.forward(nb, true, cfg.Seed, uint64(tr.t))
	m.zeroGrads(nb)
	loss := m.softmaxLoss(nb, m.labels, true)
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return fmt.Errorf("%w: loss is %g at epoch %d, step %d (learning rate %g)", ErrDiverged, loss, epoch+1, tr.t+1, lrAt(cfg, tr.t, tr.total))
	}
	m.backward(nb)
	tr.t++
	m.step(cfg, lrAt(cfg, tr.t-1, tr.total), tr.t)
	res.Images += int64(nb)
	res.Steps = tr.t
	tr.window += loss
	tr.windowN++
	if cfg.LossEvery > 0 && tr.windowN == cfg.LossEvery {
		tr.flushLoss()
	}
	if cfg.Progress != nil {
		cfg.Progress(Progress{Epoch: epoch + 1, Epochs: cfg.Epochs, Step: tr.t, Steps: tr.total, Loss: float32(loss), Images: res.Images})
	}
	return nil
}

// flushLoss records the mean loss of the steps since the last record, if any.
func (tr *trainer) flushLoss() {
	if tr.windowN > 0 {
		tr.res.Loss = append(tr.res.Loss, float32(tr.window/float64(tr.windowN)))
		tr.window, tr.windowN = 0, 0
	}
}

// normalize standardises the first nb input images when Config.Normalize is set.
func (m *model) normalize(nb int) {
	if m.mean == nil {
		return
	}
	c := len(m.mean)
	x := m.input[:nb*m.inSize]
	for i := 0; i < len(x); i += c {
		for ch := range c {
			x[i+ch] = (x[i+ch] - m.mean[ch]) * m.invStd[ch]
		}
	}
}

// accuracy returns the fraction of s classified correctly in eval mode.
func (m *model) accuracy(ctx context.Context, s *data.Set) (float64, error) {
	if s == nil || s.Len() == 0 {
		return 0, nil
	}
	k := m.net.Classes
	correct := 0
	idx := make([]int, m.batch)
	for b0 := 0; b0 < s.Len(); b0 += m.batch {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		nb := min(m.batch, s.Len()-b0)
		for i := range nb {
			idx[i] = b0 + i
		}
		s.Gather(idx[:nb], m.input, m.labels)
		m.normalize(nb)
		m.forward(nb, false, 0, 0)
		out := m.nodes[m.out].out
		for i := range nb {
			z := out[i*k : (i+1)*k]
			best := 0
			for j, v := range z {
				if v > z[best] {
					best = j
				}
			}
			if best == int(m.labels[i]) {
				correct++
			}
		}
	}
	return float64(correct) / float64(s.Len()), nil
}
