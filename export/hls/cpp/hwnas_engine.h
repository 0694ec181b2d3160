// hwnas_engine.h: the tiled convolution engine and the vector layers of an
// hwnas FPGA design, written by `hwnas export --hls`. Plain C++17: it builds
// with g++ for C simulation (the pragmas are ignored) and with Vivado/Vitis
// HLS for synthesis.
//
// The convolution engine is the loop tiling of Zhang et al., "Optimizing
// FPGA-based Accelerator Design for Deep Convolutional Neural Networks"
// (FPGA'15), as FNAS's template uses it (Jiang et al., DAC'19): output
// tiles of TM channels x TR rows x TC columns, input channels in steps of
// TN, a TM x TN array of multipliers fed from on-chip buffers, the next
// input/weight tile loaded into the other half of a double buffer while the
// current one is computed. A dense layer runs on it as a 1x1 convolution of
// a 1x1 map whose channels are the flattened input.
//
// Fixed point: data_t holds v * 2^-F for a per-tensor F; products are summed
// exactly in acc_t (64 bits here; 48 bits, a DSP48's accumulator, hold every
// sum of this network if narrowed); results are rounded half up by an
// arithmetic shift, saturated to data_t, then passed through ReLU.
#ifndef HWNAS_ENGINE_H
#define HWNAS_ENGINE_H

#include "hwnas_config.h"

// Convolution (or dense) layer parameters; tr and tc are this layer's tile
// rows and columns (at most the engine's TR and TC).
struct ConvLayer {
  int N, M, H, W, R, C, K, S, pad, groups;
  int shift; // accumulator fraction bits minus output fraction bits
  int relu;
  int tr, tc;
};

// Pool, global pool, add and concat parameters.
struct VecLayer {
  int C, H, W, R, OC, K, S, pad; // OC: output columns
  int shift, relu;
};

static inline acc_t shift_round(acc_t v, int s) {
  if (s <= 0) return v * ((acc_t)1 << -s);
  return (v + ((acc_t)1 << (s - 1))) >> s; // round half up
}

static inline data_t saturate(acc_t v) {
  if (v > DATA_MAX) return DATA_MAX;
  if (v < DATA_MIN) return DATA_MIN;
  return (data_t)v;
}

static inline data_t finish(acc_t v, int shift, int relu) {
  data_t y = saturate(shift_round(v, shift));
  return (relu && y < 0) ? (data_t)0 : y;
}

// div_round is s / c rounded half away from zero (c > 0).
static inline acc_t div_round(acc_t s, acc_t c) {
  return s >= 0 ? (2 * s + c) / (2 * c) : -((-2 * s + c) / (2 * c));
}

// load_tile fills one half of the input and weight buffers with input
// channels t0 .. t0+TN-1 of group g for the output tile at (row, col, to);
// positions outside the map (the padding) and channels past the layer's
// read as zero.
template <int TM, int TN, int IR, int IC, int KMAX>
void load_tile(data_t ib[TN][IR][IC], wgt_t wb[TM][TN][KMAX][KMAX], const data_t *in, const wgt_t *wts,
               int g, int row, int col, int to, int t0, const ConvLayer &L) {
  const int Mg = L.M / L.groups, Ng = L.N / L.groups;
  const int ir = (L.tr - 1) * L.S + L.K, ic = (L.tc - 1) * L.S + L.K;
  for (int tii = 0; tii < TN; tii++)
    for (int r = 0; r < ir; r++)
      for (int c = 0; c < ic; c++) {
#pragma HLS PIPELINE II=1
        int n = t0 + tii, y = row * L.S - L.pad + r, x = col * L.S - L.pad + c;
        data_t v = 0;
        if (n < Ng && y >= 0 && y < L.H && x >= 0 && x < L.W) v = in[((g * Ng + n) * L.H + y) * L.W + x];
        ib[tii][r][c] = v;
      }
  for (int too = 0; too < TM; too++)
    for (int tii = 0; tii < TN; tii++)
      for (int i = 0; i < L.K; i++)
        for (int j = 0; j < L.K; j++) {
#pragma HLS PIPELINE II=1
          int m = to + too, n = t0 + tii;
          wb[too][tii][i][j] = (m < Mg && n < Ng) ? wts[(((g * Mg + m) * Ng + n) * L.K + i) * L.K + j] : (wgt_t)0;
        }
}

// compute_tile is the TM x TN multiplier array: TM*TN multiply-accumulates
// a cycle over the K x K x tr x tc iterations of one tile.
template <int TM, int TN, int IR, int IC, int KMAX, int TR, int TC>
void compute_tile(data_t ib[TN][IR][IC], wgt_t wb[TM][TN][KMAX][KMAX], acc_t ob[TM][TR][TC], const ConvLayer &L) {
  for (int i = 0; i < L.K; i++)
    for (int j = 0; j < L.K; j++)
      for (int trr = 0; trr < L.tr; trr++)
        for (int tcc = 0; tcc < L.tc; tcc++) {
#pragma HLS PIPELINE II=1
          for (int too = 0; too < TM; too++) {
#pragma HLS UNROLL
            for (int tii = 0; tii < TN; tii++) {
#pragma HLS UNROLL
              ob[too][trr][tcc] += (acc_t)wb[too][tii][i][j] * (acc_t)ib[tii][L.S * trr + i][L.S * tcc + j];
            }
          }
        }
}

