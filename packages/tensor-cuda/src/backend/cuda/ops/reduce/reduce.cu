// Reductions of the middle axis of [outer, size, inner] into [outer, inner] (cpu/reduce.ts).
//
// `_rows` kernels (inner == 1): one block per output row, blockDim.x a multiple of 32 up to 1024,
// threads stride over the row (coalesced) and combine with warp shuffles.
// `_cols` kernels: one thread per output (o = outer_idx*inner + inner_idx) scanning the axis
// sequentially; neighbouring threads read neighbouring addresses.
//
// Sums accumulate in double (floats) or long long (int32/uint8), as the CPU's float64 numbers.
// Min/max/arg: the first NaN along the axis wins; otherwise the first best value (strict
// comparison), so the block reductions combine (value, index) pairs to reproduce the sequential
// scan exactly. size >= 1 always (the host handles empty axes).
#include "common.cuh"

template <typename T> struct SumAcc;
template <> struct SumAcc<float> { typedef double type; };
template <> struct SumAcc<double> { typedef double type; };
template <> struct SumAcc<int> { typedef long long type; };
template <> struct SumAcc<unsigned char> { typedef long long type; };

// Sum outputs: float/double as is; integer sums wrap into int32 like an Int32Array store.
__device__ __forceinline__ void store_sum(float* y, long long o, double s) { y[o] = (float)s; }
__device__ __forceinline__ void store_sum(double* y, long long o, double s) { y[o] = s; }
__device__ __forceinline__ void store_sum(int* y, long long o, long long s) { y[o] = (int)(unsigned)s; }

// One step of the left-to-right scan: does v at a later index replace best?
template <bool WANT_MAX, typename T>
__device__ __forceinline__ bool scan_wins(T best, T v) {
  return !is_nan(best) && (is_nan(v) || (WANT_MAX ? v > best : v < best));
}

// ---- rows (one block per row) ----

template <typename T, typename O>
__device__ __forceinline__ void sum_rows(const T* __restrict__ x, O* __restrict__ y, long long outer,
                                         long long size) {
  typedef typename SumAcc<T>::type A;
  const long long B = blockDim.x;
  for (long long row = blockIdx.x; row < outer; row += gridDim.x) {
    const T* r = x + row * size;
    A acc = 0;
    long long j = threadIdx.x;
    // Four loads in flight per thread before the dependent adds.
    for (; j + 3 * B < size; j += 4 * B) {
      const T v0 = r[j], v1 = r[j + B], v2 = r[j + 2 * B], v3 = r[j + 3 * B];
      acc += (A)v0;
      acc += (A)v1;
      acc += (A)v2;
      acc += (A)v3;
    }
    for (; j < size; j += B) acc += (A)r[j];
    acc = block_sum(acc);
    if (threadIdx.x == 0) store_sum(y, row, acc);
  }
}

// Writes the winning value (ARG false) or its index (ARG true).
template <bool WANT_MAX, bool ARG, typename T, typename O>
__device__ __forceinline__ void best_rows(const T* __restrict__ x, O* __restrict__ y, long long outer,
                                          long long size) {
  const long long B = blockDim.x;
  for (long long row = blockIdx.x; row < outer; row += gridDim.x) {
    const T* r = x + row * size;
    // Each thread scans its own elements in increasing order from element 0's candidate (a
    // duplicate of the same index never changes the combined result).
    T best = r[0];
    long long bi = 0;
    long long j = threadIdx.x;
    for (; j + 3 * B < size; j += 4 * B) {
      const T v0 = r[j], v1 = r[j + B], v2 = r[j + 2 * B], v3 = r[j + 3 * B];
      if (scan_wins<WANT_MAX>(best, v0)) best = v0, bi = j;
      if (scan_wins<WANT_MAX>(best, v1)) best = v1, bi = j + B;
      if (scan_wins<WANT_MAX>(best, v2)) best = v2, bi = j + 2 * B;
      if (scan_wins<WANT_MAX>(best, v3)) best = v3, bi = j + 3 * B;
    }
    for (; j < size; j += B) {
      const T v = r[j];
      if (scan_wins<WANT_MAX>(best, v)) best = v, bi = j;
    }
    block_arg_reduce(WANT_MAX, best, bi);
    if (threadIdx.x == 0) {
      if (ARG) y[row] = (O)bi;
      else y[row] = (O)best;
    }
  }
}

