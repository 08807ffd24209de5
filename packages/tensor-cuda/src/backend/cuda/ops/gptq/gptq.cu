// GPTQ (Frantar et al., 2022) on the device: the steps of gptq/src/gptq.ts that are not dense
// linear algebra (linalg.cu and cuBLAS do that). The weight is worked on transposed, wt [cols,
// rows], so that column c is contiguous and the threads of a warp (consecutive rows) touch
// consecutive addresses. Float32 arithmetic uses the _rn intrinsics, which NVRTC never contracts
// into FMAs, so each step rounds exactly as the host reference does.
#include "common.cuh"
#include "quant_grid.cuh"

// A column no calibration input touched has H[c,c] = 0: it is quantized as zeros and gets a unit
// pivot, so the damped Hessian stays invertible.
__device__ __forceinline__ float live_pivot(float d) { return d == 0.0f ? 1.0f : d; }

// damp[0] = percDamp · mean(diag H) (dead pivots counted as 1), summed in double; one block.
extern "C" __global__ void gptq_damp_f32(const float* __restrict__ h, long long n, float percDamp,
                                         float* __restrict__ damp) {
  __shared__ double part[256];
  double s = 0.0;
  for (long long i = threadIdx.x; i < n; i += blockDim.x) s += (double)live_pivot(h[i * n + i]);
  part[threadIdx.x] = s;
  __syncthreads();
  for (int w = blockDim.x / 2; w > 0; w >>= 1) {
    if ((int)threadIdx.x < w) part[threadIdx.x] += part[threadIdx.x + w];
    __syncthreads();
  }
  if (threadIdx.x == 0) damp[0] = __fmul_rn(percDamp, (float)(part[0] / (double)n));
}

// The damped Hessian in float64, its columns in quantization order (perm, or identity when 0),
// and reversed in both axes: a[n-1-i, n-1-j] = H[perm i, perm j] (+ damp on the diagonal, rounded
// to float32 as the reference adds it). Reversal turns the factor GPTQ needs, the upper Cholesky
// factor of H⁻¹, into J·L⁻¹·J for the ordinary lower factor L of the reversed matrix.
extern "C" __global__ void gptq_hessian_f64(const float* __restrict__ h, const int* __restrict__ perm,
                                            const float* __restrict__ damp, double* __restrict__ a, long long n) {
  GRID_STRIDE_LOOP(p, n * n) {
    long long j;
    const long long i = divmod_nn(p, n, j);
    const long long si = perm ? perm[i] : i, sj = perm ? perm[j] : j;
    float v = h[si * n + sj];
    if (i == j) v = __fadd_rn(live_pivot(v), damp[0]);
    a[(n - 1 - i) * n + (n - 1 - j)] = (double)v;
  }
}

// u = J·X·J in float32 (the upper factor of the damped H⁻¹) from X = L⁻¹ (lower, float64).
extern "C" __global__ void gptq_factor_f32(const double* __restrict__ x, float* __restrict__ u, long long n) {
  GRID_STRIDE_LOOP(p, n * n) {
    long long j;
    const long long i = divmod_nn(p, n, j);
    u[p] = j >= i ? (float)x[(n - 1 - i) * n + (n - 1 - j)] : 0.0f;
  }
}

// wt[c, r] = w[r, perm c] (identity when perm is 0), zero for a dead column.
extern "C" __global__ void gptq_columns_f32(const float* __restrict__ w, const float* __restrict__ h,
                                            const int* __restrict__ perm, float* __restrict__ wt, long long rows,
                                            long long cols) {
  GRID_STRIDE_LOOP(p, rows * cols) {
    long long r;
    const long long c = divmod_nn(p, rows, r);
    const long long sc = perm ? perm[c] : c;
    wt[p] = h[sc * cols + sc] == 0.0f ? 0.0f : w[r * cols + sc];
  }
}

// The min-max grid of row r over columns [c0, c1) of wt, into scale/zero[slot·rows + r].
__device__ __forceinline__ void row_grid(const float* __restrict__ wt, long long rows, long long r, long long c0,
                                         long long c1, int maxq, int sym, float* __restrict__ scale,
                                         float* __restrict__ zero, long long slot) {
  // The range always contains 0 (the reference starts its min and max there).
  float lo = 0.0f, hi = 0.0f;
  for (long long c = c0; c < c1; ++c) {
    const float v = wt[c * rows + r];
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
  }
  minmax_grid(lo, hi, maxq, sym, scale[slot * rows + r], zero[slot * rows + r]);
}

// Grids of every group of groupLen columns of wt (the static-groups mode): one thread per
// (group, row).
extern "C" __global__ void gptq_grid_f32(const float* __restrict__ wt, float* __restrict__ scale,
                                         float* __restrict__ zero, long long rows, long long cols,
                                         long long groupLen, long long groups, int maxq, int sym) {
  GRID_STRIDE_LOOP(p, groups * rows) {
    long long r;
    const long long g = divmod_nn(p, rows, r);
    const long long c1 = (g + 1) * groupLen < cols ? (g + 1) * groupLen : cols;
    row_grid(wt, rows, r, g * groupLen, c1, maxq, sym, scale, zero, g);
  }
}

