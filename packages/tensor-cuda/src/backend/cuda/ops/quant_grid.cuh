// The min-max quantization grid shared by quant.cu (fake quantization) and gptq.cu, in float32
// step for step like gptq/src/quantizer.ts's gridParams (itself the IST-DASLab reference), since
// a weight on a rounding boundary is decided by the last bit of the scale.
#pragma once

// Scale and zero point of a range [lo, hi] that contains 0.
__device__ __forceinline__ void minmax_grid(float lo, float hi, int maxq, int sym, float& scale, float& zero) {
  float a = lo, b = hi;
  if (sym) {
    b = -a > b ? -a : b;
    // A range without negatives keeps a = 0 (half the levels unused), as the reference does.
    if (a < 0.0f) a = -b;
  }
  if (a == 0.0f && b == 0.0f) {
    a = -1.0f;
    b = 1.0f;
  }
  const float s = __fdiv_rn(__fsub_rn(b, a), (float)maxq);
  scale = s;
  // rint is round-half-even; + 0 turns −0 into 0 as the reference does.
  zero = sym ? (float)((maxq + 1) / 2.0) : rintf(__fdiv_rn(-a, s)) + 0.0f;
}

// Quantizes x on (scale, zero): the integer code, clamped to [0, maxq].
__device__ __forceinline__ float grid_code(float x, float scale, float zero, int maxq) {
  float q = rintf(__fdiv_rn(x, scale)) + zero;
  return q < 0.0f ? 0.0f : q > (float)maxq ? (float)maxq : q;
}
