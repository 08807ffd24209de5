// Layer norm and RMS norm over the last axis (cpu/norms.ts): forward, dX, and the per-column
// partial sums for dW/dB. Row kernels run one block per row (blockDim.x a multiple of 32 up to
// 1024, rows grid-strided). Statistics and backward sums accumulate in double, as the CPU's
// numbers; element values are computed in T from the statistics rounded to T (the mean and rstd
// the forward stores, so the backward sees the same x̂).
#include "common.cuh"

// ---- layer norm ----

// y = (x − mean)·rstd·w + b with population variance; w, b optional (null pointers).
template <typename T>
__device__ __forceinline__ void layer_norm_fwd(const T* __restrict__ x, const T* __restrict__ w,
                                               const T* __restrict__ b, T* __restrict__ y,
                                               T* __restrict__ mean, T* __restrict__ rstd, long long rows,
                                               long long cols, double eps) {
  const long long B = blockDim.x;
  for (long long row = blockIdx.x; row < rows; row += gridDim.x) {
    const T* xr = x + row * cols;
    T* yr = y + row * cols;
    double s = 0;
    for (long long j = threadIdx.x; j < cols; j += B) s += (double)xr[j];
    const double mu = block_sum(s) / (double)cols;
    // Two passes, as the CPU: Σ(x − μ)² does not cancel the way Σx² − nμ² does.
    double v = 0;
    for (long long j = threadIdx.x; j < cols; j += B) {
      const double d = (double)xr[j] - mu;
      v += d * d;
    }
    const double rs = 1.0 / sqrt(block_sum(v) / (double)cols + eps);
    const T muT = (T)mu, rsT = (T)rs;
    if (threadIdx.x == 0) {
      mean[row] = muT;
      rstd[row] = rsT;
    }
    for (long long j = threadIdx.x; j < cols; j += B) {
      T o = (xr[j] - muT) * rsT;
      if (w) o *= w[j];
      if (b) o += b[j];
      yr[j] = o;
    }
  }
}

// dx = rstd·(d − mean(d) − x̂·mean(d·x̂)), d = g·w (or g), x̂ = (x − mean)·rstd.
template <typename T>
__device__ __forceinline__ void layer_norm_bwd_dx(const T* __restrict__ x, const T* __restrict__ w,
                                                  const T* __restrict__ mean, const T* __restrict__ rstd,
                                                  const T* __restrict__ g, T* __restrict__ dx, long long rows,
                                                  long long cols) {
  const long long B = blockDim.x;
  for (long long row = blockIdx.x; row < rows; row += gridDim.x) {
    const T* xr = x + row * cols;
    const T* gr = g + row * cols;
    T* dr = dx + row * cols;
    const T mu = mean[row], rs = rstd[row];
    double sumD = 0, sumDX = 0;
    for (long long j = threadIdx.x; j < cols; j += B) {
      const T xh = (xr[j] - mu) * rs;
      const T d = w ? gr[j] * w[j] : gr[j];
      sumD += (double)d;
      sumDX += (double)d * (double)xh;
    }
    const T mD = (T)(block_sum(sumD) / (double)cols);
    const T mDX = (T)(block_sum(sumDX) / (double)cols);
    for (long long j = threadIdx.x; j < cols; j += B) {
      const T xh = (xr[j] - mu) * rs;
      const T d = w ? gr[j] * w[j] : gr[j];
      dr[j] = rs * (d - mD - xh * mDX);
    }
  }
}

// ---- RMS norm ----

// rstd = 1/sqrt(mean(x²) + eps); y = ((T)(x·rstd))·w, or x·rstd without w. Computing x·rstd in T
// is the rounding HF applies before the weight multiply.
template <typename T>
__device__ __forceinline__ void rms_norm_fwd(const T* __restrict__ x, const T* __restrict__ w,
                                             T* __restrict__ y, T* __restrict__ rstd, long long rows,
                                             long long cols, double eps) {
  const long long B = blockDim.x;
  for (long long row = blockIdx.x; row < rows; row += gridDim.x) {
    const T* xr = x + row * cols;
    T* yr = y + row * cols;
    double s = 0;
    for (long long j = threadIdx.x; j < cols; j += B) {
      const double v = (double)xr[j];
      s += v * v;
    }
    const T rs = (T)(1.0 / sqrt(block_sum(s) / (double)cols + eps));
    if (threadIdx.x == 0) rstd[row] = rs;
    if (w) {
      for (long long j = threadIdx.x; j < cols; j += B) yr[j] = (xr[j] * rs) * w[j];
    } else {
      for (long long j = threadIdx.x; j < cols; j += B) yr[j] = xr[j] * rs;
    }
  }
}

