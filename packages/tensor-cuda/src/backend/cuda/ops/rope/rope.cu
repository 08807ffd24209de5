// Rotate-half rotary position embedding (HF's apply_rotary_pos_emb), element-wise:
//   y[r, d] = x[r, d]·cos[p, d] − x[r, d + D/2]·sin[p, d]·sinSign   (d < D/2)
//   y[r, d] = x[r, d]·cos[p, d] + x[r, d − D/2]·sin[p, d]·sinSign   (d ≥ D/2)
// with x, y [rows, D], cos, sin [T, D] and row r at position p = r % T. sinSign = −1 with tables
// whose two halves are equal (the usual cat(freqs, freqs)) is the backward. Grid-stride over
// rows·D elements (blockDim 256); each thread divides once for its first element and once for
// the grid stride, then carries (d, p) along with no per-element division.
#include "common.cuh"

template <typename T>
__device__ __forceinline__ void rope(const T* __restrict__ x, const T* __restrict__ cs, const T* __restrict__ sn,
                                     T* __restrict__ y, long long rows, long long Tn, long long D, double sinSign) {
  const long long n = rows * D;
  long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
  const long long stride = (long long)gridDim.x * blockDim.x;
  if (i >= n) return;
  const long long half = D >> 1;
  const T sg = (T)sinSign;
  long long d, p, sd, sp;
  divmod_nn(divmod_nn(i, D, d), Tn, p);
  divmod_nn(divmod_nn(stride, D, sd), Tn, sp);
  for (;;) {
    const long long t = p * D + d;
    const T rot = d < half ? -x[i + half] : x[i - half];
    y[i] = x[i] * cs[t] + rot * (sn[t] * sg);
    i += stride;
    if (i >= n) break;
    d += sd;
    const long long carry = d >= D;
    if (carry) d -= D;
    p += sp + carry;  // < 2T
    if (p >= Tn) p -= Tn;
  }
}

#define DEFINE_ROPE(S, T)                                                                                 \
  extern "C" __global__ void rope_##S(const T* __restrict__ x, const T* __restrict__ cs,                  \
                                      const T* __restrict__ sn, T* __restrict__ y, long long rows,        \
                                      long long T_, long long D, double sinSign) {                        \
    rope(x, cs, sn, y, rows, T_, D, sinSign);                                                             \
  }
DEFINE_ROPE(f32, float)
DEFINE_ROPE(f64, double)
