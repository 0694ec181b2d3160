// Package nn owns the training engine of hwnas: it turns any arch.Network
// into a trainable float32 model (convolution with stride, padding and
// groups, max, average and global average pooling, dense, ReLU, batch
// normalisation, residual add, concat, dropout), trains it with softmax
// cross-entropy under SGD with momentum, Adam or AdamW and a cosine schedule,
// and reports its validation and test accuracy.
//
// Activations are NHWC, one image after another. Convolution and dense
// layers are im2col plus a packed GEMM with an AVX2+FMA micro-kernel on amd64
// (a portable Go kernel elsewhere). Work is split over fixed chunks of a batch
// that every thread count splits the same way and reduces in the same order,
// so the same seed gives bit-identical results with any number of threads.
package nn