// ---- cols (one thread per output) ----

template <typename T, typename O>
__device__ __forceinline__ void sum_cols(const T* __restrict__ x, O* __restrict__ y, long long outer,
                                         long long size, long long inner) {
  typedef typename SumAcc<T>::type A;
  GRID_STRIDE_LOOP(o, outer * inner) {
    long long ii;
    const long long oi = divmod_nn(o, inner, ii);
    const T* p = x + oi * size * inner + ii;
    A acc = 0;
#pragma unroll 4
    for (long long j = 0; j < size; ++j) acc += (A)p[j * inner];
    store_sum(y, o, acc);
  }
}

template <bool WANT_MAX, bool ARG, typename T, typename O>
__device__ __forceinline__ void best_cols(const T* __restrict__ x, O* __restrict__ y, long long outer,
                                          long long size, long long inner) {
  GRID_STRIDE_LOOP(o, outer * inner) {
    long long ii;
    const long long oi = divmod_nn(o, inner, ii);
    const T* p = x + oi * size * inner + ii;
    T best = p[0];
    long long bi = 0;
#pragma unroll 4
    for (long long j = 1; j < size; ++j) {
      const T v = p[j * inner];
      if (scan_wins<WANT_MAX>(best, v)) best = v, bi = j;
    }
    if (ARG) y[o] = (O)bi;
    else y[o] = (O)best;
  }
}

// ---- entry points ----

#define DEFINE_REDUCE(S, T, SUM_T)                                                                       \
  extern "C" __global__ void reduce_sum_rows_##S(const T* __restrict__ x, SUM_T* __restrict__ y,         \
                                                 long long outer, long long size, long long inner) {     \
    sum_rows(x, y, outer, size);                                                                         \
  }                                                                                                      \
  extern "C" __global__ void reduce_sum_cols_##S(const T* __restrict__ x, SUM_T* __restrict__ y,         \
                                                 long long outer, long long size, long long inner) {     \
    sum_cols(x, y, outer, size, inner);                                                                  \
  }                                                                                                      \
  extern "C" __global__ void reduce_minmax_rows_##S(int wantMax, const T* __restrict__ x,                \
                                                    T* __restrict__ y, long long outer, long long size,  \
                                                    long long inner) {                                   \
    if (wantMax) best_rows<true, false>(x, y, outer, size);                                              \
    else best_rows<false, false>(x, y, outer, size);                                                     \
  }                                                                                                      \
  extern "C" __global__ void reduce_minmax_cols_##S(int wantMax, const T* __restrict__ x,                \
                                                    T* __restrict__ y, long long outer, long long size,  \
                                                    long long inner) {                                   \
    if (wantMax) best_cols<true, false>(x, y, outer, size, inner);                                       \
    else best_cols<false, false>(x, y, outer, size, inner);                                              \
  }                                                                                                      \
  extern "C" __global__ void reduce_arg_rows_##S(int wantMax, const T* __restrict__ x,                   \
                                                 int* __restrict__ y, long long outer, long long size,   \
                                                 long long inner) {                                      \
    if (wantMax) best_rows<true, true>(x, y, outer, size);                                               \
    else best_rows<false, true>(x, y, outer, size);                                                      \
  }                                                                                                      \
  extern "C" __global__ void reduce_arg_cols_##S(int wantMax, const T* __restrict__ x,                   \
                                                 int* __restrict__ y, long long outer, long long size,   \
                                                 long long inner) {                                      \
    if (wantMax) best_cols<true, true>(x, y, outer, size, inner);                                        \
    else best_cols<false, true>(x, y, outer, size, inner);                                               \
  }
DEFINE_REDUCE(f32, float, float)
DEFINE_REDUCE(f64, double, double)
DEFINE_REDUCE(i32, int, int)
DEFINE_REDUCE(u8, unsigned char, int)
