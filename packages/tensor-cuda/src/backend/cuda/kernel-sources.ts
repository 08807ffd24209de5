import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/*
 * The CUDA C sources ship as files beside the code: src/backend/cuda/ops/<family>/*.cu (headers
 * shared by several families at ops/*.cuh) when running from source, dist/kernels/ in the
 * published package (tsup copies them there, flat). SHRINKRAY_CUDA_KERNELS overrides the
 * directory. Sources are found by base name anywhere under it, so both layouts read the same.
 */

declare const __dirname: string | undefined;

export function kernelsDir(): string {
  if (process.env.SHRINKRAY_CUDA_KERNELS) return process.env.SHRINKRAY_CUDA_KERNELS;
  // ESM (source and dist/index.js) has import.meta.url; the CJS bundle has __dirname.
  const here = typeof __dirname === "string" ? __dirname : dirname(fileURLToPath(import.meta.url));
  const shipped = join(here, "kernels");
  return existsSync(shipped) ? shipped : join(here, "ops");
}

/** Every .cu and .cuh under `dir`, by base name (what the ABI table and `#include "x.cuh"` use). */
export function kernelFiles(dir = kernelsDir()): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".cu") || entry.name.endsWith(".cuh")) {
        const prev = files.get(entry.name);
        if (prev) throw new Error(`CUDA kernel sources: ${entry.name} is both ${prev} and ${path}`);
        files.set(entry.name, path);
      }
    }
  };
  walk(dir);
  return files;
}

export interface KernelSource {
  name: string;
  source: string;
  /** Every .cuh under the kernel directory, by the name the sources #include. */
  headers: Record<string, string>;
}

const cache = new Map<string, KernelSource>();

export function kernelSource(file: string, dir = kernelsDir()): KernelSource {
  const key = join(dir, file);
  let src = cache.get(key);
  if (!src) {
    let files: Map<string, string>;
    let source: string;
    try {
      files = kernelFiles(dir);
      const path = files.get(file);
      if (!path) throw new Error(`no ${file} under ${dir}`);
      source = readFileSync(path, "utf8");
    } catch (e) {
      throw new Error(
        `CUDA kernel source ${file} is missing (${(e as Error).message}); set SHRINKRAY_CUDA_KERNELS to the kernels directory`,
      );
    }
    const headers: Record<string, string> = {};
    for (const [name, path] of files) if (name.endsWith(".cuh")) headers[name] = readFileSync(path, "utf8");
    src = { name: file, source, headers };
    cache.set(key, src);
  }
  return src;
}
