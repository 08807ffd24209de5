// Layout kernels: strided copies, gather / index_select (bit-moving, one kernel per element
// size) and scatter_add / index_add (atomic adds). Semantics of src/backend/cpu/layout.ts; an
// out-of-range index is recorded once in the device error word `err` (int[4]: set, op, index,
// axis size) and its element skipped, since a kernel cannot throw.
#include "common.cuh"

// Normalises a possibly negative index k into [0, dim); on failure records the error (first
// failing thread wins) and returns false.
__device__ __forceinline__ bool take_index(long long k, long long dim, int op, int* err, long long& out) {
  out = k < 0 ? k + dim : k;
  if (out >= 0 && out < dim) return true;
  if (atomicCAS(err, 0, 1) == 0) {
    err[1] = op;
    err[2] = (int)k;
    err[3] = (int)dim;
  }
  return false;
}

// ---- strided copies ----

#define DEFINE_COPY(S, T)                                                                                 \
  /* y (contiguous, view.n elements) = x read through s0/off0 */                                          \
  extern "C" __global__ void copy_strided_##S(const T* __restrict__ x, T* __restrict__ y, Index3 view) {   \
    index3_for_each(view, [&](long long i, long long ox, long long, long long) { y[i] = x[ox]; });          \
  }                                                                                                       \
  /* dst written through s0/off0 = src (contiguous) */                                                    \
  extern "C" __global__ void copy_into_##S(T* __restrict__ dst, const T* __restrict__ src, Index3 view) {  \
    index3_for_each(view, [&](long long i, long long od, long long, long long) { dst[od] = src[i]; });      \
  }
DEFINE_COPY(b1, unsigned char)
DEFINE_COPY(b2, unsigned short)
DEFINE_COPY(b4, unsigned int)
DEFINE_COPY(b8, unsigned long long)

// ---- gather / index_select ----
//
// gather:       y[o, j, i] = x[o, index[o, j, i], i], y and index [outer, dimIdx, inner]
// index_select: y[o, j, i] = x[o, index[j], i],       y [outer, count, inner]
// Threads walk y in order, so the writes (and index reads) coalesce; a bad index writes 0 bits.

#define DEFINE_GATHER(S, T, I, IT)                                                                         \
  extern "C" __global__ void gather_##S##_##I(const T* __restrict__ x, const IT* __restrict__ index,       \
                                              T* __restrict__ y, long long outer, long long dimX,          \
                                              long long dimIdx, long long inner, int* err) {               \
    box3_for_each(outer, dimIdx, inner, [&](long long p, long long o, long long, long long i) {             \
      long long k;                                                                                         \
      y[p] = take_index((long long)index[p], dimX, ERR_GATHER, err, k) ? x[(o * dimX + k) * inner + i]     \
                                                                        : (T)0;                            \
    });                                                                                                    \
  }                                                                                                        \
  extern "C" __global__ void index_select_##S##_##I(const T* __restrict__ x, const IT* __restrict__ index,  \
                                                    T* __restrict__ y, long long outer, long long dim,     \
                                                    long long count, long long inner, int* err) {          \
    box3_for_each(outer, count, inner, [&](long long p, long long o, long long j, long long i) {            \
      long long k;                                                                                         \
      y[p] = take_index((long long)index[j], dim, ERR_INDEX_SELECT, err, k) ? x[(o * dim + k) * inner + i] \
                                                                             : (T)0;                       \
    });                                                                                                    \
  }
#define DEFINE_GATHERS(S, T)      \
  DEFINE_GATHER(S, T, i32, int) \
  DEFINE_GATHER(S, T, i64, long long)
DEFINE_GATHERS(b1, unsigned char)
DEFINE_GATHERS(b2, unsigned short)
DEFINE_GATHERS(b4, unsigned int)
DEFINE_GATHERS(b8, unsigned long long)

// ---- scatter_add / index_add (atomic: repeated indices accumulate) ----
//
// scatter_add: out[o, index[o, j, i], i] += src[o, j, i]; out [outer, dimX, inner] holds the base
// index_add:   out[o, index[j], i]       += src[o, j, i]; out [outer, dim, inner] starts zeroed

#define DEFINE_SCATTER(S, T, I, IT)                                                                        \
  extern "C" __global__ void scatter_add_##S##_##I(T* out, const IT* __restrict__ index,                   \
                                                   const T* __restrict__ src, long long outer,             \
                                                   long long dimX, long long dimIdx, long long inner,      \
                                                   int* err) {                                             \
    box3_for_each(outer, dimIdx, inner, [&](long long p, long long o, long long, long long i) {             \
      long long k;                                                                                         \
      if (take_index((long long)index[p], dimX, ERR_SCATTER_ADD, err, k))                                  \
        atomicAdd(out + (o * dimX + k) * inner + i, src[p]);                                               \
    });                                                                                                    \
  }                                                                                                        \
  extern "C" __global__ void index_add_##S##_##I(T* out, const IT* __restrict__ index,                     \
                                                 const T* __restrict__ src, long long outer,               \
                                                 long long dim, long long count, long long inner,          \
                                                 int* err) {                                               \
    box3_for_each(outer, count, inner, [&](long long p, long long o, long long j, long long i) {            \
      long long k;                                                                                         \
      if (take_index((long long)index[j], dim, ERR_INDEX_ADD, err, k))                                     \
        atomicAdd(out + (o * dim + k) * inner + i, src[p]);                                                \
    });                                                                                                    \
  }
#define DEFINE_SCATTERS(S, T)      \
  DEFINE_SCATTER(S, T, i32, int) \
  DEFINE_SCATTER(S, T, i64, long long)
DEFINE_SCATTERS(f32, float)
DEFINE_SCATTERS(f64, double)
DEFINE_SCATTERS(i32, int)
