// Blocked Cholesky factorisation and triangular inverse in float64, for GPTQ's inverse-Hessian
// factor (gptq/src/linalg.ts does the same on the host). Matrices are row-major n×n. The host
// (linalg.launch.ts) walks the diagonal blocks of at most LINALG_NB rows: these kernels do the small,
// sequential part of each step (factor or invert one diagonal block, solve one panel), and
// cuBLAS DGEMM does the trailing updates, where almost all of the n³ work is.
#include "common.cuh"

#define LINALG_NB 64

// Factors the diagonal block A[k:k+nb, k:k+nb] in place into its lower Cholesky factor
// (right-looking, in shared memory; one thread block). The first non-positive pivot is recorded
// in info[0] as 1 + its row (info stays 0 while A is positive definite).
extern "C" __global__ void chol_diag_f64(double* __restrict__ a, long long n, long long k, long long nb,
                                         int* __restrict__ info) {
  __shared__ double t[LINALG_NB][LINALG_NB + 1];
  const int tid = threadIdx.x;
  const int threads = blockDim.x;
  const int m = (int)nb;
  for (int p = tid; p < m * m; p += threads) {
    const int i = p / m, j = p % m;
    if (j <= i) t[i][j] = a[(k + i) * n + k + j];
  }
  __syncthreads();
  for (int j = 0; j < m; ++j) {
    if (tid == 0) {
      const double d = t[j][j];
      // Only the first failure is kept: later pivots are NaN from then on.
      if (!(d > 0.0)) atomicCAS(info, 0, (int)(k + j + 1));
      t[j][j] = sqrt(d);
    }
    __syncthreads();
    const double piv = t[j][j];
    for (int i = j + 1 + tid; i < m; i += threads) t[i][j] /= piv;
    __syncthreads();
    // Rank-1 update of the rest of the lower triangle.
    const int rest = m - j - 1;
    for (int p = tid; p < rest * rest; p += threads) {
      const int i = j + 1 + p / rest, l = j + 1 + p % rest;
      if (l <= i) t[i][l] -= t[i][j] * t[l][j];
    }
    __syncthreads();
  }
  for (int p = tid; p < m * m; p += threads) {
    const int i = p / m, j = p % m;
    if (j <= i) a[(k + i) * n + k + j] = t[i][j];
  }
}

// The panel below a factored diagonal block: rows i in [k+nb, n) solve X·L_kkᵀ = A[i, k:k+nb]
// by forward substitution, in place; one thread per row, L_kk staged in shared memory.
extern "C" __global__ void chol_panel_f64(double* __restrict__ a, long long n, long long k, long long nb) {
  __shared__ double l[LINALG_NB][LINALG_NB + 1];
  const int m = (int)nb;
  for (int p = threadIdx.x; p < m * m; p += blockDim.x) {
    const int i = p / m, j = p % m;
    l[i][j] = j <= i ? a[(k + i) * n + k + j] : 0.0;
  }
  __syncthreads();
  for (long long i = k + nb + (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += (long long)gridDim.x * blockDim.x) {
    double* row = a + i * n + k;
    for (int j = 0; j < m; ++j) {
      double s = row[j];
      for (int q = 0; q < j; ++q) s -= row[q] * l[j][q];
      row[j] = s / l[j][j];
    }
  }
}

// X_kk = L_kk⁻¹ for the diagonal block of a lower-triangular L: one thread per column j solves
// L_kk·x = e_j downwards from row j (rows above j stay 0: X is zeroed beforehand).
extern "C" __global__ void trtri_diag_f64(const double* __restrict__ lmat, double* __restrict__ x, long long n,
                                          long long k, long long nb) {
  __shared__ double l[LINALG_NB][LINALG_NB + 1];
  const int m = (int)nb;
  for (int p = threadIdx.x; p < m * m; p += blockDim.x) {
    const int i = p / m, j = p % m;
    l[i][j] = j <= i ? lmat[(k + i) * n + k + j] : 0.0;
  }
  __syncthreads();
  for (int j = threadIdx.x; j < m; j += blockDim.x) {
    double* col = x + k * n + k + j;
    for (int r = j; r < m; ++r) {
      double s = r == j ? 1.0 : 0.0;
      for (int q = j; q < r; ++q) s -= l[r][q] * col[(long long)q * n];
      col[(long long)r * n] = s / l[r][r];
    }
  }
}
