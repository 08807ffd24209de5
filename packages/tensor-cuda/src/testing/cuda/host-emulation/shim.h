// CUDA on the CPU: the few CUDA C features the kernels in ../kernels use, defined for g++ so
// that the real kernel sources compile as C++ (`g++ -x c++ -include shim.h`) and run on the
// host (build.ts builds them into one shared library).
//
// Execution model (runtime.cpp): blocks run one after another on the calling OS thread; the
// threads of the running block are fibers (small stacks, cooperative switches) scheduled round
// robin. __syncthreads is a block barrier (a fiber yields until every live thread of the block
// has arrived), __shfl_xor_sync a warp exchange (all 32 lanes deposit their value, then each
// reads its partner's). Divergent shuffles and barrier deadlocks stop the launch with an error
// (emu_launch returns nonzero, emu_last_error() says why) instead of hanging. Since only one
// fiber runs at a time and a fiber only yields inside __syncthreads / __shfl_*, __shared__
// variables are plain static storage shared by the fibers of the running block, and atomics are
// plain read-modify-writes.
#pragma once
#define SHRINKRAY_HOST_EMULATION 1

#include <math.h>
#include <stdint.h>
#include <string.h>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __noinline__ __attribute__((noinline))
#define __shared__ static
#define __constant__ static
#define __launch_bounds__(...)

#define EMU_HIDDEN __attribute__((visibility("hidden")))

struct uint3 {
  unsigned x, y, z;
};
struct dim3 {
  unsigned x, y, z;
};

// Set by the scheduler before it resumes each fiber (values of the running fiber).
extern EMU_HIDDEN uint3 threadIdx;
extern EMU_HIDDEN uint3 blockIdx;
extern EMU_HIDDEN dim3 blockDim;
extern EMU_HIDDEN dim3 gridDim;
static const int warpSize = 32;

// ---- runtime entry points (runtime.cpp) ----

extern "C" EMU_HIDDEN void emu_syncthreads();
// Exchanges `bits` (`size` bytes used) with lane ^ laneMask of the calling warp.
extern "C" EMU_HIDDEN unsigned long long emu_shfl_xor(unsigned mask, unsigned long long bits, int laneMask, int width,
                                                      int size);
// Records `msg` as the launch's error and ends the launch (never returns).
extern "C" EMU_HIDDEN __attribute__((noreturn)) void emu_trap(const char* msg);
// Runs body(ctx) as every thread of every block; 0 on success, nonzero (see emu_last_error) if not.
extern "C" EMU_HIDDEN int emu_run_grid(unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                                       void (*body)(void*), void* ctx);
extern "C" EMU_HIDDEN void emu_set_error(const char* msg);

// ---- synchronisation ----

inline void __syncthreads() { emu_syncthreads(); }

template <typename T>
inline T __shfl_xor_sync(unsigned mask, T v, int laneMask, int width = 32) {
  static_assert(sizeof(T) <= 8, "__shfl_xor_sync of a type wider than 8 bytes");
  unsigned long long bits = 0;
  memcpy(&bits, &v, sizeof(T));
  bits = emu_shfl_xor(mask, bits, laneMask, width, (int)sizeof(T));
  T r;
  memcpy(&r, &bits, sizeof(T));
  return r;
}

inline void __trap() { emu_trap("__trap() called"); }

// ---- atomics: one fiber runs at a time and none yields inside these, so a plain
// read-modify-write is atomic with respect to every other GPU thread ----

#define EMU_ATOMIC_RMW(name, T, expr) \
  inline T name(T* p, T v) {          \
    T old = *p;                       \
    *p = (expr);                      \
    return old;                       \
  }
EMU_ATOMIC_RMW(atomicAdd, int, old + v)
EMU_ATOMIC_RMW(atomicAdd, unsigned, old + v)
EMU_ATOMIC_RMW(atomicAdd, unsigned long long, old + v)
EMU_ATOMIC_RMW(atomicAdd, float, old + v)
EMU_ATOMIC_RMW(atomicAdd, double, old + v)
EMU_ATOMIC_RMW(atomicSub, int, old - v)
EMU_ATOMIC_RMW(atomicSub, unsigned, old - v)
EMU_ATOMIC_RMW(atomicExch, int, v)
EMU_ATOMIC_RMW(atomicExch, unsigned, v)
EMU_ATOMIC_RMW(atomicExch, unsigned long long, v)
EMU_ATOMIC_RMW(atomicExch, float, v)
EMU_ATOMIC_RMW(atomicMax, int, old > v ? old : v)
EMU_ATOMIC_RMW(atomicMax, unsigned, old > v ? old : v)
EMU_ATOMIC_RMW(atomicMax, long long, old > v ? old : v)
EMU_ATOMIC_RMW(atomicMax, unsigned long long, old > v ? old : v)
EMU_ATOMIC_RMW(atomicMin, int, old < v ? old : v)
EMU_ATOMIC_RMW(atomicMin, unsigned, old < v ? old : v)
EMU_ATOMIC_RMW(atomicMin, long long, old < v ? old : v)
EMU_ATOMIC_RMW(atomicMin, unsigned long long, old < v ? old : v)
EMU_ATOMIC_RMW(atomicAnd, int, old & v)
EMU_ATOMIC_RMW(atomicAnd, unsigned, old & v)
EMU_ATOMIC_RMW(atomicOr, int, old | v)
EMU_ATOMIC_RMW(atomicOr, unsigned, old | v)
EMU_ATOMIC_RMW(atomicXor, int, old ^ v)
EMU_ATOMIC_RMW(atomicXor, unsigned, old ^ v)
#undef EMU_ATOMIC_RMW

