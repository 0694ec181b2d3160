// Package lut owns latency lookup tables: for every searchable position of a
// chain space and every candidate operation there, its latency, energy and
// resources on one FPGA platform, so that a search can add up a child's
// latency from per-position entries instead of running the model on the
// whole network. The idea and the table are FBNet's (Wu et al., "FBNet:
// Hardware-Aware Efficient ConvNet Design via Differentiable Neural
// Architecture Search", CVPR 2019, §3.2): the latency of a network is the sum
// of its operators' latencies, each measured once and looked up.
//
// A table comes from the FPGA model on one platform (Build) or a pool of
// FPGAs on a fixed partition (BuildPool), or from a CSV of measured
// per-operation latencies (ReadCSV). docs/lut.md defines the table, the
// design it is built with and the error of its sums against the model.
package lut

import (
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/fpga"
)

// Fixed names the pseudo-position of the layers no decision touches (the
// head), whose entry every child adds once.
const Fixed = "fixed"

// Entry is one candidate at one position: what the model (or a measurement)
// gives for the layers the candidate puts there.
type Entry struct {
	Candidate string  `json:"candidate"`
	MACs      int64   `json:"macs"`
	Cycles    int64   `json:"cycles,omitempty"` // model tables only
	LatencyMs float64 `json:"latency_ms"`
	EnergyMJ  float64 `json:"energy_mj"`
	DSP       int     `json:"dsp"`    // Shared: the one engine's; Multi: its stage's engine's (fixed: every stage's); Pipeline: the change the candidate makes (may be negative)
	BRAM18    int     `json:"bram18"` // Shared, Multi: its buffers' need; Pipeline: the change it makes
	genes     map[int]int
}

// Position is one layer slot of the space and its candidates.
type Position struct {
	Name       string  `json:"name"`
	Candidates []Entry `json:"candidates"`
	stage      int     // Multi: the stage that runs it
}

// Table is a latency lookup table for one space on one platform.
type Table struct {
	Space     string     `json:"space"`
	Platform  string     `json:"platform"`
	Mode      fpga.Mode  `json:"mode"`
	Design    string     `json:"design,omitempty"` // the shared engine's design (Shared), the partition and engines (Multi)
	Source    string     `json:"source"`           // "model" or "measured"
	Positions []Position `json:"positions"`        // the last is Fixed
	design    fpga.Design
	opts      fpga.Options
	plan      *multiPlan // Multi
}

// Total is the sum of a child's entries.
type Total struct {
	MACs      int64
	Cycles    int64
	LatencyMs float64
	EnergyMJ  float64
	DSP       int // Pipeline: the sum; Shared: the engine's; Multi: every stage's engine's
	BRAM18    int // Pipeline: the sum; Shared: the largest need; Multi: the sum of every stage's largest
}

// Sum adds up the entries a genome of the table's space selects: one
// candidate per position and the fixed entry.
func (t *Table) Sum(genome []int) (Total, error) {
	var s Total
	stageBRAM := map[int]int{}
	for i := range t.Positions {
		p := &t.Positions[i]
		e := p.match(genome)
		if e == nil {
			return Total{}, fmt.Errorf("lut: genome %v selects no candidate at %s", genome, p.Name)
		}
		s.MACs += e.MACs
		s.Cycles += e.Cycles
		s.LatencyMs += e.LatencyMs
		s.EnergyMJ += e.EnergyMJ
		switch t.Mode {
		case fpga.Shared:
			s.DSP, s.BRAM18 = max(s.DSP, e.DSP), max(s.BRAM18, e.BRAM18)
		case fpga.Multi:
			stageBRAM[p.stage] = max(stageBRAM[p.stage], e.BRAM18)
			if p.Name == Fixed {
				s.DSP = e.DSP
			}
		default:
			s.DSP += e.DSP
			s.BRAM18 += e.BRAM18
		}
	}
	for _, b := range stageBRAM {
		s.BRAM18 += b
	}
	return s, nil
}

// match returns the candidate whose genes the genome holds.
func (p *Position) match(genome []int) *Entry {
	for k := range p.Candidates {
		e := &p.Candidates[k]
		ok := true
		for g, v := range e.genes {
			if g >= len(genome) || genome[g] != v {
				ok = false
				break
			}
		}
		if ok {
			return e
		}
	}
	return nil
}

// slot is a layer slot of a chain space: its position name and layer choices.
type slot struct {
	name  string
	layer *arch.ChainLayer
}

// slots lists the layer slots of s in genome order, named as the space names
// their decisions. A block whose repeat count is a range is refused: the
// table needs every position present in every child.
func slots(s *arch.ChainSpace) ([]slot, error) {
	var out []slot
	global := 0
	for b := range s.Blocks {
		blk := &s.Blocks[b]
		if blk.MaxRepeat != blk.MinRepeat {
			return nil, fmt.Errorf("lut: space %s: block %d repeats %d..%d times: a latency table needs a fixed depth (write skip candidates instead, as FBNet does)",
				s.SpaceName, b+1, blk.MinRepeat, blk.MaxRepeat)
		}
		reps := blk.MaxRepeat
		if blk.Shared {
			reps = 1
		}
		for range reps {
			for j := range blk.Layers {
				global++
				name := "layer" + strconv.Itoa(global)
				if blk.Shared {
					name = fmt.Sprintf("block%d.layer%d", b+1, j+1)
				}
				out = append(out, slot{name, &blk.Layers[j]})
			}
		}
		if blk.Shared {
			global += (blk.MaxRepeat - 1) * len(blk.Layers)
		}
	}
	return out, nil
}

// positionOf maps a decoded layer's name to its slot's name: "layer3.dw" to
// "layer3", "block2.repeat1.layer1" to "block2.layer1"; head layers and
// anything else to Fixed.
func positionOf(layer string) string {
	parts := strings.Split(layer, ".")
	switch {
	case strings.HasPrefix(parts[0], "layer"):
		return parts[0]
	case strings.HasPrefix(parts[0], "block") && len(parts) >= 3 && strings.HasPrefix(parts[1], "repeat"):
		return parts[0] + "." + parts[2]
	}
	return Fixed
}

// Header names the columns of Rows.
var Header = []string{"position", "candidate", "MMACs", "latency ms", "energy mJ", "DSP", "BRAM18"}

// Rows is the table as text cells, one row per candidate, for display.
func (t *Table) Rows() [][]string {
	var rows [][]string
	for _, p := range t.Positions {
		for _, c := range p.Candidates {
			rows = append(rows, []string{p.Name, c.Candidate, fmt.Sprintf("%.3f", float64(c.MACs)/1e6), fmt.Sprintf("%.4f", c.LatencyMs),
				fmt.Sprintf("%.4f", c.EnergyMJ), strconv.Itoa(c.DSP), strconv.Itoa(c.BRAM18)})
		}
	}
	return rows
}

// Title is a one-line description of the table.
func (t *Table) Title() string {
	return fmt.Sprintf("latency table of space %s on %s: %s, %s", t.Space, t.Platform, t.Mode, t.Source)
}

// Genes returns the genes that select the candidate (gene index → choice),
// which a search sets to put it in place.
func (e *Entry) Genes() map[int]int { return maps.Clone(e.genes) }

// PositionOf names the position a layer of a decoded child belongs to, by
// the layer's name ("layer3.dw" is at "layer3"), or Fixed for the head.
func PositionOf(layer string) string { return positionOf(layer) }
