/*
 * The LAPACK and CBLAS routines the CPU linalg binds from the system OpenBLAS, as C prototypes
 * for koffi: data, not code. `?` stands for the precision (s: float32, d: float64) and `REAL`
 * for its C type. LAPACK has the Fortran ABI: column-major matrices, every argument by pointer
 * (ints and chars too), and after the declared arguments one hidden length per CHARACTER
 * argument (size_t, always 1 here). Matrices are `void *` so koffi hands a typed array's memory
 * straight to the library instead of copying it; `_Out_ int *info` is copied back into a [0].
 */
export const LAPACK_PROTOTYPES = {
  potrf:
    "void ?potrf_(const char *uplo, const int *n, void *a, const int *lda, _Out_ int *info, size_t uplo_len)",
  trtri:
    "void ?trtri_(const char *uplo, const char *diag, const int *n, void *a, const int *lda, _Out_ int *info, " +
    "size_t uplo_len, size_t diag_len)",
  syevd:
    "void ?syevd_(const char *jobz, const char *uplo, const int *n, void *a, const int *lda, void *w, " +
    "void *work, const int *lwork, void *iwork, const int *liwork, _Out_ int *info, size_t jobz_len, size_t uplo_len)",
  gesdd:
    "void ?gesdd_(const char *jobz, const int *m, const int *n, void *a, const int *lda, void *s, void *u, " +
    "const int *ldu, void *vt, const int *ldvt, void *work, const int *lwork, void *iwork, _Out_ int *info, " +
    "size_t jobz_len)",
  trsm:
    "void cblas_?trsm(int order, int side, int uplo, int trans_a, int diag, int m, int n, REAL alpha, " +
    "void *a, int lda, void *b, int ldb)",
} as const;

export type LapackRoutine = keyof typeof LAPACK_PROTOTYPES;

/** CBLAS enum values (cblas.h). */
export const CBLAS = {
  rowMajor: 101,
  noTrans: 111,
  trans: 112,
  upper: 121,
  lower: 122,
  nonUnit: 131,
  unit: 132,
  left: 141,
  right: 142,
} as const;
