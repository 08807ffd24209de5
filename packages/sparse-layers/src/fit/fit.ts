import type { nn } from "@shrinkray/tensor-cuda";
import {
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
 * with all sparse layers in place.
 */
export function fitLayerwise<B>(
  model: nn.AnyModule,
  layers: readonly ReplacedLayer[],
  calibration: Calibration<B>,
  opts: FitOptions = {},
): LayerFitResult[] {
  const results: LayerFitResult[] = [];
  const gen = opts.generator ?? new Generator(0);
  layers.forEach((layer, index) => {
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
    const before = evaluate(layer.sparse, inputs, outputs);
    trainLayer(layer, inputs, outputs, opts, gen, (epoch, loss) =>
      opts.onProgress?.({
        layer: layer.name,
        index,
        total: layers.length,
        epoch,
        epochs: opts.epochs ?? 20,
        loss,
      }),
    );
    const after = evaluate(layer.sparse, inputs, outputs);
    results.push({
      name: layer.name,
      rows: inputs.shape[0],
      mseBefore: before.mse,
      mseAfter: after.mse,
      relErrorBefore: before.rel,
      relErrorAfter: after.rel,
      seconds: (performance.now() - started) / 1000,
    });
    inputs.dispose();
    outputs.dispose();
  });
  return results;
}

function trainLayer(
  layer: ReplacedLayer,
  x: Tensor,
  y: Tensor,
  opts: FitOptions,
  gen: Generator,
  report: (epoch: number, loss: number) => void,
): void {
  const params = layer.sparse.parameters().filter((p) => p.requiresGrad);
  if (params.length === 0) return;
  const opt = new optim.AdamW(params, { lr: opts.lr ?? 1e-3, weightDecay: opts.weightDecay ?? 0 });
  const rows = x.shape[0];
  const bs = Math.min(opts.batchSize ?? 256, rows);
  const wasTraining = layer.sparse.training;
  layer.sparse.train();
  for (let epoch = 0; epoch < (opts.epochs ?? 20); epoch++) {
    const order = shuffled(rows, gen);
    let total = 0;
    let steps = 0;
    for (let start = 0; start < rows; start += bs) {
      const idx = Tensor.from(order.subarray(start, Math.min(start + bs, rows)), undefined, {
        dtype: "int32",
      });
      total += tidy(() => {
        const loss = mean(square(sub(layer.sparse.call(indexSelect(x, 0, idx)), indexSelect(y, 0, idx))));
        opt.zeroGrad();
        loss.backward();
        opt.step();
        return loss.item();
      });
      idx.dispose();
      steps++;
    }
    report(epoch, total / steps);
  }
  opt.zeroGrad();
  layer.sparse.train(wasTraining);
}

/** MSE and relative error of a module's outputs against targets (evaluation mode, no graph). */
export function evaluate(m: nn.AnyModule, x: Tensor, y: Tensor): { mse: number; rel: number } {
  const wasTraining = m.training;
  m.eval();
  try {
    return noGrad(() =>
      tidy(() => {
        const err = sum(square(sub(m.call(x), y))).item();
        const ref = sum(square(y)).item();
        return { mse: err / y.size, rel: Math.sqrt(err / ref) };
      }),
    );
  } finally {
    m.train(wasTraining);
  }
}

function shuffled(n: number, g: Generator): Int32Array {
  const a = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(g.uniform() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
