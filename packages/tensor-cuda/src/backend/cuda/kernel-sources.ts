import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/*
 * The CUDA C sources ship as files beside the code: src/backend/cuda/kernels/ when running from
 * source, dist/kernels/ in the published package (tsup copies them). SHRINKRAY_CUDA_KERNELS
 * overrides the directory.
 */

declare const __dirname: string | undefined;

export function kernelsDir(): string {
  if (process.env.SHRINKRAY_CUDA_KERNELS) return process.env.SHRINKRAY_CUDA_KERNELS;
  // ESM (source and dist/index.js) has import.meta.url; the CJS bundle has __dirname.
  const here = typeof __dirname === "string" ? __dirname : dirname(fileURLToPath(import.meta.url));
  return join(here, "kernels");
}

export interface KernelSource {
  name: string;
  source: string;
  /** Every .cuh in the directory, by the name the sources #include. */
  headers: Record<string, string>;
}

const cache = new Map<string, KernelSource>();

export function kernelSource(file: string, dir = kernelsDir()): KernelSource {
  const key = join(dir, file);
  let src = cache.get(key);
  if (!src) {
    let source: string;
    try {
      source = readFileSync(key, "utf8");
    } catch (e) {
      throw new Error(
        `CUDA kernel source ${key} is missing (${(e as Error).message}); set SHRINKRAY_CUDA_KERNELS to the kernels directory`,
      );
    }
    const headers: Record<string, string> = {};
    for (const entry of readdirSync(dir)) {
      if (entry.endsWith(".cuh")) headers[entry] = readFileSync(join(dir, entry), "utf8");
    }
    src = { name: file, source, headers };
    cache.set(key, src);
  }
  return src;
}
