import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CachedCompiler, cacheKey, defaultCacheDir } from "./compile-cache.js";
import type { CompiledImage, CompileRequest, KernelCompiler } from "./nvrtc.js";

class FakeCompiler implements KernelCompiler {
  calls = 0;
  constructor(readonly version = "nvrtc-12.4") {}
  compile(req: CompileRequest): CompiledImage {
    this.calls++;
    return { kind: "cubin", image: new TextEncoder().encode(`bin:${req.arch}:${req.source}`), log: "" };
  }
}

const req: CompileRequest = {
  name: "elementwise.cu",
  source: 'extern "C" __global__ void k() {}',
  headers: { "common.cuh": "// v1" },
  arch: 90,
  options: ["-std=c++17"],
};

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "shrinkray-cuda-cache-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("NVRTC disk cache", () => {
  it("compiles once and loads from disk in the next process", () => {
    const dir = tempDir();
    const inner = new FakeCompiler();
    const first = new CachedCompiler(inner, dir).compile(req);
    const second = new CachedCompiler(inner, dir); // a new process: fresh in-memory state
    const again = second.compile(req);
    expect(inner.calls).toBe(1);
    expect(second.stats).toEqual({ hits: 1, compiles: 0 });
    expect(again.image).toEqual(first.image);
    expect(readdirSync(dir)).toEqual([expect.stringMatching(/^elementwise\.cu-sm_90-[0-9a-f]{24}\.cubin$/)]);
  });

  it("the key changes with source, header, arch, options and compiler version", () => {
    const base = cacheKey(req, "nvrtc-12.4");
    expect(cacheKey({ ...req, source: `${req.source} ` }, "nvrtc-12.4")).not.toBe(base);
    expect(cacheKey({ ...req, headers: { "common.cuh": "// v2" } }, "nvrtc-12.4")).not.toBe(base);
    expect(cacheKey({ ...req, arch: 80 }, "nvrtc-12.4")).not.toBe(base);
    expect(cacheKey({ ...req, options: [] }, "nvrtc-12.4")).not.toBe(base);
    expect(cacheKey(req, "nvrtc-13.0")).not.toBe(base);
    expect(cacheKey({ ...req }, "nvrtc-12.4")).toBe(base);
  });

  it("leaves no temp files behind and still works when the directory cannot be written", () => {
    const dir = tempDir();
    const blocker = join(dir, "file");
    writeFileSync(blocker, "not a directory");
    const inner = new FakeCompiler();
    const c = new CachedCompiler(inner, join(blocker, "cache"));
    expect(new TextDecoder().decode(c.compile(req).image)).toBe(`bin:90:${req.source}`);
    expect(readdirSync(dir)).toEqual(["file"]);
  });

  it("honours SHRINKRAY_CUDA_CACHE and XDG_CACHE_HOME", () => {
    expect(defaultCacheDir({ SHRINKRAY_CUDA_CACHE: "/x" })).toBe("/x");
    expect(defaultCacheDir({ XDG_CACHE_HOME: "/c" })).toBe(join("/c", "shrinkray", "cuda"));
  });
});
