import { createRequire } from "node:module";

/*
 * onnxruntime-node's public InferenceSession.run is async (a setImmediate around a synchronous
 * native call). Tensor ops are synchronous, so we talk to the native binding directly: it is the
 * same call without the event-loop hop, which also saves ~20 µs per op.
 */
const require = createRequire(import.meta.url);

interface NativeSession {
  loadModel(buffer: ArrayBuffer, byteOffset: number, byteLength: number, options: object): void;
  run(
    feeds: Record<string, unknown>,
    fetches: Record<string, unknown>,
    options: object,
  ): Record<string, unknown>;
}

let native: { InferenceSession: new () => NativeSession } | undefined;
let OrtTensor: new (type: string, data: unknown, dims: readonly number[]) => unknown;

function load() {
  if (native) return native;
  const ort = require("onnxruntime-node");
  const bindingModule = require("onnxruntime-node/dist/binding");
  bindingModule.initOrt();
  native = bindingModule.binding;
  OrtTensor = ort.Tensor;
  return native!;
}

export function cpuThreads(): number {
  const env = Number(process.env.SHRINKRAY_THREADS);
  if (env > 0) return env;
  // availableParallelism respects cgroup limits where os.cpus() does not.
  const os = require("node:os");
  return typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
}

export class OrtGraph {
  private session: NativeSession;
  constructor(model: Uint8Array) {
    const b = load();
    this.session = new b.InferenceSession();
    const threads = cpuThreads();
    this.session.loadModel(model.buffer as ArrayBuffer, model.byteOffset, model.byteLength, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: "all",
      executionMode: "sequential",
      enableCpuMemArena: true,
      extra: { session: { intra_op: { allow_spinning: "0" }, inter_op: { allow_spinning: "0" } } },
    });
  }

  /** Runs with the outputs written straight into the caller's arrays (no copy back). */
  run(
    inputs: Record<string, { type: string; data: unknown; dims: readonly number[] }>,
    outputs: Record<string, { type: string; data: unknown; dims: readonly number[] }>,
  ): void {
    const feeds: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(inputs)) feeds[k] = new OrtTensor(v.type, v.data, v.dims);
    const fetches: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(outputs)) fetches[k] = new OrtTensor(v.type, v.data, v.dims);
    this.session.run(feeds, fetches, {});
  }
}
