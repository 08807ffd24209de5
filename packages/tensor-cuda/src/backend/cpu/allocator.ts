import { createRequire } from "node:module";

/*
 * Typed arrays get their memory from calloc. glibc serves blocks above 128 KiB with a fresh mmap
 * and unmaps them on free, so every large tensor pays a page fault per 4 KiB on first touch:
 * a 256×256 float32 result cost ~98 µs to allocate, a 12 MiB one ~1.3 ms (measured on the
 * reference machine). Keeping large blocks in the heap (what PyTorch's caching allocator achieves
 * its own way) cuts that to ~13 µs and ~0.7 ms. Done once, through koffi, on glibc Linux only;
 * SHRINKRAY_MALLOPT=0 turns it off.
 */
const M_TRIM_THRESHOLD = -1;
const M_MMAP_THRESHOLD = -3;
let tuned = false;

export function tuneAllocator(): boolean {
  if (tuned) return true;
  if (process.platform !== "linux" || process.env.SHRINKRAY_MALLOPT === "0") return false;
  const report = process.report?.getReport?.() as { header?: { glibcVersionRuntime?: string } } | undefined;
  if (!report?.header?.glibcVersionRuntime) return false;
  try {
    const koffi = createRequire(import.meta.url)("koffi");
    const mallopt = koffi.load("libc.so.6").func("int mallopt(int, int)");
    // 1 GiB: above any single tensor the CPU path allocates in practice.
    tuned = mallopt(M_MMAP_THRESHOLD, 1 << 30) === 1 && mallopt(M_TRIM_THRESHOLD, 1 << 30) === 1;
  } catch {
    tuned = false;
  }
  return tuned;
}

let mallocTrim: ((pad: number) => number) | null | undefined;

/**
 * Hands memory glibc holds free back to the system (malloc_trim): after a burst of large
 * temporaries, e.g. onnxruntime parsing a weight into its session and prepacking it, the freed
 * copies would otherwise stay in the process's RSS. A no-op off glibc.
 */
export function releaseFreedHostMemory(): void {
  if (mallocTrim === undefined) {
    mallocTrim = null;
    const report = process.report?.getReport?.() as { header?: { glibcVersionRuntime?: string } } | undefined;
    if (process.platform === "linux" && report?.header?.glibcVersionRuntime) {
      try {
        mallocTrim = createRequire(import.meta.url)("koffi")
          .load("libc.so.6")
          .func("int malloc_trim(size_t)");
      } catch {
        mallocTrim = null;
      }
    }
  }
  mallocTrim?.(0);
}
