// GPTQ dequantization on the device (gptq/src/pack.ts's dequantizeGptq): packed int codes,
// zero points and scales → the float32 weight, written TRANSPOSED as [in, out] so that reads of
// qweight ([in·bits/32, out]) and writes of the weight are both coalesced along `out`; the layer
// then computes x·W with no transpose.
#include "common.cuh"
#include "quant_grid.cuh"

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

// y = x·Wᵀ straight from the packed codes, for a few rows of x (token-by-token decoding): the
// float weight is never formed, so each step reads bits/32 of what a float32 GEMV reads. Thread
// o owns output channel o (qweight reads coalesced along out) for the input rows of its K chunk
// blockIdx.y, with x's chunk staged in shared memory; the chunks' partial sums go to
// partial [kChunks, M, out] and are summed by the host's reduction (deterministic, unlike atomics).
#define GEMV_MAX_ROWS 8
#define GEMV_CHUNK 256
extern "C" __global__ void gptq_gemv_f32(const float* __restrict__ x, const int* __restrict__ qweight,
                                         const int* __restrict__ qzeros, const float* __restrict__ scales,
                                         const int* __restrict__ gIdx, float* __restrict__ partial, long long M,
                                         long long inF, long long outF, long long groups, int bits, int* err) {
  __shared__ float xs[GEMV_MAX_ROWS][GEMV_CHUNK];
  const long long k0 = (long long)blockIdx.y * GEMV_CHUNK;
  const long long k1 = k0 + GEMV_CHUNK < inF ? k0 + GEMV_CHUNK : inF;
  for (long long p = threadIdx.x; p < M * GEMV_CHUNK; p += blockDim.x) {
    const long long m = p / GEMV_CHUNK, i = p % GEMV_CHUNK;
    xs[m][i] = k0 + i < inF ? x[m * inF + k0 + i] : 0.0f;
  }
  __syncthreads();
  const long long o = (long long)blockIdx.x * blockDim.x + threadIdx.x;
  if (o >= outF) return;
  const long long zeroWords = outF * bits / 32;
  float acc[GEMV_MAX_ROWS];
  for (int m = 0; m < GEMV_MAX_ROWS; ++m) acc[m] = 0.0f;
  // Widths that divide 32 (2, 4, 8) take one load per word and unpack it in registers (chunks
  // start on word boundaries: 256·bits/32 words); 3-bit codes straddle words and go one by one.
  // A group's scale and zero are reloaded only when g_idx changes, which in file order is once
  // per group.
  const int perWord = 32 % bits == 0 ? 32 / bits : 1;
  const unsigned mask = (1u << bits) - 1u;
  int gPrev = -1;
  float scale = 0.0f;
  int zero = 0;
  for (long long i = k0; i < k1; i += perWord) {
    unsigned word = 0;
    if (perWord > 1) word = (unsigned)qweight[(i * bits >> 5) * outF + o];
    const int n = i + perWord <= k1 ? perWord : (int)(k1 - i);
    for (int t = 0; t < n; ++t) {
      const long long k = i + t;
      const int g = gIdx[k];
      if (g != gPrev) {
        if (g < 0 || g >= groups) {
          if (atomicCAS(err, 0, 1) == 0) {
            err[1] = ERR_GPTQ_MATMUL;
            err[2] = g;
            err[3] = (int)groups;
          }
          continue;
        }
        gPrev = g;
        scale = scales[(long long)g * outF + o];
        zero = (int)packed_code(qzeros + (long long)g * zeroWords, 1, o * bits, bits);
      }
      const unsigned code =
          perWord > 1 ? (word >> (t * bits)) & mask : packed_code(qweight + o, outF, k * bits, bits);
      // The weight exactly as dequant_gptq_f32 forms it.
      const float w = scale * (float)((int)code - zero);
      for (int m = 0; m < GEMV_MAX_ROWS; ++m)
        if (m < M) acc[m] += xs[m][k - k0] * w;
    }
  }
  for (long long m = 0; m < M; ++m) partial[((long long)blockIdx.y * M + m) * outF + o] = acc[m];
}

// ---- fake quantization (switchable-quant's fake-quant.ts, gptq's gridParams) ----
// Weight w [out, in]; groups are runs of groupLen input columns (the last may be shorter);
// scale and zero [groups, out] float32. Arithmetic mirrors the TypeScript reference step by step
// (float32 roundings where it rounds, double where it computes in JS numbers).

// Min-max grid of one (group, output channel): one thread each.
extern "C" __global__ void quant_grid_f32(const float* __restrict__ w, float* __restrict__ scale,
                                          float* __restrict__ zero, long long out, long long inF,
                                          long long groupLen, long long groups, int maxq, int sym) {
  GRID_STRIDE_LOOP(k, groups * out) {
    long long o;
    const long long g = divmod_nn(k, out, o);
    const long long c1 = (g + 1) * groupLen < inF ? (g + 1) * groupLen : inF;
    // The range always contains 0 (gptq's gridParams starts lo and hi at 0).
    float lo = 0.0f, hi = 0.0f;
    const float* row = w + o * inF;
    for (long long i = g * groupLen; i < c1; ++i) {
      const float v = row[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    minmax_grid(lo, hi, maxq, sym, scale[k], zero[k]);
  }
}

// ŵ = s·(clamp(round(w/s) + z, 0, maxq) − z), the clip mask (STE) and, when ds != 0, ∂ŵ/∂s (LSQ).
extern "C" __global__ void fake_quant_f32(const float* __restrict__ w, const float* __restrict__ scale,
                                          const float* __restrict__ zero, float* __restrict__ y,
                                          unsigned char* __restrict__ mask, float* __restrict__ ds,
                                          long long out, long long inF, long long groupLen, int maxq) {
  GRID_STRIDE_LOOP(k, out * inF) {
    long long i;
    const long long o = divmod_nn(k, inF, i);
    const long long gi = (i / groupLen) * out + o;
    // A learned step can be driven through zero; the floor keeps the grid defined.
    const double s = scale[gi] > 1e-12 ? (double)scale[gi] : 1e-12;
    const double z = zero[gi];
    const float u = (float)((double)w[k] / s);
    const double v = (double)u + z;
    const bool inside = v >= 0.0 && v <= (double)maxq;
    double q = rint((double)u) + z;
    q = q < 0.0 ? 0.0 : q > (double)maxq ? (double)maxq : q;
    y[k] = (float)(s * (q - z));
    mask[k] = inside ? 1 : 0;
    if (ds) ds[k] = (float)(inside ? q - z - (double)u : q - z);
  }
}

// LSQ step-size gradient: Σ over the group's weights of g·∂ŵ/∂s, times gradScale. One thread per
// (group, output channel), summing in double as the reference does.
extern "C" __global__ void fake_quant_scale_grad_f32(const float* __restrict__ g, const float* __restrict__ ds,
                                                     float* __restrict__ gs, long long out, long long inF,
                                                     long long groupLen, long long groups, double gradScale) {
  GRID_STRIDE_LOOP(k, groups * out) {
    long long o;
    const long long grp = divmod_nn(k, out, o);
    const long long c1 = (grp + 1) * groupLen < inF ? (grp + 1) * groupLen : inF;
    double acc = 0.0;
    for (long long i = grp * groupLen; i < c1; ++i) acc += (double)g[o * inF + i] * (double)ds[o * inF + i];
    gs[k] = (float)(acc * gradScale);
  }
}
