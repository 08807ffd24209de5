// Shared helpers for the CUDA kernels of @shrinkray/tensor-cuda.
//
// Every .cu file includes this header as "common.cuh"; the host hands it to NVRTC as a named
// header, so it must not include anything itself (NVRTC here has no system or CUDA headers).
// The op codes below are the ones of elementwise/elementwise.abi.ts (ERR_*: kernel-abi.ts's
// ERROR_OPS); kernel-abi.test.ts compares the two.
#pragma once

// ---- op codes (elementwise.abi.ts UNARY_CODES) ----
#define UNARY_NEG 0
#define UNARY_EXP 1
#define UNARY_LOG 2
#define UNARY_SQRT 3
#define UNARY_RSQRT 4
#define UNARY_ABS 5
#define UNARY_TANH 6
#define UNARY_SIGMOID 7
#define UNARY_RELU 8
#define UNARY_GELU 9
#define UNARY_GELU_TANH 10
#define UNARY_SILU 11
#define UNARY_SIN 12
#define UNARY_COS 13
#define UNARY_SQUARE 14
#define UNARY_RECIPROCAL 15
#define UNARY_SIGN 16
#define UNARY_FLOOR 17
#define UNARY_ROUND 18
#define UNARY_LOGICAL_NOT 19

// ---- UNARY_GRAD_CODES ----
#define UGRAD_GELU 0
#define UGRAD_GELU_TANH 1
#define UGRAD_SILU 2
#define UGRAD_TANH 3
#define UGRAD_SIGMOID 4

// ---- BINARY_CODES ----
#define BINARY_ADD 0
#define BINARY_SUB 1
#define BINARY_MUL 2
#define BINARY_DIV 3
#define BINARY_POW 4
#define BINARY_MAXIMUM 5
#define BINARY_MINIMUM 6
#define BINARY_EQ 7
#define BINARY_NE 8
#define BINARY_LT 9
#define BINARY_LE 10
#define BINARY_GT 11
#define BINARY_GE 12

// ---- DTYPE_CODES (cast_any) ----
#define DT_FLOAT32 0
#define DT_FLOAT64 1
#define DT_FLOAT16 2
#define DT_BFLOAT16 3
#define DT_INT32 4
#define DT_INT64 5
#define DT_INT8 6
#define DT_UINT8 7
#define DT_BOOL 8

// ---- ERROR_OPS (err[1] of the device error word) ----
#define ERR_GATHER 1
#define ERR_INDEX_SELECT 2
#define ERR_SCATTER_ADD 3
#define ERR_INDEX_ADD 4
#define ERR_CROSS_ENTROPY 5
#define ERR_DEQUANT_GPTQ 6
#define ERR_GPTQ_MATMUL 7

#define MAX_RANK 8

// A strided view of up to three operands over one row-major output shape: operand k of output
// element (c_0 … c_{rank-1}) is at off_k + Σ c_d·s_k[d]. Passed by value (296 bytes, the
// INDEX3_BYTES of kernel-abi.ts).
struct Index3 {
  long long rank, n;
  long long shape[MAX_RANK], s0[MAX_RANK], s1[MAX_RANK], s2[MAX_RANK];
  long long off0, off1, off2;
};

// ---- indexing ----

// Grid-stride loop over [0, n) with 64-bit indices (correct for any grid size).
#define GRID_STRIDE_LOOP(i, n)                                                          \
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x,                  \
                 i##_step = (long long)gridDim.x * blockDim.x;                           \
       i < (n); i += i##_step)

// q = a / b, r = a % b for a >= 0, b > 0; 32-bit division (several times cheaper) when both fit.
__device__ __forceinline__ long long divmod_nn(long long a, long long b, long long& r) {
  if ((((unsigned long long)a | (unsigned long long)b) >> 32) == 0) {
    unsigned q = (unsigned)a / (unsigned)b;
    r = (long long)((unsigned)a - q * (unsigned)b);
    return q;
  }
  long long q = a / b;
  r = a - q * b;
  return q;
}

