// Fused row-wise cross-entropy over logits [rows, V] with int32 targets [rows]: the same numbers
// as the composed log_softmax → pick → (label smoothing) reference, without the [rows, V]
// log-probabilities. One block per row (blockDim.x a multiple of 32 up to 1024), rows
// grid-strided by blockIdx.x. Element values are computed in T, row sums accumulate in double
// (as softmax.cu and the CPU).
//
//   lse_r  = max_r + log Σ_j exp(x_rj − max_r)          (NaN-ignoring max; −inf row shifts by 0)
//   loss_r = (1 − eps)·(lse_r − x_rt) + eps·(lse_r − mean_j x_rj)   (eps = 0: lse_r − x_rt)
//   dx_rj  = gloss_r·(exp(x_rj − lse_r) − (1 − eps)·[j = t] − eps/V)
//
// A target equal to ignoreIndex gives loss 0 and a zero gradient row; any other target outside
// [0, V) is recorded once in the device error word (ERR_CROSS_ENTROPY, target, V) and treated
// the same way.
#include "common.cuh"

template <typename T>
__device__ __forceinline__ void cross_entropy_fwd(const T* __restrict__ logits, const int* __restrict__ targets,
                                                  T* __restrict__ loss, T* __restrict__ lse, long long rows,
                                                  long long V, long long ignoreIndex, double eps,
                                                  int* __restrict__ err) {
  const long long B = blockDim.x;
  const T ninf = -inf_of<T>();
  for (long long row = blockIdx.x; row < rows; row += gridDim.x) {
    const T* __restrict__ xr = logits + row * V;
    // One pass over the row: each thread keeps its running max m, Σ exp(x − m) (rescaled when m
    // grows) and Σ x. −inf elements add exactly 0 and are skipped (exp(−inf − (−inf)) would be
    // NaN); a NaN element makes the sum NaN, as in the CPU's Σ exp(x − max).
    T m = ninf;
    double s = 0, sx = 0;
    for (long long j = threadIdx.x; j < V; j += B) {
      const T x = xr[j];
      sx += (double)x;
      if (x > m) {
        s *= (double)m_exp(m - x);
        m = x;
      }
      if (x != ninf) s += (double)m_exp(x - m);
    }
    T mx = block_max(m);
    if (mx == ninf) mx = T(0);
    // A thread whose max is −inf saw only −inf and NaN: its s is 0 or NaN and needs no rescale.
    const double part = m == ninf ? s : s * (double)m_exp(m - mx);
    const double lseD = (double)mx + ::log(block_sum(part));
    const double sumX = block_sum(sx);
    if (threadIdx.x == 0) {
      lse[row] = (T)lseD;
      const int t = targets[row];
      double l = 0;
      if ((long long)t != ignoreIndex) {
        if (t < 0 || (long long)t >= V) {
          if (atomicCAS(err, 0, 1) == 0) {
            err[1] = ERR_CROSS_ENTROPY;
            err[2] = t;
            err[3] = (int)V;
          }
        } else {
          const double nll = lseD - (double)xr[t];
          // −mean_j logp_j = lse − mean_j x_j
          l = eps == 0 ? nll : nll * (1.0 - eps) + eps * (lseD - sumX / (double)V);
        }
      }
      loss[row] = (T)l;
    }
  }
}

template <typename T>
__device__ __forceinline__ void cross_entropy_bwd(const T* __restrict__ logits, const int* __restrict__ targets,
                                                  const T* __restrict__ lse, const T* __restrict__ gloss,
                                                  T* __restrict__ dlogits, long long rows, long long V,
                                                  long long ignoreIndex, double eps) {
  const long long B = blockDim.x;
  const T onem = (T)(1.0 - eps), epsV = (T)(eps / (double)V);
  for (long long row = blockIdx.x; row < rows; row += gridDim.x) {
    const T* __restrict__ xr = logits + row * V;
    T* __restrict__ dr = dlogits + row * V;
    const long long t = targets[row];
    if (t == ignoreIndex || t < 0 || t >= V) {
      for (long long j = threadIdx.x; j < V; j += B) dr[j] = T(0);
      continue;
    }
    const T g = gloss[row], L = lse[row];
    for (long long j = threadIdx.x; j < V; j += B) {
      T d = m_exp(xr[j] - L) - epsV;
      if (j == t) d -= onem;
      dr[j] = g * d;
    }
  }
}

#define DEFINE_CROSS_ENTROPY(S, T)                                                                          \
  extern "C" __global__ void cross_entropy_fwd_##S(const T* __restrict__ logits, const int* __restrict__ targets, \
                                                   T* __restrict__ loss, T* __restrict__ lse, long long rows,  \
                                                   long long V, long long ignoreIndex, double labelSmoothing,  \
                                                   int* __restrict__ err) {                                    \
    cross_entropy_fwd(logits, targets, loss, lse, rows, V, ignoreIndex, labelSmoothing, err);                  \
  }                                                                                                            \
  extern "C" __global__ void cross_entropy_bwd_##S(const T* __restrict__ logits, const int* __restrict__ targets, \
                                                   const T* __restrict__ lse, const T* __restrict__ gloss,     \
                                                   T* __restrict__ dlogits, long long rows, long long V,       \
                                                   long long ignoreIndex, double labelSmoothing) {             \
    cross_entropy_bwd(logits, targets, lse, gloss, dlogits, rows, V, ignoreIndex, labelSmoothing);             \
  }
DEFINE_CROSS_ENTROPY(f32, float)
DEFINE_CROSS_ENTROPY(f64, double)
