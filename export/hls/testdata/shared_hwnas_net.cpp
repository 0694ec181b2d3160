// hwnas_net.cpp: the layer schedule, written by `hwnas export --hls`.
#include "hwnas_engine.h"
#include "hwnas_net.h"

// Device 0: layers 0 to 10.
void hwnas_dev0(const data_t *image, const wgt_t *weights, const acc_t *biases, data_t *mem) {
#pragma HLS INTERFACE m_axi port=image offset=slave bundle=gmem_image depth=784
#pragma HLS INTERFACE m_axi port=weights offset=slave bundle=gmem_weights depth=2864
#pragma HLS INTERFACE m_axi port=biases offset=slave bundle=gmem_biases depth=62
#pragma HLS INTERFACE m_axi port=mem offset=slave bundle=gmem_mem depth=12386
#pragma HLS INTERFACE s_axilite port=return
  static acc_t acc[3136]; // add and concat accumulators
  // layer 0: conv 28x28x1 -> 14x14x8, output fraction bits 11
  { static const ConvLayer L = {1, 8, 28, 28, 14, 14, 5, 2, 2, 1, 16, 1, 1, 1};
    conv_engine<0, E0_TM, E0_TN, E0_TR, E0_TC, E0_KMAX, E0_SMAX>(image, weights + 0, biases + 0, mem + 0, L); }
  // layer 1: conv 14x14x8 -> 14x14x8, output fraction bits 12
  { static const ConvLayer L = {8, 8, 14, 14, 14, 14, 3, 1, 1, 8, 12, 1, 1, 1};
    conv_engine<0, E0_TM, E0_TN, E0_TR, E0_TC, E0_KMAX, E0_SMAX>(mem + 0, weights + 200, biases + 8, mem + 1568, L); }
  // layer 2: conv 14x14x8 -> 14x14x8, output fraction bits 11
  { static const ConvLayer L = {8, 8, 14, 14, 14, 14, 4, 1, 1, 2, 17, 0, 2, 2};
    conv_engine<0, E0_TM, E0_TN, E0_TR, E0_TC, E0_KMAX, E0_SMAX>(mem + 1568, weights + 272, biases + 16, mem + 3136, L); }
  // layer 3: add 14x14x8 -> 14x14x8, output fraction bits 10
  merge_input(mem + 0, acc, 1568, 0, 0);
  merge_input(mem + 3136, acc, 1568, 0, 1);
  finish_all(acc, mem + 4704, 1568, 1, 1);
  // layer 4: avgpool 14x14x8 -> 14x14x8, output fraction bits 10
  { static const VecLayer L = {8, 14, 14, 14, 14, 3, 1, 1, 0, 0};
    pool_layer<16>(mem + 4704, mem + 6272, L, 0); }
  // layer 5: concat 14x14x8 -> 14x14x16, output fraction bits 10
  merge_input(mem + 4704, acc + 0, 1568, 0, 0);
  merge_input(mem + 6272, acc + 1568, 1568, 0, 0);
  finish_all(acc, mem + 7840, 3136, 0, 0);
  // layer 6: maxpool 14x14x16 -> 7x7x16, output fraction bits 10
  { static const VecLayer L = {16, 14, 14, 7, 7, 2, 2, 0, 0, 0};
    pool_layer<16>(mem + 7840, mem + 10976, L, 1); }
  // layer 7: conv 7x7x16 -> 7x7x12, output fraction bits 11
  { static const ConvLayer L = {16, 12, 7, 7, 7, 7, 3, 1, 1, 1, 15, 1, 7, 7};
    conv_engine<0, E0_TM, E0_TN, E0_TR, E0_TC, E0_KMAX, E0_SMAX>(mem + 10976, weights + 784, biases + 24, mem + 11760, L); }
  // layer 8: gap 7x7x12 -> 1x1x12, output fraction bits 11
  { static const VecLayer L = {12, 7, 7, 1, 1, 7, 1, 0, 0, 0};
    pool_layer<16>(mem + 11760, mem + 12348, L, 0); }
  // layer 9: dense 1x1x12 -> 1x1x16, output fraction bits 13
  { static const ConvLayer L = {12, 16, 1, 1, 1, 1, 1, 1, 0, 1, 12, 1, 1, 1};
    conv_engine<0, E0_TM, E0_TN, E0_TR, E0_TC, E0_KMAX, E0_SMAX>(mem + 12348, weights + 2512, biases + 36, mem + 12360, L); }
  // layer 10: dense 1x1x16 -> 1x1x10, output fraction bits 13
  { static const ConvLayer L = {16, 10, 1, 1, 1, 1, 1, 1, 0, 1, 15, 0, 1, 1};
    conv_engine<0, E0_TM, E0_TN, E0_TR, E0_TC, E0_KMAX, E0_SMAX>(mem + 12360, weights + 2704, biases + 52, mem + 12376, L); }
}

void hwnas_run(const data_t *image, const wgt_t *weights, const acc_t *biases, data_t *mem) {
  hwnas_dev0(image, weights, biases, mem);
}