// One block of columns [a, b): each thread owns a row, quantizes the block's columns in order
// and spreads each column's error over the rest of the block through row c of u; the deferred
// effect on columns ≥ b is one GEMM on the host side. Rows never interact within a block, which
// is what makes this a kernel of independent threads. groupLen 0 means one grid per row (already
// in scale/zero slot 0); dynamic groups (staticGroups 0) take their grid when the block begins,
// from the columns as they stand then, as the reference does. err [b-a, rows] receives the
// scaled errors (w − q)/U[c,c], codesT/deqT [cols, rows] the codes and values, and loss [rows]
// accumulates Σ (w − q)²/U[c,c]².
extern "C" __global__ void gptq_block_f32(float* __restrict__ wt, const float* __restrict__ u,
                                          float* __restrict__ scale, float* __restrict__ zero,
                                          int* __restrict__ codesT, float* __restrict__ deqT, float* __restrict__ err,
                                          double* __restrict__ loss, const int* __restrict__ perm, long long rows,
                                          long long cols, long long a, long long b, long long groupLen,
                                          int staticGroups, int maxq, int sym) {
  GRID_STRIDE_LOOP(r, rows) {
    if (groupLen > 0 && !staticGroups) {
      for (long long c = ((a + groupLen - 1) / groupLen) * groupLen; c < b; c += groupLen)
        row_grid(wt, rows, r, c, c + groupLen < cols ? c + groupLen : cols, maxq, sym, scale, zero, c / groupLen);
    }
    double acc = 0.0;
    for (long long c = a; c < b; ++c) {
      long long g = 0;
      if (groupLen > 0) g = ((staticGroups && perm) ? (long long)perm[c] : c) / groupLen;
      const float s = scale[g * rows + r], z = zero[g * rows + r];
      const float w = wt[c * rows + r];
      const float q = grid_code(w, s, z, maxq);
      const float v = __fmul_rn(s, q - z);
      const float d = u[c * cols + c];
      const float diff = __fsub_rn(w, v);
      acc += (double)__fdiv_rn(__fmul_rn(diff, diff), __fmul_rn(d, d));
      const float e = __fdiv_rn(diff, d);
      codesT[c * rows + r] = (int)q;
      deqT[c * rows + r] = v;
      err[(c - a) * rows + r] = e;
      const float* uc = u + c * cols;
      for (long long j = c + 1; j < b; ++j) wt[j * rows + r] = __fsub_rn(wt[j * rows + r], __fmul_rn(e, uc[j]));
    }
    loss[r] += acc;
  }
}

// gptq_block_f32 for blocks of at most GPTQ_TILE_COLS columns, with eight warps per 32 rows
// instead of one: the block's columns of those rows are staged in shared memory, and for each
// column every warp derives the error of its lane's row (the same arithmetic, so the same
// value), then warp y updates columns c+1+y, c+9+y, ... One barrier per column orders the steps.
// Columns [a, b) of wt are not written back: nothing reads them after their block.
#define GPTQ_TILE_COLS 256
#define GPTQ_TILE_WARPS 8
extern "C" __global__ void __launch_bounds__(32 * GPTQ_TILE_WARPS)
    gptq_block_tiled_f32(float* __restrict__ wt, const float* __restrict__ u, float* __restrict__ scale,
                         float* __restrict__ zero, int* __restrict__ codesT, float* __restrict__ deqT,
                         float* __restrict__ err, double* __restrict__ loss, const int* __restrict__ perm,
                         long long rows, long long cols, long long a, long long b, long long groupLen,
                         int staticGroups, int maxq, int sym) {
  __shared__ float tile[GPTQ_TILE_COLS][32];
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const long long r0 = (long long)blockIdx.x * 32;
  const long long r = r0 + lane;
  const bool live = r < rows;
  // Dynamic group grids from the columns as they stand when the block begins (global wt).
  if (warp == 0 && live && groupLen > 0 && !staticGroups) {
    for (long long c = ((a + groupLen - 1) / groupLen) * groupLen; c < b; c += groupLen)
      row_grid(wt, rows, r, c, c + groupLen < cols ? c + groupLen : cols, maxq, sym, scale, zero, c / groupLen);
  }
  const int width = (int)(b - a);
  for (int p = threadIdx.x; p < width * 32; p += blockDim.x) {
    const int j = p >> 5, l = p & 31;
    tile[j][l] = r0 + l < rows ? wt[(a + j) * rows + r0 + l] : 0.0f;
  }
  __syncthreads();  // also publishes warp 0's grids to the other warps
  double acc = 0.0;
  for (long long c = a; c < b; ++c) {
    float e = 0.0f;
    if (live) {
      long long g = 0;
      if (groupLen > 0) g = ((staticGroups && perm) ? (long long)perm[c] : c) / groupLen;
      const float s = scale[g * rows + r], z = zero[g * rows + r];
      const float w = tile[c - a][lane];
      const float q = grid_code(w, s, z, maxq);
      const float v = __fmul_rn(s, q - z);
      const float d = u[c * cols + c];
      const float diff = __fsub_rn(w, v);
      e = __fdiv_rn(diff, d);
      if (warp == 0) {
        acc += (double)__fdiv_rn(__fmul_rn(diff, diff), __fmul_rn(d, d));
        codesT[c * rows + r] = (int)q;
        deqT[c * rows + r] = v;
        err[(c - a) * rows + r] = e;
      }
    }
    const float* uc = u + c * cols;
    for (long long j = c + 1 + warp; j < b; j += GPTQ_TILE_WARPS)
      tile[j - a][lane] = __fsub_rn(tile[j - a][lane], __fmul_rn(e, uc[j]));
    __syncthreads();
  }
  if (warp == 0 && live) loss[r] += acc;
}

// Back to [rows, cols] in the original column order: codes[r, perm c] = codesT[c, r].
extern "C" __global__ void gptq_finish_f32(const int* __restrict__ codesT, const float* __restrict__ deqT,
                                           const int* __restrict__ perm, int* __restrict__ codes,
                                           float* __restrict__ deq, long long rows, long long cols) {
  GRID_STRIDE_LOOP(p, rows * cols) {
    long long r;
    const long long c = divmod_nn(p, rows, r);
    const long long at = r * cols + (perm ? perm[c] : c);
    codes[at] = codesT[p];
    deq[at] = deqT[p];
  }
}