// Coordinates of linear index i in the view's shape. The loops run over all MAX_RANK axes with
// an `if (d < rank)` guard so that, fully unrolled, every struct access has a constant index and
// stays in the kernel-parameter bank (a dynamic index would copy the struct to local memory).
__device__ __forceinline__ void index3_coords(const Index3& v, long long i, long long* c) {
#pragma unroll
  for (int d = MAX_RANK - 1; d >= 0; --d) {
    if (d < v.rank) i = divmod_nn(i, v.shape[d], c[d]);
    else c[d] = 0;
  }
}

__device__ __forceinline__ void index3_offsets_of(const Index3& v, const long long* c, long long& o0,
                                                  long long& o1, long long& o2) {
  o0 = v.off0;
  o1 = v.off1;
  o2 = v.off2;
#pragma unroll
  for (int d = 0; d < MAX_RANK; ++d) {
    if (d < v.rank) {
      o0 += c[d] * v.s0[d];
      o1 += c[d] * v.s1[d];
      o2 += c[d] * v.s2[d];
    }
  }
}

// Maps output linear index i (row-major over v.shape) to the three operand element offsets.
__device__ __forceinline__ void index3_offsets(const Index3& v, long long i, long long& o0, long long& o1,
                                               long long& o2) {
  long long c[MAX_RANK];
  index3_coords(v, i, c);
  index3_offsets_of(v, c, o0, o1, o2);
}

// Grid-stride loop over the view calling f(i, o0, o1, o2). Each thread divides once to find its
// first element and once for the grid stride written in the view's mixed radix; every later
// element is reached by adding those digits with carries, with no per-element division.
template <typename F>
__device__ __forceinline__ void index3_for_each(const Index3& v, F f) {
  long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
  const long long stride = (long long)gridDim.x * blockDim.x;
  if (i >= v.n) return;
  long long c[MAX_RANK], step[MAX_RANK];
  index3_coords(v, i, c);
  if (i + stride < v.n) index3_coords(v, stride, step);  // stride < n here, so the digits are exact
  for (;;) {
    long long o0, o1, o2;
    index3_offsets_of(v, c, o0, o1, o2);
    f(i, o0, o1, o2);
    i += stride;
    if (i >= v.n) break;
    long long carry = 0;
#pragma unroll
    for (int d = MAX_RANK - 1; d >= 0; --d) {
      if (d < v.rank) {
        c[d] += step[d] + carry;
        carry = c[d] >= v.shape[d];
        if (carry) c[d] -= v.shape[d];
      }
    }
  }
}

// Grid-stride loop over a row-major [A, B, C] box calling f(p, a, b, c), with the same
// divide-once-then-carry scheme as index3_for_each.
template <typename F>
__device__ __forceinline__ void box3_for_each(long long A, long long B, long long C, F f) {
  const long long n = A * B * C;
  long long p = (long long)blockIdx.x * blockDim.x + threadIdx.x;
  const long long stride = (long long)gridDim.x * blockDim.x;
  if (p >= n) return;
  long long a, b, c, sa = 0, sb = 0, sc = 0;
  a = divmod_nn(divmod_nn(p, C, c), B, b);
  if (p + stride < n) sa = divmod_nn(divmod_nn(stride, C, sc), B, sb);
  for (;;) {
    f(p, a, b, c);
    p += stride;
    if (p >= n) break;
    c += sc;
    long long carry = c >= C;
    if (carry) c -= C;
    b += sb + carry;
    carry = b >= B;
    if (carry) b -= B;
    a += sa + carry;
  }
}

// ---- NaN / infinity helpers (no isnan/INFINITY macros under NVRTC) ----

template <typename T>
__device__ __forceinline__ bool is_nan(T x) {
  return x != x;  // false for integers, folded away
}
__device__ __forceinline__ float f32_inf() { return __int_as_float(0x7f800000); }
__device__ __forceinline__ double f64_inf() { return __longlong_as_double(0x7ff0000000000000LL); }
__device__ __forceinline__ float f32_nan() { return __int_as_float(0x7fc00000); }
__device__ __forceinline__ double f64_nan() { return __longlong_as_double(0x7ff8000000000000LL); }

