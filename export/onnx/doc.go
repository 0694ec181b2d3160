// Package onnx writes an arch.Network with its weights as an ONNX model
// (IR version 7, opset 13) and reads back the subset of ONNX it writes, to
// run it with a small reference evaluator that checks an export against the
// training engine's own forward pass.
//
// The model is written with google.golang.org/protobuf's wire encoding
// (protowire) against the field numbers of onnx.proto; no generated code.
// It takes NCHW float32 images as the data set stores them ("input",
// N×C×H×W, N free) and returns the logits before the softmax ("logits",
// N×classes). The training set's per-channel normalisation, when given, is
// the first two nodes (Sub, Mul). Each arch layer becomes standard ops: Conv
// (with group and asymmetric pads), BatchNormalization (kept as its own node
// with the running statistics, not folded), Relu, MaxPool, AveragePool
// (count_include_pad 0, as the engine), GlobalAveragePool, Flatten + Gemm
// for dense layers (weights reordered from the engine's HWC flattening to
// ONNX's CHW), Add for residuals and Concat on channels.
package onnx
