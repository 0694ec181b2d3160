package nb201

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
)

//go:embed data/nasbench201_hw.csv.gz
var tableGz []byte

// LicenseNASLandscapes and LicenseHELP are the MIT notices of the table's
// sources, shipped with it (see data/README.md).
var (
	//go:embed data/LICENSE-nas-landscapes.txt
	LicenseNASLandscapes string
	//go:embed data/LICENSE-help.txt
	LicenseHELP string
)

// Row is one architecture of the benchmark table. Accuracies are in percent,
// as the table gives them.
type Row struct {
	Idx                int     // NAS-Bench-201 index, 0..15624 (idx)
	Arch               string  // canonical cell string (arch_str)
	C10ValidValidAcc   float64 // CIFAR-10 "valid" split accuracy, % — what a search may look at (c10valid_valid_acc)
	C10ValidTestAcc    float64 // test accuracy of the same run, % (c10valid_test_acc)
	C10ValidTrainTimeS float64 // simulated seconds to train 200 epochs (c10valid_train_time_s)
	C10TestAcc         float64 // CIFAR-10 test accuracy, full train set, % — the value to report (c10_test_acc)
	C100TestAcc        float64 // CIFAR-100 test accuracy, % (c100_test_acc)
	IN16TestAcc        float64 // ImageNet16-120 test accuracy, % (in16_test_acc)
	FPGALatencyMs      float64 // HW-NAS-Bench FPGA latency per image, ms (fpga_latency_ms)
	FPGAEnergyMJ       float64 // HW-NAS-Bench FPGA energy per image, mJ (fpga_energy_mJ)
	EyerissLatencyMs   float64 // Eyeriss ASIC latency, ms (eyeriss_latency_ms)
	Raspi4LatencyMs    float64 // Raspberry Pi 4 latency, ms (raspi4_latency_ms)
	Pixel3LatencyMs    float64 // Pixel 3 latency, ms (pixel3_latency_ms)
	Genome             []int   // the cell's genome (parsed from Arch)
}

// Columns are the table's column names in file order.
var Columns = []string{"idx", "arch_str", "c10valid_valid_acc", "c10valid_test_acc", "c10valid_train_time_s",
	"c10_test_acc", "c100_test_acc", "in16_test_acc", "fpga_latency_ms", "fpga_energy_mJ",
	"eyeriss_latency_ms", "raspi4_latency_ms", "pixel3_latency_ms"}

// Metric returns the value of a numeric column by its name in Columns
// ("idx" included), and false for an unknown or non-numeric column.
func (r *Row) Metric(column string) (float64, bool) {
	switch column {
	case "idx":
		return float64(r.Idx), true
	case "c10valid_valid_acc":
		return r.C10ValidValidAcc, true
	case "c10valid_test_acc":
		return r.C10ValidTestAcc, true
	case "c10valid_train_time_s":
		return r.C10ValidTrainTimeS, true
	case "c10_test_acc":
		return r.C10TestAcc, true
	case "c100_test_acc":
		return r.C100TestAcc, true
	case "in16_test_acc":
		return r.IN16TestAcc, true
	case "fpga_latency_ms":
		return r.FPGALatencyMs, true
	case "fpga_energy_mJ":
		return r.FPGAEnergyMJ, true
	case "eyeriss_latency_ms":
		return r.EyerissLatencyMs, true
	case "raspi4_latency_ms":
		return r.Raspi4LatencyMs, true
	case "pixel3_latency_ms":
		return r.Pixel3LatencyMs, true
	}
	return 0, false
}

type table struct {
	rows   []Row           // in benchmark idx order
	byCode [NumCells]int32 // genome Code → position in rows
	byArch map[string]int
}

var (
	loadOnce sync.Once
	loaded   *table
	loadErr  error
)

