// Package fpga owns the FPGA side of hwnas: the platform catalog, numeric
// precisions, and the analytical performance, resource and power model that
// turns an arch.Network plus a Design into a Report in microseconds.
//
// The model is the loop-tiling model of Zhang et al. (FPGA'15) with the
// memory-overlapped cycle form of FNAS (DAC'19) and HotNAS (CODES+ISSS'20):
// every conv or dense layer is tiled as <Tm,Tn,Tr,Tc>, tile loads overlap tile
// compute (double buffering), and the off-chip bandwidth roofline caps every
// layer. Three modes combine layers into a network figure, and the choice is
// recorded in every Report:
//
//   - Shared: one engine reused by all layers; latency is the sum of layers.
//   - Pipeline: one engine per layer on one device (DSP and BRAM split);
//     throughput is set by the slowest stage, latency is the sum of stages.
//   - Multi: contiguous stages on the devices of a Pool joined by links;
//     throughput is set by the slowest stage or link.
//
// Optimize searches legal tilings (with pruning) and, over a Pool, partitions
// the network into stages by dynamic programming. HWSpace exposes hardware
// choices as genes for co-exploration. docs/fpga-model.md gives every formula
// and the validation table. fpga depends only on arch (and internal/suggest
// for "did you mean").
package fpga