// dx = rstd·(d − x̂·mean(d·x̂)), d = g·w (or g), x̂ = x·rstd.
template <typename T>
__device__ __forceinline__ void rms_norm_bwd_dx(const T* __restrict__ x, const T* __restrict__ w,
                                                const T* __restrict__ rstd, const T* __restrict__ g,
                                                T* __restrict__ dx, long long rows, long long cols) {
  const long long B = blockDim.x;
  for (long long row = blockIdx.x; row < rows; row += gridDim.x) {
    const T* xr = x + row * cols;
    const T* gr = g + row * cols;
    T* dr = dx + row * cols;
    const T rs = rstd[row];
    double sumDX = 0;
    for (long long j = threadIdx.x; j < cols; j += B) {
      const T d = w ? gr[j] * w[j] : gr[j];
      sumDX += (double)d * (double)(xr[j] * rs);
    }
    const T mDX = (T)(block_sum(sumDX) / (double)cols);
    for (long long j = threadIdx.x; j < cols; j += B) {
      const T d = w ? gr[j] * w[j] : gr[j];
      dr[j] = rs * (d - (xr[j] * rs) * mDX);
    }
  }
}

// ---- dW / dB partial sums ----
//
// Grid (ceil(cols / blockDim.x), chunks): thread column c sums rows
// [blockIdx.y·rowsPerChunk, min(rows, (blockIdx.y + 1)·rowsPerChunk)) of g·x̂ (and g), in double,
// into dwPartial/dbPartial[blockIdx.y, c]; the host adds the chunks. A warp reads 32 adjacent
// columns of each row, so every load is coalesced. mean == null selects RMS norm (x̂ = x·rstd).
template <typename T>
__device__ __forceinline__ void norm_bwd_params(const T* __restrict__ x, const T* __restrict__ mean,
                                                const T* __restrict__ rstd, const T* __restrict__ g,
                                                double* __restrict__ dwPartial, double* __restrict__ dbPartial,
                                                long long rows, long long cols, long long rowsPerChunk) {
  const long long c = (long long)blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= cols) return;
  const long long r0 = (long long)blockIdx.y * rowsPerChunk;
  const long long r1 = r0 + rowsPerChunk < rows ? r0 + rowsPerChunk : rows;
  double dw = 0, db = 0;
  for (long long r = r0; r < r1; ++r) {
    const T xv = x[r * cols + c];
    const T xh = mean ? (xv - mean[r]) * rstd[r] : xv * rstd[r];
    const T gv = g[r * cols + c];
    dw += (double)gv * (double)xh;
    db += (double)gv;
  }
  const long long o = (long long)blockIdx.y * cols + c;
  dwPartial[o] = dw;
  if (dbPartial) dbPartial[o] = db;
}

#define DEFINE_NORMS(S, T)                                                                                \
  extern "C" __global__ void layer_norm_fwd_##S(const T* __restrict__ x, const T* __restrict__ w,         \
                                                const T* __restrict__ b, T* __restrict__ y,               \
                                                T* __restrict__ mean, T* __restrict__ rstd, long long rows, \
                                                long long cols, double eps) {                             \
    layer_norm_fwd(x, w, b, y, mean, rstd, rows, cols, eps);                                              \
  }                                                                                                       \
  extern "C" __global__ void layer_norm_bwd_dx_##S(const T* __restrict__ x, const T* __restrict__ w,      \
                                                   const T* __restrict__ mean, const T* __restrict__ rstd, \
                                                   const T* __restrict__ g, T* __restrict__ dx,           \
                                                   long long rows, long long cols) {                      \
    layer_norm_bwd_dx(x, w, mean, rstd, g, dx, rows, cols);                                               \
  }                                                                                                       \
  extern "C" __global__ void rms_norm_fwd_##S(const T* __restrict__ x, const T* __restrict__ w,           \
                                              T* __restrict__ y, T* __restrict__ rstd, long long rows,    \
                                              long long cols, double eps) {                               \
    rms_norm_fwd(x, w, y, rstd, rows, cols, eps);                                                         \
  }                                                                                                       \
  extern "C" __global__ void rms_norm_bwd_dx_##S(const T* __restrict__ x, const T* __restrict__ w,        \
                                                 const T* __restrict__ rstd, const T* __restrict__ g,     \
                                                 T* __restrict__ dx, long long rows, long long cols) {    \
    rms_norm_bwd_dx(x, w, rstd, g, dx, rows, cols);                                                       \
  }                                                                                                       \
  extern "C" __global__ void norm_bwd_params_##S(                                                         \
      const T* __restrict__ x, const T* __restrict__ mean, const T* __restrict__ rstd,                    \
      const T* __restrict__ g, double* __restrict__ dwPartial, double* __restrict__ dbPartial,            \
      long long rows, long long cols, long long rowsPerChunk) {                                           \
    norm_bwd_params(x, mean, rstd, g, dwPartial, dbPartial, rows, cols, rowsPerChunk);                    \
  }
DEFINE_NORMS(f32, float)
DEFINE_NORMS(f64, double)
