import type { nn } from "@shrinkray/tensor-cuda";
import {
  add,
  Generator,
  indexSelect,
  mean,
  noGrad,
  optim,
  square,
  sub,
  sum,
  Tensor,
  tidy,
} from "@shrinkray/tensor-cuda";
import { applySparse, type ReplacedLayer, restoreDense } from "../replace/sparsify.js";
import { type Calibration, captureLayerIO } from "./capture.js";
import { readsAsync, readsSync, type ScalarReads } from "./reads.js";

export interface FitOptions {
  /** Passes over each layer's captured rows (default 20). */
  epochs?: number;
  /** Rows per optimizer step (default 256). */
  batchSize?: number;
  lr?: number;
  weightDecay?: number;
  /**
   * Where each layer's inputs come from: "dense" (default) — the original model, so every layer
   * learns the original function on original activations; "sparse" — the model with the
   * layers before it already replaced (GPTQ-style), so a layer can correct upstream error. The
   * target is always the dense layer's output on those inputs.
   */
  inputsFrom?: "dense" | "sparse";
  /** Row order shuffling each epoch. */
  generator?: Generator;
  onProgress?: (p: FitProgress) => void;
}

export interface FitProgress {
  layer: string;
  /** 0-based position of the layer, and how many there are. */
  index: number;
  total: number;
  epoch: number;
  epochs: number;
  /** Mean training loss over the epoch. */
  loss: number;
}

export interface LayerFitResult {
  name: string;
  rows: number;
  /** MSE to the dense layer's outputs on the captured rows, before and after fitting. */
  mseBefore: number;
  mseAfter: number;
  /** ‖ŷ − y‖ / ‖y‖ on the same rows. */
  relErrorBefore: number;
  relErrorAfter: number;
  seconds: number;
}

/**
 * Trains each replacement to reproduce the dense layer it replaced (MSE on its outputs over
 * the calibration data), one layer at a time: capture that layer's inputs, fit, free them.
 * Peak memory is one layer's activations, whatever the depth of the model. The model is left
 * with all sparse layers in place. For a model on a device that is read asynchronously
 * ("cuda"), use fitLayerwiseAsync.
 */
export function fitLayerwise<B>(
  model: nn.AnyModule,
  layers: readonly ReplacedLayer[],
  calibration: Calibration<B>,
  opts: FitOptions = {},
): LayerFitResult[] {
  return readsSync(fitWalk(model, layers, calibration, opts));
}

/**
 * fitLayerwise where the model lives: on "cuda" the captured activations, the training and
 * the optimizer state stay on the device, and the host reads one loss per epoch (plus the
 * before/after errors per layer). The dense layers being replaced are brought to the model's
 * device for the fit and returned to where they were afterwards. Calibration batches should
 * be on the model's device too.
 */
export async function fitLayerwiseAsync<B>(
  model: nn.AnyModule,
  layers: readonly ReplacedLayer[],
  calibration: Calibration<B>,
  opts: FitOptions = {},
): Promise<LayerFitResult[]> {
  const device = model.parameters()[0]?.device ?? "cpu";
  const denseHome = layers.map((l) => l.dense.parameters()[0]?.device ?? "cpu");
  let outcome: { ok: true; results: LayerFitResult[] } | { ok: false; error: unknown };
  try {
    for (const l of layers) {
      l.dense.to(device);
      l.sparse.to(device);
    }
    outcome = { ok: true, results: await readsAsync(fitWalk(model, layers, calibration, opts)) };
  } catch (error) {
    outcome = { ok: false, error };
  }
  // Every dense layer is sent home even if one copy fails; the fit's own error wins.
  let homeError: { error: unknown } | null = null;
  for (const [i, l] of layers.entries()) {
    try {
      await l.dense.toAsync(denseHome[i]);
    } catch (error) {
      homeError ??= { error };
    }
  }
  if (!outcome.ok) throw outcome.error;
  if (homeError) throw homeError.error;
  return outcome.results;
}

