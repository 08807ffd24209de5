// Element-wise kernels: unary, unary gradients, binary/compare (contiguous and strided), clamp,
// pow by a scalar, AdamW, casts, fills and where. Semantics follow src/backend/cpu/elementwise.ts,
// cast.ts and index.ts (adamwStep). All of them are 1-D grid-stride loops (blockDim.x = 256).
#include "common.cuh"

// ---- unary ----

// Float formulas (f32 computes in float, f64 in double): UNARY_EXPR of cpu/elementwise.ts.
template <typename T>
__device__ __forceinline__ T unary_float(int op, T x) {
  switch (op) {
    case UNARY_NEG: return -x;
    case UNARY_EXP: return m_exp(x);
    case UNARY_LOG: return m_log(x);
    case UNARY_SQRT: return m_sqrt(x);
    case UNARY_RSQRT: return T(1) / m_sqrt(x);
    case UNARY_ABS: return m_abs(x);
    case UNARY_TANH: return m_tanh(x);
    case UNARY_SIGMOID: return T(1) / (T(1) + m_exp(-x));
    case UNARY_RELU: return x > T(0) ? x : T(0);
    case UNARY_GELU: return T(0.5) * x * (T(1) + m_erf(x * T(0.7071067811865476)));
    // 0.5·(1 + tanh(u)) = σ(2u)
    case UNARY_GELU_TANH: return x / (T(1) + m_exp(T(-1.5957691216057308) * (x + T(0.044715) * x * x * x)));
    case UNARY_SILU: return x / (T(1) + m_exp(-x));
    case UNARY_SIN: return m_sin(x);
    case UNARY_COS: return m_cos(x);
    case UNARY_SQUARE: return x * x;
    case UNARY_RECIPROCAL: return T(1) / x;
    case UNARY_SIGN: return x > T(0) ? T(1) : x < T(0) ? T(-1) : x;  // Math.sign: ±0 and NaN pass
    case UNARY_FLOOR: return m_floor(x);
    case UNARY_ROUND: return m_rint(x);  // half to even
    // JS truthiness: NaN is falsy, so !NaN is 1 (unlike a C `x ? 0 : 1`).
    case UNARY_LOGICAL_NOT: return (x == T(0) || x != x) ? T(1) : T(0);
    default: return x;
  }
}

// Integer inputs go through double, as the CPU's JS numbers, and are stored back with
// typed-array wrapping (NaN/∞ → 0).
__device__ __forceinline__ float unary_elem(int op, float x) { return unary_float(op, x); }
__device__ __forceinline__ double unary_elem(int op, double x) { return unary_float(op, x); }
__device__ __forceinline__ int unary_elem(int op, int x) { return js_to_i32(unary_float(op, (double)x)); }
__device__ __forceinline__ unsigned char unary_elem(int op, unsigned char x) {
  return js_to_u8(unary_float(op, (double)x));
}

#define DEFINE_UNARY(S, T)                                                                     \
  extern "C" __global__ void unary_##S(int op, const T* __restrict__ x, T* __restrict__ y,      \
                                       long long n) {                                           \
    GRID_STRIDE_LOOP(i, n) y[i] = unary_elem(op, x[i]);                                         \
  }
DEFINE_UNARY(f32, float)
DEFINE_UNARY(f64, double)
DEFINE_UNARY(i32, int)
DEFINE_UNARY(u8, unsigned char)

// ---- unary gradients: y = g · f'(x) (GRAD_BODY of cpu/elementwise.ts) ----

