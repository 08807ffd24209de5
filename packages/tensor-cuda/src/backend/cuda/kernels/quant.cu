// GPTQ dequantization on the device (gptq/src/pack.ts's dequantizeGptq): packed int codes,
// zero points and scales → the float32 weight, written TRANSPOSED as [in, out] so that reads of
// qweight ([in·bits/32, out]) and writes of the weight are both coalesced along `out`; the layer
// then computes x·W with no transpose.
#include "common.cuh"

// Bits [bit, bit + bits) of a little-endian stream of 32-bit words, word w at words[w·stride].
__device__ __forceinline__ unsigned packed_code(const int* __restrict__ words, long long stride, long long bit,
                                                int bits) {
  const long long w = bit >> 5;
  const int shift = (int)(bit & 31);
  unsigned v = (unsigned)words[w * stride] >> shift;
  // 3-bit codes straddle word boundaries.
  if (shift + bits > 32) v |= (unsigned)words[(w + 1) * stride] << (32 - shift);
  return v & ((1u << bits) - 1u);
}

// qweight int32 [in·bits/32, out]; qzeros int32 [groups, out·bits/32] (v2: the zero itself);
// scales float32 [groups, out]; gIdx int32 [in]; wt float32 [in, out].
extern "C" __global__ void dequant_gptq_f32(const int* __restrict__ qweight, const int* __restrict__ qzeros,
                                            const float* __restrict__ scales, const int* __restrict__ gIdx,
                                            float* __restrict__ wt, long long inF, long long outF,
                                            long long groups, int bits, int* err) {
  const long long zeroWords = outF * bits / 32;
  GRID_STRIDE_LOOP(p, inF * outF) {
    long long o;
    const long long i = divmod_nn(p, outF, o);
    const int g = gIdx[i];
    if (g < 0 || g >= groups) {
      if (atomicCAS(err, 0, 1) == 0) {
        err[1] = ERR_DEQUANT_GPTQ;
        err[2] = g;
        err[3] = (int)groups;
      }
      wt[p] = 0.0f;
      continue;
    }
    const unsigned code = packed_code(qweight + o, outF, i * bits, bits);
    const unsigned zero = packed_code(qzeros + (long long)g * zeroWords, 1, o * bits, bits);
    wt[p] = scales[(long long)g * outF + o] * (float)((int)code - (int)zero);
  }
}
