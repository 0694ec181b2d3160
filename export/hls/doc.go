// Package hls writes a trial's FPGA design as C++ for Vivado/Vitis HLS: the
// tiled convolution engine of Zhang et al. (FPGA'15) as FNAS's template
// uses it (Jiang et al., DAC'19), with the design's Tm, Tn, Tr, Tc as
// constants, double-buffered tile loads, PIPELINE, ARRAY_PARTITION and
// INTERFACE m_axi pragmas, the network's layer schedule, plain integer
// fixed point with explicit rounding, the quantised weights as a header, a
// C testbench and a Makefile whose csim target builds and runs it with the
// system C++ compiler; and a design report (JSON and README) of the
// fpga model's per-layer predictions.
//
// QNet is the quantised network and its Forward the specification: the
// testbench compares the C++ outputs with Forward's, integer for integer.
package hls
