// Package nn owns the training engine of hwnas: it turns any arch.Network
// into a trainable float32 model (convolution with stride, padding and
// groups, max, average and global average pooling, dense, ReLU, batch
// normalisation, residual add, concat, dropout), trains it with softmax
// cross-entropy under SGD with momentum, Adam or AdamW and a cosine schedule,
// and reports its validation and test accuracy (Train), in float and, on
// request, after post-training quantization to int16, int8 or int4
// (Config.Quantize; QuantizeWeights and CalibrateActivation are the
// quantizers, for anything else that needs integer weights).
//
// Activations are NHWC, one image after another. Convolution and dense
// layers are im2col plus a packed GEMM with AVX2+FMA micro-kernels on amd64
// (kernel_amd64.s), grouped convolutions a GEMM per group, depthwise ones
// vector multiply-adds over the channels (depthwise.go), batch norm and the
// bias/ReLU passes AVX2 row kernels (norm_amd64.s); portable Go kernels
// elsewhere or when built with the purego tag. A ReLU is fused into the
// layer before it, and a gradient with one consumer is written by it rather
// than zeroed and added to. Runs of nodes that split by images go through a
// pass chunk by chunk, one barrier per run (fuse.go). Memory tells what a
// network needs to train before Train allocates it.
//
// Determinism: work is split over fixed chunks of a batch that every thread
// count splits the same way and reduces in the same order, so the same seed
// gives bit-identical results with any number of threads. The AVX2 and the
// portable kernels round differently, so machines with and without AVX2+FMA
// give slightly different numbers.
package nn
