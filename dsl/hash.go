package dsl

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/dsl/syntax"
	"github.com/hwnas/hwnas/fpga"
)

// hashVersion changes when the meaning of a checked spec changes, so that old
// results are not mistaken for new ones.
const hashVersion = "hwnas-spec-1"

// experimentHash hashes what an experiment's trials depend on: the JSON of
// its checked values in canonical units (space, hardware, dataset,
// evaluator, objectives, constraints, reward, strategy, seed), not the
// source text, so layout and comments do not change it. Declaration names
// are blanked (the experiment's, its space's, dataset's and evaluator's and
// a lone platform's), but the devices of a pool or a hardware search keep
// their names, which for a custom platform is its declared name. A data
// set's directory is hashed as written, relative to the spec. The budget,
// parallelism and executor are left out: trials do not depend on them (the
// engine asks in fixed batches), so raising the budget continues the same
// experiment.
func experimentHash(e *Experiment) string {
	type hw struct {
		Device    *fpga.Platform `json:",omitempty"`
		Precision fpga.Precision `json:",omitempty"`
		Cal       string         `json:",omitempty"` // the calibration's ID
		Pool      *fpga.Pool     `json:",omitempty"`
		Search    *HardwareSearch
	}
	var h hw
	if e.Platform != nil {
		d := e.Platform.Device
		d.Name, d.Aliases = "", nil
		h.Device, h.Precision = &d, e.Platform.Precision
		if c := e.Platform.Calibration; c != nil {
			h.Cal = c.ID()
		}
	}
	if e.Pool != nil {
		h.Pool, h.Precision = &e.Pool.Pool, e.Pool.Precision
	}
	h.Search = e.HardwareSearch
	var ds *Dataset
	if e.Dataset != nil {
		d := *e.Dataset
		d.Name, d.Pos = "", syntax.Pos{}
		d.Path = d.written // not where the spec is checked from
		ds = &d
	}
	ev := *e.Evaluator
	ev.Name, ev.Pos = "", syntax.Pos{}
	canon := struct {
		Version     string
		Space       any
		Hardware    hw
		Dataset     *Dataset
		Evaluator   Evaluator
		Objectives  []Objective
		Constraints []Constraint
		Reward      *Reward
		Strategy    Strategy
		Seed        int64
		Quantize    int `json:",omitempty"` // left out when 0, so older hashes stand
	}{hashVersion, spaceCanon(e.Space), h, ds, ev, e.Objectives, e.Constraints, e.Reward, e.Strategy, e.Seed, e.Quantize}
	b, err := json.Marshal(canon)
	if err != nil {
		// Every field is plain data; a failure here is a bug in this file.
		b = []byte(fmt.Sprintf("%#v", canon))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:24]
}

// spaceCanon returns a space's content without its name.
func spaceCanon(s *Space) any {
	switch sp := s.Space.(type) {
	case *arch.ChainSpace:
		c := *sp
		c.SpaceName = ""
		return struct{ Chain arch.ChainSpace }{c}
	case *arch.CellSpace:
		c := *sp
		c.SpaceName = ""
		return struct{ Cell arch.CellSpace }{c}
	}
	return struct{ Benchmark string }{s.Benchmark}
}

// Hash returns a hash of the whole spec: every experiment's name and hash,
// in declaration order, and the runs.
func (s *Spec) Hash() string {
	h := sha256.New()
	fmt.Fprintln(h, hashVersion)
	for _, n := range s.Order {
		fmt.Fprintf(h, "experiment %s %s\n", n, s.Experiments[n].Hash())
	}
	for _, r := range s.Runs {
		fmt.Fprintf(h, "run %s\n", r)
	}
	return hex.EncodeToString(h.Sum(nil))[:24]
}
