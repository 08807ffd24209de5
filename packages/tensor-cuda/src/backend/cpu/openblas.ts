import { createRequire } from "node:module";
import { cpuThreads } from "./ort-session.js";

/*
 * The system OpenBLAS, found at run time the way CuPy and tinygrad find their libraries: nothing
 * is compiled, and without it the callers fall back (MLAS GEMMs, blocked linear algebra).
 * SHRINKRAY_GEMM=ort pretends there is none; SHRINKRAY_BLAS names a library to use instead.
 */
const require = createRequire(import.meta.url);
const CANDIDATES = ["libopenblas.so.0", "libopenblas.so", "libopenblas.dylib", "libopenblas.0.dylib"];

/** A loaded koffi library: `func(prototype)` binds one C function. */
export interface NativeLibrary {
  func(prototype: string): (...args: unknown[]) => unknown;
}

let found: { lib: NativeLibrary; name: string } | null | undefined;

/** The library names tried, in order. */
export function openBlasCandidates(): string[] {
  return process.env.SHRINKRAY_BLAS ? [process.env.SHRINKRAY_BLAS] : CANDIDATES;
}

/** The system OpenBLAS (threads set to the CPU budget), or null where there is none. */
export function openBlas(): { lib: NativeLibrary; name: string } | null {
  if (found !== undefined) return found;
  found = null;
  if (process.env.SHRINKRAY_GEMM === "ort") return null;
  let koffi: { load(name: string): NativeLibrary };
  try {
    koffi = require("koffi");
  } catch {
    return null;
  }
  for (const name of openBlasCandidates()) {
    let lib: NativeLibrary;
    try {
      lib = koffi.load(name);
    } catch {
      continue;
    }
    try {
      lib.func("void openblas_set_num_threads(int)")(cpuThreads());
    } catch {
      // Not OpenBLAS proper: it keeps its own threading.
    }
    found = { lib, name };
    return found;
  }
  return null;
}
