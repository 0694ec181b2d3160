package fpga

// The measurements file of a calibration: network,latency_ms[,energy_mj].

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Measurement is one row of a measurements file: a network as the file
// names it (the caller resolves it) and what was measured on the board.
type Measurement struct {
	Line      int // in the file, for errors
	Network   string
	LatencyMs float64
	EnergyMJ  float64 // 0 when not measured
}

// ParseMeasurements reads a measurements CSV (hwnas calibrate's input): the header network,latency_ms
// (and optionally ,energy_mj), then a row per network. Lines starting with #
// are comments.
func ParseMeasurements(r io.Reader) ([]Measurement, error) {
	cr := csv.NewReader(r)
	cr.Comment, cr.FieldsPerRecord, cr.TrimLeadingSpace = '#', -1, true
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	cols := strings.Join(head, ",")
	if cols != "network,latency_ms" && cols != "network,latency_ms,energy_mj" {
		return nil, fmt.Errorf("header %q, want network,latency_ms or network,latency_ms,energy_mj", cols)
	}
	var out []Measurement
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		m, err := measurementRow(rec, len(head), line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		out = append(out, m)
	}
	if len(out) == 0 {
		return nil, errors.New("no measurements after the header")
	}
	return out, nil
}

// measurementRow checks one record of a measurements file with cols columns.
func measurementRow(rec []string, cols, line int) (Measurement, error) {
	if len(rec) != cols {
		return Measurement{}, fmt.Errorf("%d fields, want %d", len(rec), cols)
	}
	m := Measurement{Line: line, Network: strings.TrimSpace(rec[0])}
	if m.Network == "" {
		return m, errors.New("no network")
	}
	names := []string{"latency_ms", "energy_mj"}
	for i, dst := range []*float64{&m.LatencyMs, &m.EnergyMJ}[:cols-1] {
		v, err := strconv.ParseFloat(strings.TrimSpace(rec[i+1]), 64)
		if err != nil || !(v > 0) || v > 1e9 {
			return m, fmt.Errorf("%s %q: want a positive number", names[i], rec[i+1])
		}
		*dst = v
	}
	return m, nil
}
