// Row softmax / log-softmax, forward and backward (cpu/norms.ts softmax, softmaxBackward), with
// an optional causal mask: row r sees its first min(cols, r % causalQueries + causalOffset + 1)
// columns. One block per row (blockDim.x a multiple of 32 up to 1024), rows grid-strided.
// Element values are computed in T; the row sums accumulate in double, as the CPU's numbers.
#include "common.cuh"

__device__ __forceinline__ long long visible_cols(long long r, long long cols, long long causalQueries,
                                                  long long causalOffset) {
  if (causalQueries <= 0) return cols;
  const long long v = r % causalQueries + causalOffset + 1;
  return v < 0 ? 0 : v > cols ? cols : v;
}

// Three passes over the row (max, Σexp, write): the row is re-read from L1/L2 instead of being
// staged in shared memory, so any row length works.
template <typename T>
__device__ __forceinline__ void softmax_fwd(const T* __restrict__ x, T* __restrict__ y, long long rows,
                                            long long cols, int log, long long causalQueries,
                                            long long causalOffset) {
  const long long B = blockDim.x;
  for (long long row = blockIdx.x; row < rows; row += gridDim.x) {
    const T* xr = x + row * cols;
    T* yr = y + row * cols;
    const long long lim = visible_cols(row, cols, causalQueries, causalOffset);
    // NaN-ignoring max (`if (x > mx)`); an all -inf (or empty) row shifts by 0.
    T mx = -inf_of<T>();
    for (long long j = threadIdx.x; j < lim; j += B) {
      const T v = xr[j];
      if (v > mx) mx = v;
    }
    mx = block_max(mx);
    if (mx == -inf_of<T>()) mx = T(0);
    double s = 0;
    for (long long j = threadIdx.x; j < lim; j += B) s += (double)m_exp(xr[j] - mx);
    s = block_sum(s);
    if (log) {
      // x - lse in double: x and lse are often close, and rounding lse first would cost the
      // difference its low bits.
      const double lse = (double)mx + ::log(s);
      for (long long j = threadIdx.x; j < cols; j += B)
        yr[j] = j < lim ? (T)((double)xr[j] - lse) : -inf_of<T>();
    } else {
      const T inv = (T)(1.0 / s);
      for (long long j = threadIdx.x; j < cols; j += B) yr[j] = j < lim ? m_exp(xr[j] - mx) * inv : T(0);
    }
  }
}

// dx from y and g: softmax dx = y·(g − Σ g·y); log-softmax dx = g − exp(y)·Σ g. Sums over the
// visible columns; masked columns get 0.
template <typename T>
__device__ __forceinline__ void softmax_bwd(const T* __restrict__ y, const T* __restrict__ g,
                                            T* __restrict__ dx, long long rows, long long cols, int log,
                                            long long causalQueries, long long causalOffset) {
  const long long B = blockDim.x;
  for (long long row = blockIdx.x; row < rows; row += gridDim.x) {
    const T* yr = y + row * cols;
    const T* gr = g + row * cols;
    T* dr = dx + row * cols;
    const long long lim = visible_cols(row, cols, causalQueries, causalOffset);
    double s = 0;
    if (log) {
      for (long long j = threadIdx.x; j < lim; j += B) s += (double)gr[j];
    } else {
      for (long long j = threadIdx.x; j < lim; j += B) s += (double)gr[j] * (double)yr[j];
    }
    const T st = (T)block_sum(s);
    if (log) {
      for (long long j = threadIdx.x; j < cols; j += B) dr[j] = j < lim ? gr[j] - m_exp(yr[j]) * st : T(0);
    } else {
      for (long long j = threadIdx.x; j < cols; j += B) dr[j] = j < lim ? yr[j] * (gr[j] - st) : T(0);
    }
  }
}

#define DEFINE_SOFTMAX(S, T)                                                                            \
  extern "C" __global__ void softmax_fwd_##S(const T* __restrict__ x, T* __restrict__ y, long long rows, \
                                             long long cols, int log, long long causalQueries,          \
                                             long long causalOffset) {                                  \
    softmax_fwd(x, y, rows, cols, log, causalQueries, causalOffset);                                    \
  }                                                                                                     \
  extern "C" __global__ void softmax_bwd_##S(const T* __restrict__ y, const T* __restrict__ g,          \
                                             T* __restrict__ dx, long long rows, long long cols, int log, \
                                             long long causalQueries, long long causalOffset) {         \
    softmax_bwd(y, g, dx, rows, cols, log, causalQueries, causalOffset);                                \
  }
DEFINE_SOFTMAX(f32, float)
DEFINE_SOFTMAX(f64, double)
