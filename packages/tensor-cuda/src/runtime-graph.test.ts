import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/*
 * The runtime (every module src/index.ts reaches through its imports) never reaches the test
 * harness: src/testing/ (the emulated devices, the host stub, the parity runner), the op
 * families' emulation models (*.emulation.ts) and parity cases (*.parity.ts), or a test file; and
 * no runtime module under src/backend/ imports a floor above it (Tensor, ops, nn, ...): the
 * backends sit below Tensor. The harness is what @shrinkray/tensor-cuda/testing exports.
 */

const SRC = dirname(fileURLToPath(import.meta.url));
const DIST = join(SRC, "..", "dist");

/**
 * Relative module specifiers of a source or bundle: static imports and re-exports, side-effect
 * imports, import() and (in the CommonJS bundle) require().
 */
function specifiers(code: string): string[] {
  const out: string[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^;"'`]*?\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\b(?:import|require)\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) out.push(m[1]);
  return out.filter((s) => s.startsWith("./") || s.startsWith("../"));
}

/** A relative specifier of `from` as a file: TypeScript sources are imported by their .js names. */
function resolveModule(from: string, spec: string): string {
  const base = resolve(dirname(from), spec);
  for (const f of [base.replace(/\.js$/, ".ts"), base, `${base}.ts`, join(base, "index.ts")]) {
    if (existsSync(f) && statSync(f).isFile()) return f;
  }
  throw new Error(`${relative(SRC, from)}: cannot resolve import "${spec}"`);
}

/** Every file `entry` reaches, with the imports each makes. */
function graph(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop() as string;
    if (seen.has(file)) continue;
    const deps = specifiers(readFileSync(file, "utf8")).map((s) => resolveModule(file, s));
    seen.set(file, deps);
    todo.push(...deps);
  }
  return seen;
}

const rel = (f: string) => relative(SRC, f).split("\\").join("/");
const isHarness = (f: string) => rel(f).startsWith("testing/") || /\.(emulation|parity|test)\.ts$/.test(f);
/** What the backends must not import: the modules built on top of them. */
const ABOVE_BACKENDS =
  /^(index|cuda|tensor|tensor-methods|random|scope|structure)\.ts$|^(ops|nn|optim|io|autograd|testing)\//;

describe("the runtime's import graph", () => {
  const runtime = graph(join(SRC, "index.ts"));

  it("is walked through the CUDA op families (the walk is not vacuous)", () => {
    const files = [...runtime.keys()].map(rel);
    expect(files).toContain("backend/cuda/kernel-abi.ts");
    expect(files).toContain("backend/cuda/ops/elementwise/elementwise.launch.ts");
    expect(files).toContain("backend/cuda/ops/gptq/gptq.launch.ts");
    // ... and the same walk from the testing entry does find the harness.
    const testing = [...graph(join(SRC, "testing", "index.ts")).keys()].map(rel);
    expect(testing).toContain("testing/cuda/emulator/emulated-device.ts");
    expect(testing).toContain("backend/cuda/ops/elementwise/elementwise.emulation.ts");
  });

  it("reaches no emulator, host stub, parity case or test file", () => {
    const offenders = [...runtime.entries()].flatMap(([file, deps]) =>
      deps.filter(isHarness).map((d) => `${rel(file)} imports ${rel(d)}`),
    );
    expect(offenders).toEqual([]);
  });

  it("keeps the backends below Tensor: no runtime backend module imports ops, nn, tensor or index", () => {
    const offenders = [...runtime.entries()]
      .filter(([file]) => rel(file).startsWith("backend/"))
      .flatMap(([file, deps]) =>
        deps.filter((d) => ABOVE_BACKENDS.test(rel(d))).map((d) => `${rel(file)} imports ${rel(d)}`),
      );
    expect(offenders).toEqual([]);
  });
});

/** The newest modification time of any file under `dir`. */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const ENTRIES = ["index.js", "index.cjs", "testing.js", "testing.cjs"].map((f) => join(DIST, f));
const distFresh = ENTRIES.every((f) => existsSync(f)) && statSync(ENTRIES[0]).mtimeMs >= newest(SRC);
if (!distFresh)
  console.info("runtime-graph: dist/ is absent or older than src/ (run pnpm build); its check skipped");

describe.skipIf(!distFresh)("the published bundle", () => {
  /** The source modules bundled into the files an entry reaches: esbuild heads each with `// src/<path>`. */
  const modules = (entry: string) =>
    [...graph(entry).keys()].flatMap((f) =>
      [...readFileSync(f, "utf8").matchAll(/^\/\/ (src\/\S+\.ts)$/gm)].map((m) => m[1]),
    );
  const harness = (m: string) => m.startsWith("src/testing/") || /\.(emulation|parity)\.ts$/.test(m);

  it.each(["index.js", "index.cjs"])("dist/%s and its chunks bundle none of the harness", (entry) => {
    const runtime = modules(join(DIST, entry));
    expect(runtime).toContain("src/backend/cuda/ops/elementwise/elementwise.launch.ts");
    expect(runtime.filter(harness)).toEqual([]);
  });

  it.each(["testing.js", "testing.cjs"])("dist/%s bundles the emulated device", (entry) => {
    expect(modules(join(DIST, entry))).toContain("src/testing/cuda/emulator/emulated-device.ts");
  });
});
