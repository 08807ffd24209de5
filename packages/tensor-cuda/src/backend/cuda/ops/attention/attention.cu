// Fused scaled-dot-product attention that never materialises the [T, S] score matrix: an
// online-softmax forward that also stores the row log-sum-exp, and a backward in three kernels
// (delta = Σ out·dout, dq per query row, dk/dv per key row) that recompute the probabilities
// from lse. Layouts, all contiguous row-major: q, out, dout, dq [B, H, T, D]; k, v, dk, dv
// [B, Hkv, S, D]; lse, delta [B, H, T]. Query head h reads kv head h / (H / Hkv). With causal,
// query i (0-based within T) sees the keys j <= i + causalOffset (any offset: a row may see no
// key at all, which gives out = 0, lse = −inf, dq = 0 and no dk/dv contribution).
//
// Launch: blockDim.x = 128 (any multiple of 32 works), 1-D grid. Each warp owns one row at a time
// and warps grid-stride over the rows. A lane keeps elements d = lane + 32·slot of a D-vector in
// registers (D ≤ 256: at most 8 slots), so every row load is coalesced along D, and dot products
// reduce across the warp with __shfl_xor_sync (the butterfly leaves the same bits in every lane,
// so all lanes take the same branches). Keys (or queries, in dkdv) are processed KB at a time:
// their loads and shuffle reductions are independent, which hides the latency of each.
// Everything is computed in T (float sums for f32, as PyTorch's fused kernels). The widest
// instantiation (D > 224) sets each kernel's register count (at most ~165 per thread, f64 dkdv),
// so blocks of up to 384 threads launch; the host uses 128.
#include "common.cuh"

#define ATT_MAX_SLOTS 8  // D ≤ 32·8 = 256

// Rows (keys or queries) loaded per step: each of the two per-step tiles [KB][NS] gets about
// ATT_TILE_REGS 32-bit registers per lane (between 1 and 8 rows). The kernel's register count is
// that of its largest-D instantiation, so this bounds the occupancy of every D.
#ifndef ATT_TILE_REGS
#define ATT_TILE_REGS 16
#endif
template <typename T, int NS>
struct AttChunk {
  static const int W = NS * (int)(sizeof(T) / 4);
  static const int KB = ATT_TILE_REGS / W < 1 ? 1 : ATT_TILE_REGS / W > 8 ? 8 : ATT_TILE_REGS / W;
};

// Sums each of the NV values over the warp; every lane gets the totals.
template <typename T, int NV>
__device__ __forceinline__ void warp_sum_many(T (&v)[NV]) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) {
#pragma unroll
    for (int u = 0; u < NV; ++u) v[u] += __shfl_xor_sync(0xffffffffu, v[u], o);
  }
}

// This lane's slots of the D-vector at p (elements past D read as 0).
template <typename T, int NS>
__device__ __forceinline__ void att_load(const T* __restrict__ p, int lane, long long D, T (&r)[NS]) {
#pragma unroll
  for (int s = 0; s < NS; ++s) {
    const int d = lane + 32 * s;
    r[s] = d < D ? p[d] : T(0);
  }
}

template <typename T, int NS>
__device__ __forceinline__ void att_store(T* __restrict__ p, int lane, long long D, const T (&r)[NS]) {
#pragma unroll
  for (int s = 0; s < NS; ++s) {
    const int d = lane + 32 * s;
    if (d < D) p[d] = r[s];
  }
}

template <typename T, int NS>
__device__ __forceinline__ void att_store_zero(T* __restrict__ p, int lane, long long D) {
#pragma unroll
  for (int s = 0; s < NS; ++s) {
    const int d = lane + 32 * s;
    if (d < D) p[d] = T(0);
  }
}

// Number of keys query i sees: all S, or those j <= i + causalOffset.
__device__ __forceinline__ long long att_visible(long long i, long long S, int causal, long long causalOffset) {
  if (!causal) return S;
  const long long v = i + causalOffset + 1;
  return v < 0 ? 0 : v > S ? S : v;
}

__device__ __forceinline__ long long att_warp() {
  return ((long long)blockIdx.x * blockDim.x + threadIdx.x) >> 5;
}
__device__ __forceinline__ long long att_warp_step() { return ((long long)gridDim.x * blockDim.x) >> 5; }

// ---- forward ----