template <typename T>
__device__ __forceinline__ T unary_grad_elem(int op, T x, T g) {
  T d;
  switch (op) {
    case UGRAD_GELU:
      d = T(0.5) * (T(1) + m_erf(x * T(0.7071067811865476))) +
          x * T(0.3989422804014327) * m_exp(T(-0.5) * x * x);
      break;
    case UGRAD_GELU_TANH: {
      const T s = T(1) / (T(1) + m_exp(T(-1.5957691216057308) * (x + T(0.044715) * x * x * x)));
      d = s + T(2) * x * s * (T(1) - s) * T(0.7978845608028654) * (T(1) + T(0.134145) * x * x);
      break;
    }
    case UGRAD_SILU: {
      const T s = T(1) / (T(1) + m_exp(-x));
      d = s * (T(1) + x * (T(1) - s));
      break;
    }
    case UGRAD_TANH: {
      const T t = m_tanh(x);
      d = T(1) - t * t;
      break;
    }
    case UGRAD_SIGMOID: {
      const T s = T(1) / (T(1) + m_exp(-x));
      d = s * (T(1) - s);
      break;
    }
    default: d = T(0);
  }
  return g * d;
}

#define DEFINE_UNARY_GRAD(S, T)                                                                      \
  extern "C" __global__ void unary_grad_##S(int op, const T* __restrict__ x, const T* __restrict__ g, \
                                            T* __restrict__ y, long long n) {                         \
    GRID_STRIDE_LOOP(i, n) y[i] = unary_grad_elem(op, x[i], g[i]);                                    \
  }
DEFINE_UNARY_GRAD(f32, float)
DEFINE_UNARY_GRAD(f64, double)

// ---- binary and compare (BINARY_EXPR of cpu/elementwise.ts) ----

template <typename T>
__device__ __forceinline__ T binary_float(int op, T a, T b) {
  switch (op) {
    case BINARY_ADD: return a + b;
    case BINARY_SUB: return a - b;
    case BINARY_MUL: return a * b;
    case BINARY_DIV: return a / b;
    case BINARY_POW: return js_pow(a, b);
    case BINARY_MAXIMUM: return (a > b || a != a) ? a : b;  // NaN propagates
    case BINARY_MINIMUM: return (a < b || a != a) ? a : b;
    default: return T(0);
  }
}

__device__ __forceinline__ float binary_elem(int op, float a, float b) { return binary_float(op, a, b); }
__device__ __forceinline__ double binary_elem(int op, double a, double b) { return binary_float(op, a, b); }

// int32 as JS numbers stored into an Int32Array: add/sub wrap (the exact sum fits a double);
// mul rounds in double first (products past 2^53 round in JS before they wrap); a / 0 → ±∞/NaN
// → 0; INT_MIN / -1 = 2^31 wraps to INT_MIN; otherwise the quotient truncates like C division.
__device__ __forceinline__ int binary_elem(int op, int a, int b) {
  switch (op) {
    case BINARY_ADD: return (int)((unsigned)a + (unsigned)b);
    case BINARY_SUB: return (int)((unsigned)a - (unsigned)b);
    case BINARY_MUL: return js_to_i32((double)a * (double)b);
    case BINARY_DIV:
      if (b == 0) return 0;
      if (b == -1) return (int)(0u - (unsigned)a);
      return a / b;
    case BINARY_POW: return js_to_i32(js_pow((double)a, (double)b));
    case BINARY_MAXIMUM: return a > b ? a : b;
    case BINARY_MINIMUM: return a < b ? a : b;
    default: return 0;
  }
}

// uint8 wraps modulo 256 (every sum/difference/product of bytes is exact in int).
__device__ __forceinline__ unsigned char binary_elem(int op, unsigned char a, unsigned char b) {
  switch (op) {
    case BINARY_ADD: return (unsigned char)(a + b);
    case BINARY_SUB: return (unsigned char)(a - b);
    case BINARY_MUL: return (unsigned char)(a * b);
    case BINARY_DIV: return b == 0 ? 0 : (unsigned char)(a / b);
    case BINARY_POW: return js_to_u8(js_pow((double)a, (double)b));
    case BINARY_MAXIMUM: return a > b ? a : b;
    case BINARY_MINIMUM: return a < b ? a : b;
    default: return 0;
  }
}