// conv_engine runs one convolution (or dense) layer. ENGINE makes every
// engine of a pipeline design a function, and so a circuit, of its own;
// the layers of a shared design all call the same one.
template <int ENGINE, int TM, int TN, int TR, int TC, int KMAX, int SMAX>
void conv_engine(const data_t *in, const wgt_t *wts, const acc_t *bias, data_t *out, const ConvLayer &L) {
#pragma HLS INLINE off
  const int IR = (TR - 1) * SMAX + KMAX, IC = (TC - 1) * SMAX + KMAX;
  // Two halves of each buffer as distinct arrays, so that the tool sees the
  // load of one and the compute on the other as independent.
  static data_t in_a[TN][IR][IC], in_b[TN][IR][IC];
  static wgt_t w_a[TM][TN][KMAX][KMAX], w_b[TM][TN][KMAX][KMAX];
  static acc_t out_buf[TM][TR][TC];
#pragma HLS ARRAY_PARTITION variable=in_a complete dim=1
#pragma HLS ARRAY_PARTITION variable=in_b complete dim=1
#pragma HLS ARRAY_PARTITION variable=w_a complete dim=1
#pragma HLS ARRAY_PARTITION variable=w_a complete dim=2
#pragma HLS ARRAY_PARTITION variable=w_b complete dim=1
#pragma HLS ARRAY_PARTITION variable=w_b complete dim=2
#pragma HLS ARRAY_PARTITION variable=out_buf complete dim=1
  const int Mg = L.M / L.groups, Ng = L.N / L.groups;
  for (int g = 0; g < L.groups; g++)
    for (int row = 0; row < L.R; row += L.tr)
      for (int col = 0; col < L.C; col += L.tc)
        for (int to = 0; to < Mg; to += TM) {
          for (int trr = 0; trr < L.tr; trr++)
            for (int tcc = 0; tcc < L.tc; tcc++) {
#pragma HLS PIPELINE II=1
              for (int too = 0; too < TM; too++) {
#pragma HLS UNROLL
                out_buf[too][trr][tcc] = (to + too < Mg) ? bias[g * Mg + to + too] : 0;
              }
            }
          // Double buffering: tile ti+TN loads into one half while tile ti
          // is computed from the other.
          load_tile<TM, TN, IR, IC, KMAX>(in_a, w_a, in, wts, g, row, col, to, 0, L);
          int p = 0;
          for (int ti = 0; ti < Ng; ti += TN) {
            bool next = ti + TN < Ng;
            if (p == 0) {
              if (next) load_tile<TM, TN, IR, IC, KMAX>(in_b, w_b, in, wts, g, row, col, to, ti + TN, L);
              compute_tile<TM, TN, IR, IC, KMAX, TR, TC>(in_a, w_a, out_buf, L);
            } else {
              if (next) load_tile<TM, TN, IR, IC, KMAX>(in_a, w_a, in, wts, g, row, col, to, ti + TN, L);
              compute_tile<TM, TN, IR, IC, KMAX, TR, TC>(in_b, w_b, out_buf, L);
            }
            p = 1 - p;
          }
          for (int too = 0; too < TM; too++)
            for (int trr = 0; trr < L.tr; trr++)
              for (int tcc = 0; tcc < L.tc; tcc++) {
#pragma HLS PIPELINE II=1
                int m = to + too, y = row + trr, x = col + tcc;
                if (m < Mg && y < L.R && x < L.C)
                  out[((g * Mg + m) * L.R + y) * L.C + x] = finish(out_buf[too][trr][tcc], L.shift, L.relu);
              }
        }
}

// pool_layer is max (MAX = 1) or average pooling over K x K windows, or a
// global average (K = H, the whole map), on lanes channels at a time.
template <int LANES>
void pool_layer(const data_t *in, data_t *out, const VecLayer &L, int is_max) {
  for (int c = 0; c < L.C; c++)
    for (int oy = 0; oy < L.R; oy++)
      for (int ox = 0; ox < L.OC; ox++) {
#pragma HLS PIPELINE II=1
        int y0 = oy * L.S - L.pad, x0 = ox * L.S - L.pad;
        int y1 = y0 + L.K < L.H ? y0 + L.K : L.H, x1 = x0 + L.K < L.W ? x0 + L.K : L.W;
        if (y0 < 0) y0 = 0;
        if (x0 < 0) x0 = 0;
        acc_t v = 0;
        if (y0 < y1 && x0 < x1) {
          acc_t best = in[(c * L.H + y0) * L.W + x0], sum = 0;
          for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++) {
              acc_t e = in[(c * L.H + y) * L.W + x];
              if (e > best) best = e;
              sum += e;
            }
          v = is_max ? best : div_round(sum, (acc_t)((y1 - y0) * (x1 - x0)));
        }
        out[(c * L.R + oy) * L.OC + ox] = finish(v, 0, L.relu);
      }
}

// merge_input adds (add) or copies (concat) one input into the layer's
// accumulator, shifted left to the accumulator's fraction bits.
static inline void merge_input(const data_t *in, acc_t *acc, int n, int lshift, int add) {
  for (int i = 0; i < n; i++) {
#pragma HLS PIPELINE II=1
    acc_t v = (acc_t)in[i] * ((acc_t)1 << lshift);
    acc[i] = add ? acc[i] + v : v;
  }
}

static inline void finish_all(const acc_t *acc, data_t *out, int n, int shift, int relu) {
  for (int i = 0; i < n; i++) {
#pragma HLS PIPELINE II=1
    out[i] = finish(acc[i], shift, relu);
  }
}
#endif