// Load parses the embedded table on first use and reports whether it is
// intact. Every other accessor calls it; a broken table (a build defect,
// caught by the package tests) makes them panic with this error.
func Load() error {
	loadOnce.Do(func() { loaded, loadErr = parseTable(tableGz) })
	return loadErr
}

func tbl() *table {
	if err := Load(); err != nil {
		panic(err)
	}
	return loaded
}

// Rows returns all rows in the benchmark's idx order. The slice is shared:
// do not modify it.
func Rows() []Row { return tbl().rows }

// Len is the number of rows, NumCells.
func Len() int { return len(tbl().rows) }

// At returns the row with benchmark index idx.
func At(idx int) (Row, bool) {
	t := tbl()
	if idx < 0 || idx >= len(t.rows) {
		return Row{}, false
	}
	return t.rows[idx], true
}

// Lookup returns the row of a canonical cell string.
func Lookup(cell string) (Row, bool) {
	t := tbl()
	i, ok := t.byArch[cell]
	if !ok {
		return Row{}, false
	}
	return t.rows[i], true
}

// LookupGenome returns the row of a genome; it fails only for an invalid genome.
func LookupGenome(g []int) (Row, error) {
	c, err := Code(g)
	if err != nil {
		return Row{}, err
	}
	t := tbl()
	return t.rows[t.byCode[c]], nil
}

func parseTable(gz []byte) (*table, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("nb201 table: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("nb201 table: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	if !sc.Scan() {
		return nil, fmt.Errorf("nb201 table: empty")
	}
	if h := sc.Text(); h != strings.Join(Columns, ",") {
		return nil, fmt.Errorf("nb201 table: header %q, want %q", h, strings.Join(Columns, ","))
	}
	t := &table{rows: make([]Row, 0, NumCells), byArch: make(map[string]int, NumCells)}
	for i := range t.byCode {
		t.byCode[i] = -1
	}
	line := 1
	for sc.Scan() {
		line++
		r, err := parseRow(sc.Text())
		if err != nil {
			return nil, fmt.Errorf("nb201 table line %d: %w", line, err)
		}
		if r.Idx != len(t.rows) {
			return nil, fmt.Errorf("nb201 table line %d: idx %d out of order, want %d", line, r.Idx, len(t.rows))
		}
		c, _ := Code(r.Genome)
		if t.byCode[c] >= 0 {
			return nil, fmt.Errorf("nb201 table line %d: cell %s repeats idx %d", line, r.Arch, t.byCode[c])
		}
		t.byCode[c] = int32(len(t.rows))
		t.byArch[r.Arch] = len(t.rows)
		t.rows = append(t.rows, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("nb201 table: %w", err)
	}
	if len(t.rows) != NumCells {
		return nil, fmt.Errorf("nb201 table: %d rows, want %d", len(t.rows), NumCells)
	}
	return t, nil
}

func parseRow(s string) (Row, error) {
	f := strings.Split(s, ",")
	if len(f) != len(Columns) {
		return Row{}, fmt.Errorf("%d fields, want %d", len(f), len(Columns))
	}
	var r Row
	idx, err := strconv.Atoi(f[0])
	if err != nil {
		return Row{}, fmt.Errorf("idx: %w", err)
	}
	r.Idx, r.Arch = idx, f[1]
	if r.Genome, err = ParseCell(f[1]); err != nil {
		return Row{}, err
	}
	dst := []*float64{&r.C10ValidValidAcc, &r.C10ValidTestAcc, &r.C10ValidTrainTimeS, &r.C10TestAcc,
		&r.C100TestAcc, &r.IN16TestAcc, &r.FPGALatencyMs, &r.FPGAEnergyMJ, &r.EyerissLatencyMs,
		&r.Raspi4LatencyMs, &r.Pixel3LatencyMs}
	for k, p := range dst {
		v, err := strconv.ParseFloat(f[k+2], 64)
		if err != nil {
			return Row{}, fmt.Errorf("column %s: %w", Columns[k+2], err)
		}
		*p = v
	}
	return r, nil
}
