package hls

import (
	"embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hwnas/hwnas/arch"
	"github.com/hwnas/hwnas/engine/nn"
	"github.com/hwnas/hwnas/fpga"
)

//go:embed cpp/hwnas_engine.h cpp/testbench.cpp cpp/Makefile
var static embed.FS

// Input is what an HLS export needs.
type Input struct {
	Name    string // for the README: experiment and trial
	Network *arch.Network
	Weights *nn.Weights
	// Mean and Std normalise the raw images as the trainer did (nil: none).
	Mean, Std []float32
	Design    fpga.Design
	Pool      fpga.Pool // the devices; one unless Design.Mode is Multi
	// Calib are raw NHWC images that set the fraction bits; Test are raw
	// images the testbench runs, with their Labels.
	Calib  []float32
	Test   []float32
	Labels []uint8
}

// Summary is what Write wrote.
type Summary struct {
	Files   []string
	Bits    int
	Engines int
	Devices int
	Images  int
	Report  fpga.Report
}

// Write writes the accelerator of in.Design for in.Network into dir: the
// C++ sources, the testbench and its data, the Makefile, design.json and
// README.md.
func Write(dir string, in Input) (*Summary, error) {
	bits := in.Design.Precision.Bits()
	if in.Design.Precision != fpga.Int16 && in.Design.Precision != fpga.Int8 {
		return nil, fmt.Errorf("hls: the design's precision is %s; the C++ engine is fixed point: int16 or int8", in.Design.Precision)
	}
	size := int(in.Network.Input.Size())
	if size == 0 || len(in.Calib)%size != 0 || len(in.Test)%size != 0 || len(in.Test)/size != len(in.Labels) {
		return nil, fmt.Errorf("hls: %d calibration and %d test values, %d labels, for images of %s", len(in.Calib), len(in.Test), len(in.Labels), in.Network.Input)
	}
	q, err := Quantize(in.Network, in.Weights, in.Mean, in.Std, in.Calib, len(in.Calib)/size, bits)
	if err != nil {
		return nil, err
	}
	rep, err := fpga.EstimatePool(in.Network, in.Pool, in.Design)
	if err != nil {
		return nil, fmt.Errorf("hls: the design's report: %w", err)
	}
	s, err := plan(q, in.Design)
	if err != nil {
		return nil, err
	}
	images, err := q.QuantizeInputs(in.Test, len(in.Labels))
	if err != nil {
		return nil, err
	}
	expected := make([][]int64, len(images))
	each(len(images), func(i int) { expected[i] = q.Forward(images[i]) })
	files := map[string]string{
		"hwnas_config.h": s.config(), "hwnas_net.h": s.header(), "hwnas_net.cpp": s.net(),
		"hwnas_weights.h": s.weights(), "testbench_data.h": testData(images, expected, in.Labels),
		"README.md": readme(in, q, s, &rep),
	}
	j, err := json.MarshalIndent(designJSON(in, q, s, &rep), "", "  ")
	if err != nil {
		return nil, err
	}
	files["design.json"] = string(j) + "\n"
	for _, name := range []string{"hwnas_engine.h", "testbench.cpp", "Makefile"} {
		b, _ := static.ReadFile("cpp/" + name)
		files[name] = string(b)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	sum := &Summary{Bits: bits, Engines: len(s.engines), Devices: s.devices(), Images: len(images), Report: rep}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			return nil, err
		}
		sum.Files = append(sum.Files, name)
	}
	return sum, nil
}

// designReport is design.json: the design, the quantisation and the
// model's per-layer predictions.
type designReport struct {
	Name      string         `json:"name"`
	Design    string         `json:"design"`
	Mode      fpga.Mode      `json:"mode"`
	Precision fpga.Precision `json:"precision"`
	Devices   []string       `json:"devices"`
	Stages    []fpga.Stage   `json:"partition,omitempty"`
	Engines   []engineJSON   `json:"engines"`
	Layers    []layerJSON    `json:"layers"`
	Model     fpga.Report    `json:"model"`
}

type engineJSON struct {
	ID     int   `json:"id"`
	Tiling []int `json:"tm_tn_tr_tc"`
	KMax   int   `json:"kmax"`
	SMax   int   `json:"smax"`
	Layers []int `json:"layers"`
}

