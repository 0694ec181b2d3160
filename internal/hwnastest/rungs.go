package hwnastest

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// RungTrainer is a fake command evaluator that trains in rungs of a
// fidelity schedule: a test binary runs it when it is started as the
// evaluator's program. It reads the request (engine.CommandRequest's JSON)
// from stdin; its accuracy after n epochs is base·(1 − 2^−n), with base
// 0.5 + (genome[0] + 2·genome[1])/10. It keeps the epochs it reached in the
// request's checkpoint and prints the epoch it resumed from as
// resumed_from, so a checkpoint lost on the way shows. A request with
// neither a checkpoint nor max_epochs trains its epochs at once.
//
// With $HWNAS_RUNGS_MAX set it wants that max_epochs (or those epochs at
// once); with $HWNAS_RUNGS_LOG it appends "genome epochs from" per request
// to that file; with $HWNAS_RUNGS_BLOCK = n it logs "block" instead and
// waits to be killed when asked to resume a child to n epochs.
func RungTrainer(stdin io.Reader, stdout, stderr io.Writer) int {
	var req struct {
		Genome     []int  `json:"genome"`
		Checkpoint string `json:"checkpoint"`
		Fidelity   struct {
			Epochs    int `json:"epochs"`
			MaxEpochs int `json:"max_epochs"`
		} `json:"fidelity"`
	}
	if err := json.NewDecoder(stdin).Decode(&req); err != nil || len(req.Genome) < 2 {
		fmt.Fprintln(stderr, "bad request:", err)
		return 3
	}
	f, want := req.Fidelity, os.Getenv("HWNAS_RUNGS_MAX")
	from := 0
	if b, err := os.ReadFile(req.Checkpoint); err == nil {
		from, _ = strconv.Atoi(string(b))
	}
	whole := req.Checkpoint == "" && f.MaxEpochs == 0 && (want == "" || strconv.Itoa(f.Epochs) == want)
	if !whole && (!filepath.IsAbs(req.Checkpoint) || f.MaxEpochs == 0 || want != "" && strconv.Itoa(f.MaxEpochs) != want || from >= f.Epochs) {
		fmt.Fprintf(stderr, "bad rung: checkpoint %q, epochs %d of %d, resuming from %d\n", req.Checkpoint, f.Epochs, f.MaxEpochs, from)
		return 4
	}
	line := fmt.Sprintf("%v %d %d\n", req.Genome, f.Epochs, from)
	if strconv.Itoa(f.Epochs) == os.Getenv("HWNAS_RUNGS_BLOCK") && from > 0 {
		line = "block\n"
	}
	if err := appendLine(os.Getenv("HWNAS_RUNGS_LOG"), line); err != nil {
		fmt.Fprintln(stderr, err)
		return 6
	}
	if line == "block\n" {
		time.Sleep(time.Hour)
	}
	if !whole {
		if err := os.WriteFile(req.Checkpoint, []byte(strconv.Itoa(f.Epochs)), 0o644); err != nil {
			fmt.Fprintln(stderr, err)
			return 5
		}
	}
	base := 0.5 + float64(req.Genome[0]+2*req.Genome[1])/10
	fmt.Fprintf(stdout, `{"accuracy": %g, "resumed_from": %d}`+"\n", base*(1-math.Pow(2, -float64(f.Epochs))), from)
	return 0
}

// appendLine appends line to the file path, if path is set.
func appendLine(path, line string) error {
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = f.WriteString(line)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
