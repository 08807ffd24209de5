/*
 * The slice of the WebAssembly API the CPU kernels use (the project's TypeScript libs have no DOM
 * types), and one way to instantiate a kernel module against a memory of the caller's: the
 * modules import their memory, so a weight can live where its kernel reads it.
 */

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

interface WasmApi {
  Memory: new (d: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}

const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

export const WASM_PAGE = 65536;

/** A zeroed memory of at least `bytes`. */
export function wasmMemory(bytes: number): WasmMemory {
  if (!api) throw new Error("WebAssembly is not available in this runtime");
  return new api.Memory({ initial: Math.max(1, Math.ceil(bytes / WASM_PAGE)) });
}

/** Grows `memory` (in place) to at least `bytes`. */
export function ensureBytes(memory: WasmMemory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (have < bytes) memory.grow(Math.ceil((bytes - have) / WASM_PAGE));
}

const modules = new Map<string, object>();

/** The exports of the module in `base64` (compiled once), bound to `memory`. */
export function instantiate<T>(base64: string, memory: WasmMemory): T {
  if (!api) throw new Error("WebAssembly is not available in this runtime");
  let m = modules.get(base64);
  if (!m) {
    m = new api.Module(Buffer.from(base64, "base64"));
    modules.set(base64, m);
  }
  return new api.Instance(m, { env: { memory } }).exports as T;
}

/** Whether this runtime has WebAssembly with SIMD (a kernel module validates). */
export function wasmAvailable(base64: string): boolean {
  try {
    instantiate(base64, wasmMemory(WASM_PAGE));
    return true;
  } catch {
    return false;
  }
}