type layerJSON struct {
	Index     int    `json:"index"`
	Op        string `json:"op"`
	Engine    int    `json:"engine"` // -1 for vector layers
	FracBits  int    `json:"frac_bits"`
	WFracBits int    `json:"weight_frac_bits,omitempty"`
}

func designJSON(in Input, q *QNet, s *source, rep *fpga.Report) designReport {
	r := designReport{Name: in.Name, Design: in.Design.String(), Mode: in.Design.Mode, Precision: in.Design.Precision,
		Stages: in.Design.Stages, Model: *rep}
	for _, d := range in.Pool.Devices {
		r.Devices = append(r.Devices, d.Name)
	}
	for _, e := range s.engines {
		ej := engineJSON{ID: e.id, Tiling: []int{e.tm, e.tn, e.tr, e.tc}, KMax: e.k, SMax: e.s}
		for i, le := range s.layerE {
			if le == e.id {
				ej.Layers = append(ej.Layers, i)
			}
		}
		r.Engines = append(r.Engines, ej)
	}
	for i, l := range q.Net.Layers {
		r.Layers = append(r.Layers, layerJSON{Index: i, Op: l.Op.String(), Engine: s.layerE[i], FracBits: q.Layers[i].F, WFracBits: q.Layers[i].FW})
	}
	return r
}

// readme is README.md: what the directory holds, how to check it, and the
// model's per-layer table.
func readme(in Input, q *QNet, s *source, rep *fpga.Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# HLS accelerator for %s\n\nWritten by `hwnas export --hls`. Design: `%s`.\n\n", in.Name, in.Design)
	fmt.Fprintf(&b, "%s mode, %d-bit fixed point, %d conv engine(s), %d device(s): %s.\n\n", in.Design.Mode, q.Bits, len(s.engines), s.devices(), strings.Join(designDevices(in), ", "))
	b.WriteString("- `hwnas_engine.h`: the tiled convolution engine (Zhang et al. FPGA'15, as in FNAS's template), pools, add and concat.\n")
	b.WriteString("- `hwnas_config.h`: the fixed-point types and each engine's `<Tm,Tn,Tr,Tc>`.\n")
	b.WriteString("- `hwnas_net.cpp`: one top function per device (`hwnas_devN`) running its layers in order.\n")
	b.WriteString("- `hwnas_weights.h`: quantised weights, batch normalisation folded in.\n")
	b.WriteString("- `testbench.cpp`, `testbench_data.h`: C simulation on test images against hwnas's quantised forward pass.\n")
	b.WriteString("- `design.json`: this design, the fraction bits and the fpga model's report.\n\n")
	fmt.Fprintf(&b, "`make csim` builds the testbench with g++ and runs it; it exits 0 when all %d images' outputs equal hwnas's integer for integer.\n\n", len(in.Labels))
	if len(in.Design.Stages) > 0 {
		b.WriteString("## Partition\n\n| device | board | layers |\n| --- | --- | --- |\n")
		for i, st := range in.Design.Stages {
			fmt.Fprintf(&b, "| %d | %s | %d–%d |\n", i, in.Pool.Devices[st.Device].Name, st.First, st.Last)
		}
		b.WriteString("\nThe inter-FPGA links are not written: `hwnas_run` calls the devices in order on one memory.\n\n")
	}
	fmt.Fprintf(&b, "## What the model predicts\n\n%.3f ms per image (%.0f images/s) at %g MHz; %d DSP, %d BRAM18, %d LUT; bound: %s.\n\n",
		rep.LatencyMs, rep.ThroughputFPS, rep.ClockMHz, rep.DSP, rep.BRAM18, rep.LUT, rep.Bound)
	b.WriteString("| layer | op | engine | tiling | cycles | bound | DSP | BRAM18 | frac bits |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
	for _, l := range rep.Layers {
		fmt.Fprintf(&b, "| %d | %s | %d | %s | %d | %s | %d | %d | %d |\n", l.Index, l.Op, s.layerE[l.Index], l.Tiling, l.Cycles, l.Bound, l.DSP, l.BRAM18, q.Layers[l.Index].F)
	}
	return b.String()
}

func designDevices(in Input) []string {
	if in.Design.Mode != fpga.Multi {
		return []string{in.Pool.Devices[in.Design.Device].Name}
	}
	var out []string
	for _, st := range in.Design.Stages {
		out = append(out, in.Pool.Devices[st.Device].Name)
	}
	return out
}
