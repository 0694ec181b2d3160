package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hwnas/hwnas/engine/data"
	"github.com/hwnas/hwnas/engine/nn"
)

// benchTrainReport is what `hwnas bench train` prints.
type benchTrainReport struct {
	Network         string  `json:"network"`
	Dataset         string  `json:"dataset"`
	Batch           int     `json:"batch"`
	Threads         int     `json:"threads"`
	Steps           int     `json:"steps"`
	Images          int64   `json:"images"`
	TrainSeconds    float64 `json:"train_seconds"`
	ImagesPerSecond float64 `json:"images_per_second"`
	// ImagesPerCPUSecond divides by the CPU time the process used while
	// training, which other processes on the machine disturb less (0 with
	// --eval, or where /proc is missing).
	ImagesPerCPUSecond float64 `json:"images_per_cpu_second,omitempty"`
	PeakRSSBytes       int64   `json:"peak_rss_bytes"`
	ModelBytes         int64   `json:"model_bytes"`
	// AchievedGFLOPS counts a training image as 6 FLOPs per MAC of the
	// network (2 forward, 4 backward: the input and the weight gradients);
	// PeakGFLOPS is the machine's FP32 peak on the same threads, measured
	// by a loop of fused multiply-adds (nn.PeakGFLOPS), and PeakShare their ratio.
	AchievedGFLOPS float64 `json:"achieved_gflops"`
	PeakGFLOPS     float64 `json:"peak_gflops"`
	PeakShare      float64 `json:"peak_share"`
	// PeakShareCPU is the same share per second of CPU time: the training's
	// operations per CPU-second over the FMA loop's. On a machine other
	// processes load it still reads as the engine's efficiency while it
	// runs, where PeakShare also counts the time the threads waited for a
	// core (0 with --eval, or where /proc is missing).
	PeakShareCPU float64  `json:"peak_share_cpu,omitempty"`
	FinalLoss    float32  `json:"final_loss"`
	TestAccuracy *float64 `json:"test_accuracy,omitempty"`
	LoadAverage  string   `json:"load_average,omitempty"`
}

// benchTrainFlags are the options of `hwnas bench train`.
type benchTrainFlags struct {
	steps, epochs, batch, threads int
	eval, json                    bool
}

