import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { CompiledImage, CompileRequest, KernelCompiler } from "./nvrtc.js";

/*
 * Compiled kernels are cached on disk, keyed by everything that changes the binary: source,
 * headers, architecture, options and the compiler's version. A first run on a machine pays the
 * NVRTC compile (seconds); later processes load the cubin in milliseconds.
 */

export function defaultCacheDir(env: Record<string, string | undefined> = process.env): string {
  if (env.SHRINKRAY_CUDA_CACHE) return env.SHRINKRAY_CUDA_CACHE;
  const base = env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "shrinkray", "cuda");
}

export function cacheKey(req: CompileRequest, compilerVersion: string): string {
  const h = createHash("sha256");
  const headerNames = Object.keys(req.headers).sort();
  h.update(
    JSON.stringify([
      compilerVersion,
      req.arch,
      req.options,
      req.source,
      headerNames.map((n) => [n, req.headers[n]]),
    ]),
  );
  return h.digest("hex").slice(0, 24);
}

export interface CacheStats {
  hits: number;
  compiles: number;
}

/** A KernelCompiler that looks in the disk cache first and stores what it compiles. */
export class CachedCompiler implements KernelCompiler {
  readonly stats: CacheStats = { hits: 0, compiles: 0 };

  constructor(
    private readonly inner: KernelCompiler,
    readonly dir: string | null = defaultCacheDir(),
  ) {}

  get version(): string {
    return this.inner.version;
  }

  pathFor(req: CompileRequest, kind: "cubin" | "ptx"): string | null {
    if (!this.dir) return null;
    const stem = req.name.replace(/[^A-Za-z0-9_.-]/g, "_");
    return join(this.dir, `${stem}-sm_${req.arch}-${cacheKey(req, this.inner.version)}.${kind}`);
  }

  compile(req: CompileRequest): CompiledImage {
    for (const kind of ["cubin", "ptx"] as const) {
      const p = this.pathFor(req, kind);
      if (!p) break;
      try {
        const image = new Uint8Array(readFileSync(p));
        this.stats.hits++;
        return { kind, image, log: "", cached: true };
      } catch {
        // Not cached (or unreadable): compile below.
      }
    }
    const out = this.inner.compile(req);
    this.stats.compiles++;
    this.store(req, out);
    return out;
  }

  /** Deletes the cached images of `req` (one the driver refused to load). */
  invalidate(req: CompileRequest): void {
    for (const kind of ["cubin", "ptx"] as const) {
      const p = this.pathFor(req, kind);
      if (p) rmSync(p, { force: true });
    }
  }

  /** Temp file then rename, so a concurrent process never loads half a cubin. */
  private store(req: CompileRequest, out: CompiledImage): void {
    const p = this.pathFor(req, out.kind);
    if (!p || !this.dir) return;
    const tmp = `${p}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(tmp, out.image);
      renameSync(tmp, p);
    } catch {
      // A read-only cache directory costs a recompile next time, nothing else.
      try {
        rmSync(tmp, { force: true });
      } catch {
        // The directory itself is unusable: there is no temp file to remove.
      }
    }
  }
}
