// testbench.cpp: C simulation of the hwnas accelerator, written by
// `hwnas export --hls`. It runs the test images through every device of the
// design in order and compares every output with hwnas's quantised forward
// pass (export/hls QNet.Forward), integer for integer. Exit status 0 means
// all match.
#include <cstdio>

#include "hwnas_net.h"
#include "hwnas_weights.h"
#include "testbench_data.h"

static data_t mem[HWNAS_MEM_SIZE];

int main() {
  int mismatches = 0, correct = 0, agree = 0;
  for (int i = 0; i < TB_IMAGES; i++) {
    hwnas_run(tb_images + i * HWNAS_IN_SIZE, hwnas_weights, hwnas_biases, mem);
    const data_t *got = mem + HWNAS_OUT_OFFSET;
    const data_t *want = tb_expected + i * HWNAS_CLASSES;
    int best = 0, wbest = 0;
    for (int k = 0; k < HWNAS_CLASSES; k++) {
      if (got[k] != want[k]) {
        if (mismatches < 10)
          std::printf("image %d class %d: accelerator %d, hwnas %d\n", i, k, (int)got[k], (int)want[k]);
        mismatches++;
      }
      if (got[k] > got[best]) best = k;
      if (want[k] > want[wbest]) wbest = k;
    }
    correct += best == tb_labels[i];
    agree += best == wbest;
  }
  std::printf("csim: %d images, %d outputs differ from hwnas's quantised forward pass; top-1 %d/%d correct\n",
              TB_IMAGES, mismatches, correct, TB_IMAGES);
  return mismatches == 0 && agree == TB_IMAGES ? 0 : 1;
}