template <typename T>
__device__ __forceinline__ unsigned char compare_elem(int op, T a, T b) {
  switch (op) {
    case BINARY_EQ: return a == b;
    case BINARY_NE: return a != b;
    case BINARY_LT: return a < b;
    case BINARY_LE: return a <= b;
    case BINARY_GT: return a > b;
    case BINARY_GE: return a >= b;
    default: return 0;
  }
}

#define DEFINE_BINARY(S, T)                                                                           \
  extern "C" __global__ void binary_##S(int op, const T* __restrict__ a, const T* __restrict__ b,      \
                                        T* __restrict__ y, long long n) {                              \
    GRID_STRIDE_LOOP(i, n) y[i] = binary_elem(op, a[i], b[i]);                                         \
  }                                                                                                    \
  extern "C" __global__ void compare_##S(int op, const T* __restrict__ a, const T* __restrict__ b,     \
                                         unsigned char* __restrict__ y, long long n) {                 \
    GRID_STRIDE_LOOP(i, n) y[i] = compare_elem(op, a[i], b[i]);                                        \
  }                                                                                                    \
  /* s0/off0 address a, s1/off1 address b; y is contiguous over view.shape */                          \
  extern "C" __global__ void binary_strided_##S(int op, const T* __restrict__ a,                       \
                                                const T* __restrict__ b, T* __restrict__ y,            \
                                                Index3 view) {                                         \
    index3_for_each(view, [&](long long i, long long oa, long long ob, long long) {                    \
      y[i] = binary_elem(op, a[oa], b[ob]);                                                            \
    });                                                                                                \
  }                                                                                                    \
  extern "C" __global__ void compare_strided_##S(int op, const T* __restrict__ a,                      \
                                                 const T* __restrict__ b,                              \
                                                 unsigned char* __restrict__ y, Index3 view) {         \
    index3_for_each(view, [&](long long i, long long oa, long long ob, long long) {                    \
      y[i] = compare_elem(op, a[oa], b[ob]);                                                           \
    });                                                                                                \
  }
DEFINE_BINARY(f32, float)
DEFINE_BINARY(f64, double)
DEFINE_BINARY(i32, int)
DEFINE_BINARY(u8, unsigned char)

// ---- clamp: max wins when lo > hi (torch.clamp); NaN passes through ----

// Floats clamp in their own precision with the bounds rounded to it: for a value v of that type,
// v > hi and v > (T)hi differ only when v == (T)hi, which gives the same result either way.
// v > hi ? hi : Math.max(v, lo): a NaN v or lo gives NaN.
template <typename T>
__device__ __forceinline__ T clamp_elem(T v, T lo, T hi) {
  return v > hi ? hi : (lo != lo ? lo : (v < lo ? lo : v));
}
__device__ __forceinline__ float clamp_any(float v, double lo, double hi) {
  return clamp_elem(v, (float)lo, (float)hi);
}
__device__ __forceinline__ double clamp_any(double v, double lo, double hi) { return clamp_elem(v, lo, hi); }
// Integers clamp in double (fractional bounds) and store back truncated.
__device__ __forceinline__ int clamp_any(int v, double lo, double hi) {
  return js_to_i32(clamp_elem((double)v, lo, hi));
}
__device__ __forceinline__ unsigned char clamp_any(unsigned char v, double lo, double hi) {
  return js_to_u8(clamp_elem((double)v, lo, hi));
}

#define DEFINE_CLAMP(S, T)                                                                            \
  extern "C" __global__ void clamp_##S(const T* __restrict__ x, T* __restrict__ y, double lo,          \
                                       double hi, long long n) {                                       \
    /* Math.min(lo, hi): NaN if either is */                                                           \
    const double lo2 = (lo != lo || hi != hi) ? lo + hi : lo < hi ? lo : hi;                           \
    GRID_STRIDE_LOOP(i, n) y[i] = clamp_any(x[i], lo2, hi);                                            \
  }