template <typename T>
__device__ __forceinline__ T inf_of();
template <>
__device__ __forceinline__ float inf_of<float>() { return f32_inf(); }
template <>
__device__ __forceinline__ double inf_of<double>() { return f64_inf(); }

// ---- float/double overloads of the builtin math functions (the kernels are templates) ----

#define MATH_OVERLOAD(name, fname, dname)                                    \
  __device__ __forceinline__ float name(float x) { return fname(x); }       \
  __device__ __forceinline__ double name(double x) { return dname(x); }
MATH_OVERLOAD(m_exp, expf, exp)
MATH_OVERLOAD(m_log, logf, log)
MATH_OVERLOAD(m_sqrt, sqrtf, sqrt)
MATH_OVERLOAD(m_abs, fabsf, fabs)
MATH_OVERLOAD(m_tanh, tanhf, tanh)
MATH_OVERLOAD(m_erf, erff, erf)
MATH_OVERLOAD(m_sin, sinf, sin)
MATH_OVERLOAD(m_cos, cosf, cos)
MATH_OVERLOAD(m_floor, floorf, floor)
MATH_OVERLOAD(m_rint, rintf, rint)
#undef MATH_OVERLOAD

__device__ __forceinline__ float m_pow_raw(float a, float b) { return powf(a, b); }
__device__ __forceinline__ double m_pow_raw(double a, double b) { return pow(a, b); }

// Math.pow: like C pow except that a NaN exponent always gives NaN and (±1)^±∞ is NaN (C: 1).
template <typename T>
__device__ __forceinline__ T js_pow(T a, T b) {
  if (b != b) return b;
  if (m_abs(a) == T(1) && m_abs(b) == inf_of<T>()) return b - b;  // ∞ - ∞ = NaN
  return m_pow_raw(a, b);
}

// ---- integer stores with JS typed-array semantics ----

// Math.trunc(v) reduced modulo 2^64 into a long long; NaN and ±∞ give 0. Narrowing the result
// with a C cast then wraps modulo 2^32/2^8 exactly as storing v into an Int32Array/Uint8Array
// does (ToInt32/ToUint8), and the full value is what a BigInt64Array store of trunc(v) keeps.
__device__ __forceinline__ long long js_trunc_wrap(double v) {
  if (fabs(v) < 9223372036854775808.0) return (long long)v;  // the common case; NaN fails it
  if (!(fabs(v) < f64_inf())) return 0;                       // NaN, ±∞
  // |v| >= 2^63 is an integer multiple of 2^11: fmod and the += are exact.
  double m = fmod(v, 18446744073709551616.0);
  if (m < 0) m += 18446744073709551616.0;
  return (long long)(unsigned long long)m;
}
__device__ __forceinline__ int js_to_i32(double v) { return (int)(unsigned)(unsigned long long)js_trunc_wrap(v); }
__device__ __forceinline__ unsigned char js_to_u8(double v) { return (unsigned char)js_trunc_wrap(v); }
__device__ __forceinline__ signed char js_to_i8(double v) { return (signed char)(unsigned char)js_trunc_wrap(v); }

// ---- float16 / bfloat16 bit conversions (round to nearest even, as dtype.ts) ----

__device__ __forceinline__ float f16_bits_to_f32(unsigned short h) {
  float f;
#ifdef SHRINKRAY_HOST_EMULATION
  f = emu_f16_bits_to_f32(h);  // src/testing/cuda/host-emulation/shim.h
#else
  asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h));
#endif
  return f;
}