#define EMU_ATOMIC_CAS(T)                     \
  inline T atomicCAS(T* p, T compare, T v) { \
    T old = *p;                               \
    if (old == compare) *p = v;               \
    return old;                               \
  }
EMU_ATOMIC_CAS(int)
EMU_ATOMIC_CAS(unsigned)
EMU_ATOMIC_CAS(unsigned long long)
EMU_ATOMIC_CAS(unsigned short)
#undef EMU_ATOMIC_CAS

// ---- bit casts ----

template <typename To, typename From>
inline To emu_bit_cast(From f) {
  static_assert(sizeof(To) == sizeof(From), "bit cast of different sizes");
  To t;
  memcpy(&t, &f, sizeof(To));
  return t;
}
inline float __int_as_float(int i) { return emu_bit_cast<float>(i); }
inline float __uint_as_float(unsigned i) { return emu_bit_cast<float>(i); }
inline int __float_as_int(float f) { return emu_bit_cast<int>(f); }
inline unsigned __float_as_uint(float f) { return emu_bit_cast<unsigned>(f); }
inline double __longlong_as_double(long long i) { return emu_bit_cast<double>(i); }
inline long long __double_as_longlong(double d) { return emu_bit_cast<long long>(d); }

// ---- a few device math functions that C's <math.h> lacks ----
// Round-to-nearest float arithmetic that is never contracted into an FMA (g++ without -mfma
// emits none, so plain operators do).
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fdiv_rn(float a, float b) { return a / b; }

inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
inline double rsqrt(double x) { return 1.0 / sqrt(x); }
inline float __expf(float x) { return expf(x); }
inline float __logf(float x) { return logf(x); }
inline float __fdividef(float a, float b) { return a / b; }
inline float __saturatef(float x) { return x > 1.0f ? 1.0f : x > 0.0f ? x : 0.0f; }  // NaN → 0

// CUDA's integer min/max overloads (global namespace, as in device code).
#define EMU_MINMAX(T)                                 \
  inline T min(T a, T b) { return a < b ? a : b; }   \
  inline T max(T a, T b) { return a > b ? a : b; }
EMU_MINMAX(int)
EMU_MINMAX(unsigned)
EMU_MINMAX(long long)
EMU_MINMAX(unsigned long long)
#undef EMU_MINMAX
inline float min(float a, float b) { return fminf(a, b); }
inline float max(float a, float b) { return fmaxf(a, b); }
inline double min(double a, double b) { return fmin(a, b); }
inline double max(double a, double b) { return fmax(a, b); }

// ---- float16 conversions (common.cuh uses these instead of its PTX cvt under
// SHRINKRAY_HOST_EMULATION) ----

// cvt.f32.f16: exact; a NaN keeps its sign and payload and is quiet (0x7e00 → 0x7fc00000).
inline float emu_f16_bits_to_f32(unsigned short h) {
  const unsigned sign = (unsigned)(h & 0x8000u) << 16;
  const unsigned exp = (h >> 10) & 0x1fu;
  unsigned mant = h & 0x3ffu;
  unsigned bits;
  if (exp == 0x1fu) {
    bits = sign | 0x7f800000u | (mant << 13) | (mant ? 0x400000u : 0u);
  } else if (exp != 0) {
    bits = sign | ((exp + 112u) << 23) | (mant << 13);
  } else if (mant == 0) {
    bits = sign;
  } else {
    // subnormal: normalise (the value mant·2^-24 is exact in float)
    int e = 113;  // biased float exponent of 2^-14
    while (!(mant & 0x400u)) {
      mant <<= 1;
      --e;
    }
    bits = sign | ((unsigned)e << 23) | ((mant & 0x3ffu) << 13);
  }
  return emu_bit_cast<float>(bits);
}

// cvt.rn.f16.f32 of a non-NaN float: round to nearest even, overflow to ±∞, subnormals kept.
// (A NaN gives a quiet NaN with the sign kept; common.cuh handles NaN before calling this.)
inline unsigned short emu_f32_to_f16_bits_rn(float f) {
  const unsigned bits = emu_bit_cast<unsigned>(f);
  const unsigned sign = (bits >> 16) & 0x8000u;
  const unsigned exp = (bits >> 23) & 0xffu;
  unsigned mant = bits & 0x7fffffu;
  if (exp == 0xffu) return (unsigned short)(sign | 0x7c00u | (mant ? 0x200u : 0u));
  const int e = (int)exp - 127 + 15;
  if (e >= 0x1f) return (unsigned short)(sign | 0x7c00u);
  if (e <= 0) {
    if (e < -10) return (unsigned short)sign;
    mant |= 0x800000u;
    const int shift = 14 - e;
    unsigned half = mant >> shift;
    const unsigned rem = mant & ((1u << shift) - 1u), mid = 1u << (shift - 1);
    if (rem > mid || (rem == mid && (half & 1u))) ++half;
    return (unsigned short)(sign | half);
  }
  unsigned half = ((unsigned)e << 10) | (mant >> 13);
  const unsigned rem = mant & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (half & 1u))) ++half;  // a carry rounds up a binade / to ∞
  return (unsigned short)(sign | half);
}