template <typename T, int NS>
__device__ __forceinline__ void att_fwd(const T* __restrict__ q, const T* __restrict__ k, const T* __restrict__ v,
                                        T* __restrict__ out, T* __restrict__ lse, long long B, long long H,
                                        long long Hkv, long long Tn, long long S, long long D, double scaleD,
                                        int causal, long long causalOffset) {
  const int KB = AttChunk<T, NS>::KB;
  const int lane = threadIdx.x & 31;
  const long long rows = B * H * Tn, G = H / Hkv, step = att_warp_step();
  const T scale = (T)scaleD, ninf = -inf_of<T>();
  for (long long w = att_warp(); w < rows; w += step) {
    long long i, h;
    const long long b = divmod_nn(divmod_nn(w, Tn, i), H, h);
    const long long kvOff = (b * Hkv + h / G) * S * D;
    const T* __restrict__ kb = k + kvOff;
    const T* __restrict__ vb = v + kvOff;
    const long long lim = att_visible(i, S, causal, causalOffset);
    T* __restrict__ orow = out + w * D;
    if (lim == 0) {
      att_store_zero<T, NS>(orow, lane, D);
      if (lane == 0) lse[w] = ninf;
      continue;
    }
    T qv[NS], acc[NS];
    att_load(q + w * D, lane, D, qv);
#pragma unroll
    for (int s = 0; s < NS; ++s) acc[s] = T(0);
    T m = ninf, l = T(0);
    for (long long j0 = 0; j0 < lim; j0 += KB) {
      T kr[KB][NS], vr[KB][NS], sc[KB];
#pragma unroll
      for (int u = 0; u < KB; ++u) {
        // Past the last visible key re-read that key (no predicated loads); masked below.
        const long long j = j0 + u < lim ? j0 + u : lim - 1;
        att_load(kb + j * D, lane, D, kr[u]);
        att_load(vb + j * D, lane, D, vr[u]);
      }
#pragma unroll
      for (int u = 0; u < KB; ++u) {
        T d = T(0);
#pragma unroll
        for (int s = 0; s < NS; ++s) d += qv[s] * kr[u][s];
        sc[u] = d;
      }
      warp_sum_many(sc);
      // New running max over the visible scores (NaN-ignoring, like the CPU softmax's max).
      T cm = m;
#pragma unroll
      for (int u = 0; u < KB; ++u) {
        sc[u] *= scale;
        if (j0 + u < lim && sc[u] > cm) cm = sc[u];
      }
      if (cm > m) {
        const T corr = m_exp(m - cm);  // 0 when m is still −inf
        l *= corr;
#pragma unroll
        for (int s = 0; s < NS; ++s) acc[s] *= corr;
        m = cm;
      }
#pragma unroll
      for (int u = 0; u < KB; ++u) {
        if (j0 + u < lim) {
          const T p = m_exp(sc[u] - m);
          l += p;
#pragma unroll
          for (int s = 0; s < NS; ++s) acc[s] += p * vr[u][s];
        }
      }
    }
    const T inv = T(1) / l;
#pragma unroll
    for (int s = 0; s < NS; ++s) acc[s] *= inv;
    att_store(orow, lane, D, acc);
    if (lane == 0) lse[w] = m + m_log(l);
  }
}

// ---- backward ----

// delta[r] = Σ_d out[r, d]·dout[r, d], one warp per row (any D).
template <typename T>
__device__ __forceinline__ void att_bwd_delta(const T* __restrict__ out, const T* __restrict__ dout,
                                              T* __restrict__ delta, long long rows, long long D) {
  const int lane = threadIdx.x & 31;
  const long long step = att_warp_step();
  for (long long r = att_warp(); r < rows; r += step) {
    const T* __restrict__ o = out + r * D;
    const T* __restrict__ g = dout + r * D;
    T s = T(0);
    for (long long d = lane; d < D; d += 32) s += o[d] * g[d];
    s = warp_reduce(s, SumOp());
    if (lane == 0) delta[r] = s;
  }
}

