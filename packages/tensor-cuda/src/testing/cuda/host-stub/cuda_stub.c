// A stand-in for libcuda.so.1 and libcublas: the driver and cuBLAS entry points the backend
// binds (driver.ts, cublas.ts) with host memory behind "device" pointers and launches/GEMMs that
// only count. Loading it through the real koffi bindings checks those bindings end to end
// (copies really round-trip) and measures the host side of the backend alone: what every op
// costs the CPU before a GPU would see it. Built by build-stub.ts; nothing here runs a kernel.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static long long launches = 0, gemms = 0;
// When set, fills and device-to-device copies do nothing: on a GPU they are queued and cost the
// host nothing, so a host-overhead measurement must not pay for them in host memory.
static int skipDeviceWork = 0;
// What the last launch was given: its grid and block x, and the 8 bytes each of its first four
// parameters points at (a pointer or an i64 in full; the low bytes of an i32).
static unsigned lastGridX = 0, lastBlockX = 0;
static uint64_t lastArgs[4];

int cuInit(unsigned flags) { return 0; }
int cuDriverGetVersion(int* v) { *v = 13000; return 0; }
int cuDeviceGetCount(int* c) { *c = 1; return 0; }
int cuDeviceGet(int* d, int ordinal) { *d = ordinal; return 0; }
int cuDeviceGetName(char* name, int len, int dev) {
  strncpy(name, "host stub (no GPU)", (size_t)len);
  return 0;
}
// Multiprocessors 132, compute capability 9.0: an H100's shape, so grids are sized as there.
int cuDeviceGetAttribute(int* v, int attr, int dev) {
  *v = attr == 16 ? 132 : attr == 75 ? 9 : 0;
  return 0;
}
int cuDevicePrimaryCtxRetain(void** ctx, int dev) { *ctx = (void*)1; return 0; }
int cuCtxSetCurrent(void* ctx) { return 0; }
int cuCtxSynchronize(void) { return 0; }
int cuMemAlloc_v2(uint64_t* p, size_t bytes) {
  void* m = malloc(bytes ? bytes : 1);
  if (!m) return 2;  // CUDA_ERROR_OUT_OF_MEMORY
  *p = (uint64_t)(uintptr_t)m;
  return 0;
}
int cuMemFree_v2(uint64_t p) { free((void*)(uintptr_t)p); return 0; }
int cuMemGetInfo_v2(size_t* freeBytes, size_t* total) { *freeBytes = *total = (size_t)80 << 30; return 0; }
int cuMemcpyHtoD_v2(uint64_t dst, const void* src, size_t n) { memcpy((void*)(uintptr_t)dst, src, n); return 0; }
int cuMemcpyDtoH_v2(void* dst, uint64_t src, size_t n) { memcpy(dst, (const void*)(uintptr_t)src, n); return 0; }
int cuMemcpyDtoD_v2(uint64_t dst, uint64_t src, size_t n) {
  if (skipDeviceWork) return 0;
  memmove((void*)(uintptr_t)dst, (const void*)(uintptr_t)src, n);
  return 0;
}
int cuMemsetD8_v2(uint64_t dst, uint8_t value, size_t n) {
  if (!skipDeviceWork) memset((void*)(uintptr_t)dst, value, n);
  return 0;
}
int cuModuleLoadData(void** mod, const void* image) { *mod = (void*)1; return 0; }
int cuModuleGetFunction(void** fn, void* mod, const char* name) { *fn = (void*)strdup(name); return 0; }
int cuLaunchKernel(void* fn, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                   unsigned shared, void* stream, void** params, void** extra) {
  lastGridX = gx;
  lastBlockX = bx;
  for (int i = 0; i < 4; i++)
    if (params && params[i]) memcpy(&lastArgs[i], params[i], sizeof lastArgs[i]);
  launches++;
  return 0;
}
int cuEventCreate(void** ev, unsigned flags) { *ev = (void*)1; return 0; }
int cuEventRecord(void* ev, void* stream) { return 0; }
int cuEventQuery(void* ev) { return 0; }
int cuGetErrorName(int err, const char** name) { *name = "CUDA_ERROR_STUB"; return 0; }
int cuGetErrorString(int err, const char** text) { *text = "error from the host stub"; return 0; }

int cublasCreate_v2(void** handle) { *handle = (void*)1; return 0; }
int cublasGemmStridedBatchedEx(void* handle, int ta, int tb, int m, int n, int k, const void* alpha, uint64_t A,
                               int at, int lda, long long sa, uint64_t B, int bt, int ldb, long long sb,
                               const void* beta, uint64_t C, int ct, int ldc, long long sc, int batch, int compute,
                               int algo) {
  gemms++;
  return 0;
}

long long stub_launches(void) { return launches; }
long long stub_gemms(void) { return gemms; }
void stub_skip_device_work(int skip) { skipDeviceWork = skip; }
uint64_t stub_last_arg(int i) { return i >= 0 && i < 4 ? lastArgs[i] : 0; }
unsigned stub_last_grid_x(void) { return lastGridX; }
unsigned stub_last_block_x(void) { return lastBlockX; }