__device__ __forceinline__ unsigned short f32_to_f16_bits(float f) {
  unsigned bits = __float_as_uint(f);
  // dtype.ts keeps the sign and makes a quiet NaN; cvt would give a canonical NaN.
  if ((bits & 0x7fffffffu) > 0x7f800000u) return (unsigned short)(((bits >> 16) & 0x8000u) | 0x7e00u);
  unsigned short h;
#ifdef SHRINKRAY_HOST_EMULATION
  h = emu_f32_to_f16_bits_rn(f);  // src/testing/cuda/host-emulation/shim.h
#else
  asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f));
#endif
  return h;
}

__device__ __forceinline__ float bf16_bits_to_f32(unsigned short h) { return __uint_as_float((unsigned)h << 16); }

__device__ __forceinline__ unsigned short f32_to_bf16_bits(float f) {
  unsigned bits = __float_as_uint(f);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return (unsigned short)((bits >> 16) | 0x40u);  // NaN stays quiet
  return (unsigned short)((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);
}

// ---- warp and block reductions ----
//
// block_* reduce one value per thread over the whole block and return the result to every
// thread. They work for any blockDim.x that is a multiple of 32 up to 1024, must be reached by
// all threads of the block, and may be called repeatedly (the leading __syncthreads protects the
// scratch array from the previous call's readers).

struct SumOp {
  template <typename T>
  __device__ __forceinline__ T operator()(T a, T b) const { return a + b; }
};
// NaN-ignoring max (a NaN operand loses), as `if (x > mx) mx = x` in the CPU softmax.
struct MaxOp {
  template <typename T>
  __device__ __forceinline__ T operator()(T a, T b) const { return b > a ? b : a; }
};

template <typename T, typename Op>
__device__ __forceinline__ T warp_reduce(T v, Op op) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v = op(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

template <typename T, typename Op>
__device__ __forceinline__ T block_reduce(T v, Op op, T identity) {
  __shared__ T scratch[32];
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  v = warp_reduce(v, op);
  __syncthreads();
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  // Every warp folds the per-warp partials itself: a broadcast without a third barrier.
  v = lane < (int)(blockDim.x >> 5) ? scratch[lane] : identity;
  return warp_reduce(v, op);
}

template <typename T>
__device__ __forceinline__ T block_sum(T v) {
  return block_reduce(v, SumOp(), T(0));
}
template <typename T>
__device__ __forceinline__ T block_max(T v) {
  return block_reduce(v, MaxOp(), -inf_of<T>());
}

// (value, index) candidates of an arg-reduction. `b_wins` says whether b replaces a, so that
// folding candidates in any order gives what a left-to-right scan keeping the first best gives:
// a NaN beats any number (the first NaN wins), otherwise the strictly better value wins, and
// equal values keep the lower index.
template <typename T>
__device__ __forceinline__ bool b_wins(bool wantMax, T a, long long ia, T b, long long ib) {
  const bool an = is_nan(a), bn = is_nan(b);
  if (an || bn) return bn && (!an || ib < ia);
  if (wantMax ? b > a : b < a) return true;
  return b == a && ib < ia;
}

template <typename T>
__device__ __forceinline__ void block_arg_reduce(bool wantMax, T& v, long long& idx) {
  __shared__ T sv[32];
  __shared__ long long si[32];
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) {
    T ov = __shfl_xor_sync(0xffffffffu, v, o);
    long long oi = __shfl_xor_sync(0xffffffffu, idx, o);
    if (b_wins(wantMax, v, idx, ov, oi)) {
      v = ov;
      idx = oi;
    }
  }
  __syncthreads();
  if (lane == 0) {
    sv[warp] = v;
    si[warp] = idx;
  }
  __syncthreads();
  // Lanes past the warp count repeat warp 0's candidate: a duplicate never changes the result.
  const int src = lane < (int)(blockDim.x >> 5) ? lane : 0;
  v = sv[src];
  idx = si[src];
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) {
    T ov = __shfl_xor_sync(0xffffffffu, v, o);
    long long oi = __shfl_xor_sync(0xffffffffu, idx, o);
    if (b_wins(wantMax, v, idx, ov, oi)) {
      v = ov;
      idx = oi;
    }
  }
}