DEFINE_CLAMP(f32, float)
DEFINE_CLAMP(f64, double)
DEFINE_CLAMP(i32, int)
DEFINE_CLAMP(u8, unsigned char)

// ---- pow by a scalar exponent ----

extern "C" __global__ void pow_scalar_f32(const float* __restrict__ x, float* __restrict__ y, double e,
                                          long long n) {
  if (e == 2.0) {
    GRID_STRIDE_LOOP(i, n) y[i] = x[i] * x[i];
  } else if (e == 0.5) {
    GRID_STRIDE_LOOP(i, n) y[i] = sqrtf(x[i]);
  } else if ((double)(float)e == e) {
    const float ef = (float)e;
    GRID_STRIDE_LOOP(i, n) y[i] = js_pow(x[i], ef);
  } else {
    // An exponent float cannot hold (0.1, 1/3): powf would raise to a different power.
    GRID_STRIDE_LOOP(i, n) y[i] = (float)js_pow((double)x[i], e);
  }
}

extern "C" __global__ void pow_scalar_f64(const double* __restrict__ x, double* __restrict__ y, double e,
                                          long long n) {
  if (e == 2.0) {
    GRID_STRIDE_LOOP(i, n) y[i] = x[i] * x[i];
  } else if (e == 0.5) {
    GRID_STRIDE_LOOP(i, n) y[i] = sqrt(x[i]);
  } else {
    GRID_STRIDE_LOOP(i, n) y[i] = js_pow(x[i], e);
  }
}

// ---- AdamW, in place on p, m, v ----
//
// The update runs in double for both types, as the CPU's JS numbers: the kernel is bound by its
// seven memory accesses per element, so the double arithmetic costs nothing on an H100, and the
// float32 results are then the CPU's bit for bit (IEEE +, ×, ÷, sqrt, one rounding per store).
#define DEFINE_ADAMW(S, T)                                                                               \
  extern "C" __global__ void adamw_##S(T* __restrict__ p, const T* __restrict__ g, T* __restrict__ m,    \
                                       T* __restrict__ v, long long n, double beta1, double beta2,       \
                                       double eps, double decay, double stepSize, double sqrtBc2) {      \
    const double c1 = 1 - beta1, c2 = 1 - beta2;                                                         \
    GRID_STRIDE_LOOP(i, n) {                                                                             \
      const double gi = g[i];                                                                            \
      const double mi = beta1 * (double)m[i] + c1 * gi;                                                  \
      const double vi = beta2 * (double)v[i] + c2 * gi * gi;                                             \
      m[i] = (T)mi;                                                                                      \
      v[i] = (T)vi;                                                                                      \
      p[i] = (T)((double)p[i] * decay - (stepSize * mi) / (sqrt(vi) / sqrtBc2 + eps));                   \
    }                                                                                                    \
  }
DEFINE_ADAMW(f32, float)
DEFINE_ADAMW(f64, double)

// ---- cast between any two dtypes (cpu/cast.ts) ----

__device__ __forceinline__ double cast_read(int from, const void* x, long long i) {
  switch (from) {
    case DT_FLOAT32: return ((const float*)x)[i];
    case DT_FLOAT64: return ((const double*)x)[i];
    case DT_FLOAT16: return f16_bits_to_f32(((const unsigned short*)x)[i]);
    case DT_BFLOAT16: return bf16_bits_to_f32(((const unsigned short*)x)[i]);
    case DT_INT32: return ((const int*)x)[i];
    case DT_INT64: return (double)((const long long*)x)[i];
    case DT_INT8: return ((const signed char*)x)[i];
    default: return ((const unsigned char*)x)[i];  // DT_UINT8, DT_BOOL
  }
}