// dq_i = scale·Σ_j p_ij·(dout_i·v_j − delta_i)·k_j with p_ij = exp(scale·q_i·k_j − lse_i).
template <typename T, int NS>
__device__ __forceinline__ void att_bwd_dq(const T* __restrict__ q, const T* __restrict__ k, const T* __restrict__ v,
                                           const T* __restrict__ dout, const T* __restrict__ lse,
                                           const T* __restrict__ delta, T* __restrict__ dq, long long B,
                                           long long H, long long Hkv, long long Tn, long long S, long long D,
                                           double scaleD, int causal, long long causalOffset) {
  const int KB = AttChunk<T, NS>::KB;
  const int lane = threadIdx.x & 31;
  const long long rows = B * H * Tn, G = H / Hkv, step = att_warp_step();
  const T scale = (T)scaleD, ninf = -inf_of<T>();
  for (long long w = att_warp(); w < rows; w += step) {
    long long i, h;
    const long long b = divmod_nn(divmod_nn(w, Tn, i), H, h);
    const long long kvOff = (b * Hkv + h / G) * S * D;
    const T* __restrict__ kb = k + kvOff;
    const T* __restrict__ vb = v + kvOff;
    const long long lim = att_visible(i, S, causal, causalOffset);
    const T lseI = lse[w], deltaI = delta[w];
    T* __restrict__ dqrow = dq + w * D;
    if (lim == 0 || lseI == ninf) {
      att_store_zero<T, NS>(dqrow, lane, D);
      continue;
    }
    T qv[NS], gv[NS], acc[NS];
    att_load(q + w * D, lane, D, qv);
    att_load(dout + w * D, lane, D, gv);
#pragma unroll
    for (int s = 0; s < NS; ++s) acc[s] = T(0);
    for (long long j0 = 0; j0 < lim; j0 += KB) {
      T kr[KB][NS], vr[KB][NS], dots[2 * KB];
#pragma unroll
      for (int u = 0; u < KB; ++u) {
        const long long j = j0 + u < lim ? j0 + u : lim - 1;
        att_load(kb + j * D, lane, D, kr[u]);
        att_load(vb + j * D, lane, D, vr[u]);
      }
#pragma unroll
      for (int u = 0; u < KB; ++u) {
        T a = T(0), c = T(0);
#pragma unroll
        for (int s = 0; s < NS; ++s) {
          a += qv[s] * kr[u][s];
          c += gv[s] * vr[u][s];
        }
        dots[u] = a;       // q_i·k_j
        dots[KB + u] = c;  // dout_i·v_j
      }
      warp_sum_many(dots);
#pragma unroll
      for (int u = 0; u < KB; ++u) {
        if (j0 + u < lim) {
          const T p = m_exp(dots[u] * scale - lseI);
          const T ds = p * (dots[KB + u] - deltaI);
#pragma unroll
          for (int s = 0; s < NS; ++s) acc[s] += ds * kr[u][s];
        }
      }
    }
#pragma unroll
    for (int s = 0; s < NS; ++s) acc[s] *= scale;
    att_store(dqrow, lane, D, acc);
  }
}

// Key row (b, hkv, j): over the G query heads of its group and every query i that sees j,
// dv_j = Σ p_ij·dout_i and dk_j = scale·Σ p_ij·(dout_i·v_j − delta_i)·q_i. Query rows whose lse is
// −inf (no visible key) contribute nothing. Each key row belongs to one warp: plain stores.
template <typename T, int NS>
__device__ __forceinline__ void att_bwd_dkdv(const T* __restrict__ q, const T* __restrict__ k,
                                             const T* __restrict__ v, const T* __restrict__ dout,
                                             const T* __restrict__ lse, const T* __restrict__ delta,
                                             T* __restrict__ dk, T* __restrict__ dv, long long B, long long H,
                                             long long Hkv, long long Tn, long long S, long long D, double scaleD,
                                             int causal, long long causalOffset) {
  const int KB = AttChunk<T, NS>::KB;
  const int lane = threadIdx.x & 31;
  const long long rows = B * Hkv * S, G = H / Hkv, step = att_warp_step();
  const T scale = (T)scaleD, ninf = -inf_of<T>();
  for (long long w = att_warp(); w < rows; w += step) {
    long long j, hk;
    const long long b = divmod_nn(divmod_nn(w, S, j), Hkv, hk);
    T kv[NS], vv[NS], ak[NS], av[NS];
    att_load(k + w * D, lane, D, kv);
    att_load(v + w * D, lane, D, vv);
#pragma unroll
    for (int s = 0; s < NS; ++s) ak[s] = av[s] = T(0);
    // Queries i >= j − causalOffset see key j.
    long long i0 = 0;
    if (causal) {
      const long long f = j - causalOffset;
      i0 = f < 0 ? 0 : f;
    }
    for (long long g = 0; g < G && i0 < Tn; ++g) {
      const long long row0 = (b * H + hk * G + g) * Tn;  // first query row of head hk·G + g
      const T* __restrict__ qb = q + row0 * D;
      const T* __restrict__ gb = dout + row0 * D;
      const T* __restrict__ lb = lse + row0;
      const T* __restrict__ db = delta + row0;
      for (long long i1 = i0; i1 < Tn; i1 += KB) {
        T qr[KB][NS], gr[KB][NS], dots[2 * KB], lseU[KB], deltaU[KB];
#pragma unroll
        for (int u = 0; u < KB; ++u) {
          const long long i = i1 + u < Tn ? i1 + u : Tn - 1;
          att_load(qb + i * D, lane, D, qr[u]);
          att_load(gb + i * D, lane, D, gr[u]);
          lseU[u] = lb[i];
          deltaU[u] = db[i];
        }
#pragma unroll
        for (int u = 0; u < KB; ++u) {
          T a = T(0), c = T(0);
#pragma unroll
          for (int s = 0; s < NS; ++s) {
            a += qr[u][s] * kv[s];
            c += gr[u][s] * vv[s];
          }
          dots[u] = a;       // q_i·k_j
          dots[KB + u] = c;  // dout_i·v_j
        }
        warp_sum_many(dots);
#pragma unroll
        for (int u = 0; u < KB; ++u) {
          if (i1 + u < Tn && lseU[u] != ninf) {
            const T p = m_exp(dots[u] * scale - lseU[u]);
            const T ds = p * (dots[KB + u] - deltaU[u]);
#pragma unroll
            for (int s = 0; s < NS; ++s) {
              av[s] += p * gr[u][s];
              ak[s] += ds * qr[u][s];
            }
          }
        }
      }
    }
#pragma unroll
    for (int s = 0; s < NS; ++s) ak[s] *= scale;
    att_store(dk + w * D, lane, D, ak);
    att_store(dv + w * D, lane, D, av);
  }
}

