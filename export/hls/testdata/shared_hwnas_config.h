// hwnas_config.h: written by `hwnas export --hls`. Precision int16: 16-bit fixed point.
#ifndef HWNAS_CONFIG_H
#define HWNAS_CONFIG_H
#include <cstdint>

typedef int16_t data_t; // activations: v * 2^-F, F per tensor (hwnas_net.cpp)
typedef int16_t wgt_t;  // weights: v * 2^-Fw, Fw per layer
typedef int64_t acc_t;   // exact sums of products
#define DATA_MAX 32767
#define DATA_MIN (-32767 - 1)

// engine 0: <Tm,Tn,Tr,Tc> = <16,16,7,7>, kernels up to 5, strides up to 2
#define E0_TM 16
#define E0_TN 16
#define E0_TR 7
#define E0_TC 7
#define E0_KMAX 5
#define E0_SMAX 2
#endif
