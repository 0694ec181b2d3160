package lut

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/fpga"
)

// Columns are the CSV columns WriteCSV writes and ReadCSV reads: position,
// candidate and latency_ms are required, the others optional (macs and
// cycles are written for reading by people and ignored on input).
var Columns = []string{"position", "candidate", "latency_ms", "energy_mj", "dsp", "bram18", "macs", "cycles"}

// WriteCSV writes t with a header line, one row per candidate.
func (t *Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(Columns)
	for _, p := range t.Positions {
		for _, e := range p.Candidates {
			cw.Write([]string{p.Name, e.Candidate, ftoa(e.LatencyMs), ftoa(e.EnergyMJ), strconv.Itoa(e.DSP),
				strconv.Itoa(e.BRAM18), strconv.FormatInt(e.MACs, 10), strconv.FormatInt(e.Cycles, 10)})
		}
	}
	cw.Flush()
	return cw.Error()
}

func ftoa(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// ReadCSV reads a table of measured per-operation latencies for space: a
// header naming the columns (see Columns), then one row per position and
// candidate, every candidate of every position (and the fixed layers,
// position "fixed", candidate "fixed") exactly once. Lines starting with #
// are comments. Errors name the line and column ("3:12: …"). A measured
// table sums latencies and energies and takes the largest DSP and BRAM18.
func ReadCSV(r io.Reader, space arch.Space, platform string) (*Table, error) {
	t, err := Skeleton(space)
	if err != nil {
		return nil, err
	}
	t.Platform, t.Source = platform, "measured"
	cr := csv.NewReader(r)
	cr.Comment, cr.TrimLeadingSpace, cr.ReuseRecord = '#', true, true
	cols, err := header(cr)
	if err != nil {
		return nil, err
	}
	seen := map[*Entry]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvErr(err)
		}
		if err := t.row(cr, rec, cols, seen); err != nil {
			return nil, err
		}
	}
	return t, t.missing(seen)
}

// Skeleton is the table of space with every position and candidate and no
// figures, the frame ReadCSV fills.
func Skeleton(space arch.Space) (*Table, error) {
	_, cells, names, err := chainCells(space)
	if err != nil {
		return nil, err
	}
	t := &Table{Space: space.Name(), Mode: fpga.Shared}
	return t, t.place(cells, names, func(*cell) (Entry, error) { return Entry{}, nil })
}

// csvErr is a csv.ParseError as "line:col: what".
func csvErr(err error) error {
	if pe, ok := errors.AsType[*csv.ParseError](err); ok {
		return fmt.Errorf("%d:%d: %v", pe.Line, pe.Column, pe.Err)
	}
	return err
}

// header reads the header line: the index of every known column, -1 when
// absent.
func header(cr *csv.Reader) (map[string]int, error) {
	rec, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("1:1: empty file: want a header line " + strings.Join(Columns[:3], ","))
	}
	if err != nil {
		return nil, csvErr(err)
	}
	cols := map[string]int{}
	for i, name := range rec {
		line, col := cr.FieldPos(i)
		name = strings.ToLower(strings.TrimSpace(name))
		if !slices.Contains(Columns, name) {
			return nil, fmt.Errorf("%d:%d: unknown column %q (want %s)", line, col, name, strings.Join(Columns, ", "))
		}
		if _, dup := cols[name]; dup {
			return nil, fmt.Errorf("%d:%d: column %s given twice", line, col, name)
		}
		cols[name] = i
	}
	for _, need := range Columns[:3] {
		if _, ok := cols[need]; !ok {
			return nil, fmt.Errorf("1:1: the header has no %s column (need %s)", need, strings.Join(Columns[:3], ", "))
		}
	}
	return cols, nil
}

// row reads one record into its entry.
func (t *Table) row(cr *csv.Reader, rec []string, cols map[string]int, seen map[*Entry]int) error {
	at := func(col string) (string, string) {
		i := cols[col]
		line, c := cr.FieldPos(i)
		return strings.TrimSpace(rec[i]), fmt.Sprintf("%d:%d", line, c)
	}
	pos, where := at("position")
	p := t.position(pos)
	if p == nil {
		return fmt.Errorf("%s: unknown position %q (space %s has %s)", where, pos, t.Space, t.positionNames())
	}
	cand, where := at("candidate")
	e := p.entry(cand)
	if e == nil {
		return fmt.Errorf("%s: position %s has no candidate %q (it has %s)", where, pos, cand, p.candidateNames())
	}
	line, _ := cr.FieldPos(0)
	if first, dup := seen[e]; dup {
		return fmt.Errorf("%s: %s %s given twice (first on line %d)", where, pos, cand, first)
	}
	seen[e] = line
	lat, err := number(at("latency_ms"))
	if err != nil {
		return err
	}
	e.LatencyMs = lat
	for _, f := range []struct {
		col string
		set func(float64)
	}{{"energy_mj", func(x float64) { e.EnergyMJ = x }}, {"dsp", func(x float64) { e.DSP = int(x) }}, {"bram18", func(x float64) { e.BRAM18 = int(x) }}} {
		if _, ok := cols[f.col]; !ok {
			continue
		}
		x, err := number(at(f.col))
		if err != nil {
			return err
		}
		if f.col != "energy_mj" && (x != math.Trunc(x) || x > 1e9) {
			s, where := at(f.col)
			return fmt.Errorf("%s: %s %q: want a whole number of blocks up to 1e9", where, f.col, s)
		}
		f.set(x)
	}
	return nil
}

// number reads a non-negative finite number.
func number(s, where string) (float64, error) {
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || x < 0 || math.IsInf(x, 0) || math.IsNaN(x) {
		return 0, fmt.Errorf("%s: %q is not a number of zero or more", where, s)
	}
	return x, nil
}

// missing reports the entries no row gave.
func (t *Table) missing(seen map[*Entry]int) error {
	var miss []string
	total := 0
	for i := range t.Positions {
		p := &t.Positions[i]
		for k := range p.Candidates {
			total++
			if _, ok := seen[&p.Candidates[k]]; !ok {
				miss = append(miss, p.Name+" "+p.Candidates[k].Candidate)
			}
		}
	}
	if len(miss) == 0 {
		return nil
	}
	n, more := len(miss), ""
	if n > 4 {
		more = fmt.Sprintf(" and %d more", n-4)
		miss = miss[:4]
	}
	return fmt.Errorf("%d of %d entries missing: %s%s", n, total, strings.Join(miss, "; "), more)
}

func (t *Table) position(name string) *Position {
	for i := range t.Positions {
		if t.Positions[i].Name == name {
			return &t.Positions[i]
		}
	}
	return nil
}

func (p *Position) entry(cand string) *Entry {
	for k := range p.Candidates {
		if p.Candidates[k].Candidate == cand {
			return &p.Candidates[k]
		}
	}
	return nil
}

func (t *Table) positionNames() string {
	var ns []string
	for _, p := range t.Positions {
		ns = append(ns, p.Name)
	}
	return strings.Join(ns, ", ")
}

func (p *Position) candidateNames() string {
	var ns []string
	for _, e := range p.Candidates {
		ns = append(ns, e.Candidate)
	}
	if len(ns) > 6 {
		return strings.Join(ns[:6], ", ") + fmt.Sprintf(" and %d more", len(ns)-6)
	}
	return strings.Join(ns, ", ")
}