// ---- entry points: the slot count NS = ceil(D / 32) is a template argument so that the
// per-lane vectors live in registers; D > 256 is not supported (the host composes instead) and
// writes nothing. ----

#define ATT_DISPATCH(D, CALL, T)    \
  switch ((int)(((D) + 31) >> 5)) { \
    case 1: CALL(T, 1); break;      \
    case 2: CALL(T, 2); break;      \
    case 3: CALL(T, 3); break;      \
    case 4: CALL(T, 4); break;      \
    case 5: CALL(T, 5); break;      \
    case 6: CALL(T, 6); break;      \
    case 7: CALL(T, 7); break;      \
    case 8: CALL(T, 8); break;      \
    default: break;                 \
  }

#define ATT_PARAMS                                                                                           \
  long long B, long long H, long long Hkv, long long T_, long long S, long long D, double scale, int causal, \
      long long causalOffset
#define ATT_ARGS B, H, Hkv, T_, S, D, scale, causal, causalOffset

#define DEFINE_ATTENTION(SUF, T)                                                                              \
  extern "C" __global__ void attention_fwd_##SUF(const T* __restrict__ q, const T* __restrict__ k,            \
                                                 const T* __restrict__ v, T* __restrict__ out,                \
                                                 T* __restrict__ lse, ATT_PARAMS) {                           \
    if (D > 32 * ATT_MAX_SLOTS || D <= 0 || Hkv <= 0 || H % Hkv != 0) return;                                 \
    ATT_DISPATCH(D, ATT_FWD_CALL, T)                                                                          \
  }                                                                                                           \
  extern "C" __global__ void attention_bwd_delta_##SUF(const T* __restrict__ out, const T* __restrict__ dout, \
                                                       T* __restrict__ delta, long long rows, long long D) {  \
    att_bwd_delta(out, dout, delta, rows, D);                                                                 \
  }                                                                                                           \
  extern "C" __global__ void attention_bwd_dq_##SUF(                                                          \
      const T* __restrict__ q, const T* __restrict__ k, const T* __restrict__ v, const T* __restrict__ dout,  \
      const T* __restrict__ lse, const T* __restrict__ delta, T* __restrict__ dq, ATT_PARAMS) {               \
    if (D > 32 * ATT_MAX_SLOTS || D <= 0 || Hkv <= 0 || H % Hkv != 0) return;                                 \
    ATT_DISPATCH(D, ATT_DQ_CALL, T)                                                                           \
  }                                                                                                           \
  extern "C" __global__ void attention_bwd_dkdv_##SUF(                                                        \
      const T* __restrict__ q, const T* __restrict__ k, const T* __restrict__ v, const T* __restrict__ dout,  \
      const T* __restrict__ lse, const T* __restrict__ delta, T* __restrict__ dk, T* __restrict__ dv,         \
      ATT_PARAMS) {                                                                                           \
    if (D > 32 * ATT_MAX_SLOTS || D <= 0 || Hkv <= 0 || H % Hkv != 0) return;                                 \
    ATT_DISPATCH(D, ATT_DKDV_CALL, T)                                                                         \
  }

#define ATT_FWD_CALL(T, NS) att_fwd<T, NS>(q, k, v, out, lse, ATT_ARGS)
#define ATT_DQ_CALL(T, NS) att_bwd_dq<T, NS>(q, k, v, dout, lse, delta, dq, ATT_ARGS)
#define ATT_DKDV_CALL(T, NS) att_bwd_dkdv<T, NS>(q, k, v, dout, lse, delta, dk, dv, ATT_ARGS)

DEFINE_ATTENTION(f32, float)
DEFINE_ATTENTION(f64, double)
