/* Runs the digits CNN compiled ahead of time by qopt-compile (digits.h
 * and its object) on raw float32 images: argv[1] holds 8x8 images back to
 * back, argv[2] receives 10 logits per image. */
#include "digits.h"

#include <stdio.h>

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s images.f32 logits.f32\n", argv[0]);
    return 2;
  }
#ifdef QOPT_TORCH_JIT_USES_AMX
  if (torch_jit_request_amx() != 0) {
    perror("arch_prctl(ARCH_REQ_XCOMP_PERM)");
    return 1;
  }
#endif
  FILE *in = fopen(argv[1], "rb"), *out = fopen(argv[2], "wb");
  if (!in || !out) {
    perror("fopen");
    return 1;
  }
  float image[64], logits[10];
  int count = 0;
  while (fread(image, sizeof image, 1, in) == 1) {
    torch_jit(image, logits);
    fwrite(logits, sizeof logits, 1, out);
    ++count;
  }
  fclose(in);
  fclose(out);
  printf("aot: %d images\n", count);
  return 0;
}