__device__ __forceinline__ void cast_write(int to, void* y, long long i, double v) {
  switch (to) {
    case DT_FLOAT32: ((float*)y)[i] = (float)v; break;
    case DT_FLOAT64: ((double*)y)[i] = v; break;
    // Rounded to float32 first, then to half: what dtype.ts does with the same input.
    case DT_FLOAT16: ((unsigned short*)y)[i] = f32_to_f16_bits((float)v); break;
    case DT_BFLOAT16: ((unsigned short*)y)[i] = f32_to_bf16_bits((float)v); break;
    case DT_INT32: ((int*)y)[i] = js_to_i32(v); break;
    case DT_INT64: ((long long*)y)[i] = js_trunc_wrap(v); break;
    case DT_INT8: ((signed char*)y)[i] = js_to_i8(v); break;
    case DT_UINT8: ((unsigned char*)y)[i] = js_to_u8(v); break;
    default: ((unsigned char*)y)[i] = v != 0 ? 1 : 0; break;  // DT_BOOL: NaN != 0 is true (nonzero)
  }
}

// Every value of every source type is exact in double, so one read/write pair covers all 81
// pairs; the switches branch the same way for the whole grid.
extern "C" __global__ void cast_any(int from, int to, const void* __restrict__ x, void* __restrict__ y,
                                    long long n) {
  if (from == DT_BFLOAT16 && to == DT_FLOAT32) {  // the checkpoint-loading fast path
    GRID_STRIDE_LOOP(i, n) ((float*)y)[i] = bf16_bits_to_f32(((const unsigned short*)x)[i]);
    return;
  }
  if (from == DT_FLOAT16 && to == DT_FLOAT32) {
    GRID_STRIDE_LOOP(i, n) ((float*)y)[i] = f16_bits_to_f32(((const unsigned short*)x)[i]);
    return;
  }
  GRID_STRIDE_LOOP(i, n) cast_write(to, y, i, cast_read(from, x, i));
}

// ---- fills and where (bit-moving: one kernel per element size) ----

#define DEFINE_FILL_WHERE(S, T)                                                                          \
  extern "C" __global__ void fill_##S(T* __restrict__ y, T value, long long n) {                         \
    GRID_STRIDE_LOOP(i, n) y[i] = value;                                                                 \
  }                                                                                                      \
  /* y [rows, cols]: every row = row [cols]. The column advances by the grid stride mod cols, so */      \
  /* each thread divides once. */                                                                        \
  extern "C" __global__ void fill_rows_##S(T* __restrict__ y, const T* __restrict__ row, long long rows, \
                                           long long cols) {                                             \
    const long long n = rows * cols;                                                                     \
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;                                      \
    const long long stride = (long long)gridDim.x * blockDim.x;                                          \
    if (i >= n) return;                                                                                  \
    long long c, sc;                                                                                     \
    divmod_nn(i, cols, c);                                                                               \
    divmod_nn(stride, cols, sc);                                                                         \
    for (; i < n; i += stride) {                                                                         \
      y[i] = row[c];                                                                                     \
      c += sc;                                                                                           \
      if (c >= cols) c -= cols;                                                                          \
    }                                                                                                    \
  }                                                                                                      \
  /* s0/off0 address cond (bool bytes), s1/off1 a, s2/off2 b */                                          \
  extern "C" __global__ void where_##S(const unsigned char* __restrict__ cond, const T* __restrict__ a,   \
                                       const T* __restrict__ b, T* __restrict__ y, Index3 view) {        \
    index3_for_each(view, [&](long long i, long long oc, long long oa, long long ob) {                   \
      y[i] = cond[oc] ? a[oa] : b[ob];                                                                   \
    });                                                                                                  \
  }
DEFINE_FILL_WHERE(b1, unsigned char)
DEFINE_FILL_WHERE(b2, unsigned short)
DEFINE_FILL_WHERE(b4, unsigned int)
DEFINE_FILL_WHERE(b8, unsigned long long)