function* fitWalk<B>(
  model: nn.AnyModule,
  layers: readonly ReplacedLayer[],
  calibration: Calibration<B>,
  opts: FitOptions,
): ScalarReads<LayerFitResult[]> {
  const results: LayerFitResult[] = [];
  const gen = opts.generator ?? new Generator(0);
  for (const [index, layer] of layers.entries()) {
    const started = performance.now();
    if ((opts.inputsFrom ?? "dense") === "dense") restoreDense(model, layers);
    else {
      applySparse(model, layers.slice(0, index));
      restoreDense(model, layers.slice(index));
    }
    let io: { inputs: Tensor; outputs: Tensor };
    try {
      io = captureLayerIO(model, layer.dense, calibration);
    } finally {
      applySparse(model, layers);
    }
    const { inputs, outputs } = io;
    try {
      const before = yield* evaluateWalk(layer.sparse, inputs, outputs);
      yield* trainWalk(layer, inputs, outputs, opts, gen, (epoch, loss) =>
        opts.onProgress?.({
          layer: layer.name,
          index,
          total: layers.length,
          epoch,
          epochs: opts.epochs ?? 20,
          loss,
        }),
      );
      const after = yield* evaluateWalk(layer.sparse, inputs, outputs);
      results.push({
        name: layer.name,
        rows: inputs.shape[0],
        mseBefore: before.mse,
        mseAfter: after.mse,
        relErrorBefore: before.rel,
        relErrorAfter: after.rel,
        seconds: (performance.now() - started) / 1000,
      });
    } finally {
      inputs.dispose();
      outputs.dispose();
    }
  }
  return results;
}

/**
 * AdamW on the MSE to the dense outputs, in shuffled mini-batches. The epoch's loss is summed
 * where the tensors live and read once per epoch, so a device never waits on the host per step.
 */
function* trainWalk(
  layer: ReplacedLayer,
  x: Tensor,
  y: Tensor,
  opts: FitOptions,
  gen: Generator,
  report: (epoch: number, loss: number) => void,
): ScalarReads<void> {
  const params = layer.sparse.parameters().filter((p) => p.requiresGrad);
  if (params.length === 0) return;
  const opt = new optim.AdamW(params, { lr: opts.lr ?? 1e-3, weightDecay: opts.weightDecay ?? 0 });
  const rows = x.shape[0];
  const bs = Math.min(opts.batchSize ?? 256, rows);
  const wasTraining = layer.sparse.training;
  layer.sparse.train();
  // The epoch's running sum; handed to the reader (which frees it) at the end of each epoch.
  let total: Tensor | null = null;
  try {
    for (let epoch = 0; epoch < (opts.epochs ?? 20); epoch++) {
      const order = shuffled(rows, gen);
      total = Tensor.zeros([], { device: x.device });
      let steps = 0;
      for (let start = 0; start < rows; start += bs) {
        const next = tidy(() => {
          const idx = Tensor.from(order.subarray(start, Math.min(start + bs, rows)), undefined, {
            dtype: "int32",
          }).to(x.device);
          const loss = mean(square(sub(layer.sparse.call(indexSelect(x, 0, idx)), indexSelect(y, 0, idx))));
          opt.zeroGrad();
          loss.backward();
          opt.step();
          return noGrad(() => add(total as Tensor, loss));
        });
        total.dispose();
        total = next;
        steps++;
      }
      const sum = total;
      total = null;
      const epochLoss = yield sum;
      report(epoch, epochLoss / steps);
    }
  } finally {
    total?.dispose();
    opt.zeroGrad();
    opt.dispose();
    layer.sparse.train(wasTraining);
  }
}

/** MSE and relative error of a module's outputs against targets (evaluation mode, no graph). */
export function evaluate(m: nn.AnyModule, x: Tensor, y: Tensor): { mse: number; rel: number } {
  return readsSync(evaluateWalk(m, x, y));
}

function* evaluateWalk(m: nn.AnyModule, x: Tensor, y: Tensor): ScalarReads<{ mse: number; rel: number }> {
  const wasTraining = m.training;
  m.eval();
  let sums: [Tensor, Tensor];
  try {
    sums = noGrad(() => tidy(() => [sum(square(sub(m.call(x), y))), sum(square(y))] as [Tensor, Tensor]));
  } finally {
    m.train(wasTraining);
  }
  const [errSum, refSum] = sums;
  let err: number;
  try {
    err = yield errSum;
  } catch (e) {
    refSum.dispose();
    throw e;
  }
  const ref = yield refSum;
  return { mse: err / y.size, rel: Math.sqrt(err / ref) };
}

function shuffled(n: number, g: Generator): Int32Array {
  const a = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(g.uniform() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