func init() {
	var f benchTrainFlags
	cmd := &cobra.Command{
		Use:   "train",
		Short: "Measure training speed: the reference network on the built-in MNIST",
		Long: `Trains the reference network, conv(32,3x3,same)-ReLU-maxpool2-conv(64,3x3,same)-
ReLU-maxpool2-dense(10), on the full built-in MNIST training set with SGD and
momentum, and prints training images per second and the peak resident memory.
The load average is printed too: other processes on the machine slow it down.`,
		Example: `  hwnas bench train
  hwnas bench train --epochs 1 --eval --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runBenchTrain(cmd, &f) },
	}
	fl := cmd.Flags()
	fl.IntVar(&f.steps, "steps", 300, "training steps to time (ignored with --epochs)")
	fl.IntVar(&f.epochs, "epochs", 0, "train whole epochs instead of --steps")
	fl.IntVar(&f.batch, "batch", 64, "images per step")
	fl.IntVar(&f.threads, "threads", 0, "training threads (0: every core)")
	fl.BoolVar(&f.eval, "eval", false, "also measure test accuracy (not timed)")
	fl.BoolVar(&f.json, "json", false, "print the report as JSON")
	benchCmd.AddCommand(cmd)
}

func runBenchTrain(cmd *cobra.Command, f *benchTrainFlags) error {
	if f.steps < 0 || f.epochs < 0 || f.batch < 1 || f.threads < 0 {
		return &exitError{2, "hwnas bench train: --steps, --epochs and --threads must be at least 0, --batch at least 1"}
	}
	train, test, err := data.MNIST()
	if err != nil {
		return err
	}
	rep, err := benchTrain(cmd.Context(), train, test, f)
	if err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	if f.json {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	writeBenchTrain(w, rep, train.Len())
	return nil
}

// benchTrain trains the reference network on train as f says, timing it,
// and measures its accuracy on test with --eval.
func benchTrain(ctx context.Context, train, test *data.Set, f *benchTrainFlags) (*benchTrainReport, error) {
	cfg := nn.Config{Epochs: max(f.epochs, 1), Batch: f.batch, LR: 0.05, Optimizer: "sgd", Momentum: 0.9,
		Seed: 1, Threads: f.threads}
	if f.epochs == 0 {
		cfg.MaxSteps = f.steps
	}
	var testSet *data.Set
	if f.eval {
		testSet = test
	}
	cpu0 := cpuSeconds()
	res, err := nn.Train(ctx, nn.Reference(), train, nil, testSet, cfg)
	cpu := cpuSeconds() - cpu0
	if err != nil {
		return nil, fmt.Errorf("bench train: %w", err)
	}
	rep := &benchTrainReport{
		Network: nn.Reference().Summary(), Dataset: "mnist", Batch: f.batch, Threads: f.threads,
		Steps: res.Steps, Images: res.Images, TrainSeconds: res.TrainTime.Seconds(),
		ImagesPerSecond: float64(res.Images) / res.TrainTime.Seconds(),
		PeakRSSBytes:    peakRSS(), ModelBytes: res.MemoryBytes, LoadAverage: loadAverage(),
	}
	if cpu > 0 && !f.eval {
		rep.ImagesPerCPUSecond = float64(res.Images) / cpu
	}
	if rep.Threads == 0 {
		rep.Threads = runtime.GOMAXPROCS(0)
	}
	rep.AchievedGFLOPS = rep.ImagesPerSecond * 6 * float64(nn.Reference().MACs()) / 1e9
	t0, cpu0 := time.Now(), cpuSeconds()
	rep.PeakGFLOPS = nn.PeakGFLOPS(rep.Threads, 500*time.Millisecond)
	peakCPU, peakWall := cpuSeconds()-cpu0, time.Since(t0).Seconds()
	rep.PeakShare = rep.AchievedGFLOPS / rep.PeakGFLOPS
	if rep.ImagesPerCPUSecond > 0 && peakCPU > 0 {
		perCPU := rep.PeakGFLOPS * peakWall / peakCPU // the loop's GFLOP per CPU-second
		rep.PeakShareCPU = rep.ImagesPerCPUSecond * 6 * float64(nn.Reference().MACs()) / 1e9 / perCPU
	}
	if len(res.Loss) > 0 {
		rep.FinalLoss = res.Loss[len(res.Loss)-1]
	}
	if f.eval {
		rep.TestAccuracy = &res.TestAccuracy
	}
	return rep, nil
}

// writeBenchTrain prints rep as a table; trainImages is the training set's size.
func writeBenchTrain(w io.Writer, rep *benchTrainReport, trainImages int) {
	fmt.Fprintf(w, "network            %s\n", rep.Network)
	fmt.Fprintf(w, "dataset            mnist train (%d images), batch %d, %d threads\n", trainImages, rep.Batch, rep.Threads)
	fmt.Fprintf(w, "trained            %d steps, %d images in %.2f s, final loss %.4f\n", rep.Steps, rep.Images, rep.TrainSeconds, rep.FinalLoss)
	fmt.Fprintf(w, "images_per_second  %.0f\n", rep.ImagesPerSecond)
	if rep.ImagesPerCPUSecond > 0 {
		fmt.Fprintf(w, "images_per_cpu_s   %.0f (per second of CPU time: less sensitive to other load)\n", rep.ImagesPerCPUSecond)
	}
	fmt.Fprintf(w, "gflops             %.1f achieved, %.1f FP32 peak on %d threads (%.0f%% of peak)\n", rep.AchievedGFLOPS, rep.PeakGFLOPS, rep.Threads, 100*rep.PeakShare)
	if rep.PeakShareCPU > 0 {
		fmt.Fprintf(w, "peak_share_cpu     %.0f%% (per second of CPU time)\n", 100*rep.PeakShareCPU)
	}
	fmt.Fprintf(w, "peak_rss           %.0f MiB (model buffers %.1f MiB)\n", float64(rep.PeakRSSBytes)/(1<<20), float64(rep.ModelBytes)/(1<<20))
	if rep.TestAccuracy != nil {
		fmt.Fprintf(w, "test_accuracy      %.4f\n", *rep.TestAccuracy)
	}
	if rep.LoadAverage != "" {
		fmt.Fprintf(w, "load_average       %s\n", rep.LoadAverage)
	}
}

// peakRSS returns the peak resident set size of this process (Linux's VmHWM),
// or 0 where /proc is not available.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// cpuSeconds returns the user and system CPU time of this process from
// /proc/self/stat (fields 14 and 15, in USER_HZ ticks, 100 per second on
// Linux: proc(5)), or 0 where /proc is not available.
func cpuSeconds() float64 {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 { // the command name may hold spaces
		s = s[i+1:]
	}
	f := strings.Fields(s) // f[0] is field 3 (state)
	if len(f) < 13 {
		return 0
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	k, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return float64(u+k) / 100
}

// loadAverage returns the 1, 5 and 15 minute load averages, or "".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}
