import { cat, keep, type nn, noGrad, reshape, type Tensor, tidy } from "@shrinkray/tensor-cuda";

/**
 * Calibration data and how to push one batch through the model. `run` defaults to
 * model.call(batch); a language model passes token ids, a test a tensor of inputs.
 */
export interface Calibration<B = Tensor> {
  batches: readonly B[];
  run?: (model: nn.AnyModule, batch: B) => unknown;
}

/** Thrown from a hook to skip the rest of a forward pass once the wanted layer has been seen. */
class StopForward extends Error {}

/**
 * The inputs [rows, in] and outputs [rows, out] of one layer over the calibration batches,
 * flattened to rows. With `stopEarly` (default) each forward pass is abandoned right after the
 * layer, so the layers above it are never computed — a pass costs only the prefix.
 */
export function captureLayerIO<B>(
  model: nn.AnyModule,
  layer: nn.AnyModule,
  calibration: Calibration<B>,
  opts: { stopEarly?: boolean } = {},
): { inputs: Tensor; outputs: Tensor } {
  const stopEarly = opts.stopEarly ?? true;
  const xs: Tensor[] = [];
  const ys: Tensor[] = [];
  const remove = layer.registerForwardHook((_m, args, out) => {
    const x = args[0] as Tensor;
    const y = out as Tensor;
    // kept: a model may run each block in a tidy() of its own, which would free them on the way out.
    xs.push(keep(reshape(x.detach(), [-1, x.shape[x.rank - 1]])));
    ys.push(keep(reshape(y.detach(), [-1, y.shape[y.rank - 1]])));
    if (stopEarly) throw new StopForward();
  });
  const run = calibration.run ?? ((m: nn.AnyModule, b: B) => m.call(b as never));
  // tidy: the prefix's activations and the per-batch captures are freed as soon as they are
  // concatenated, not when the GC gets to them (on a device that memory is not the GC's).
  let result: { inputs: Tensor; outputs: Tensor } | undefined;
  try {
    result = noGrad(() =>
      tidy(() => {
        for (const batch of calibration.batches) {
          try {
            run(model, batch);
          } catch (e) {
            if (!(e instanceof StopForward)) throw e;
          }
        }
        if (xs.length === 0)
          throw new Error("captureLayerIO: the calibration batches never reached the layer");
        return { inputs: cat(xs, 0), outputs: cat(ys, 0) };
      }),
    );
    return result;
  } finally {
    remove();
    // cat of one tensor is that tensor: only the pieces that were copied are freed here.
    for (const t of [...xs, ...ys]) if (t !== result?.inputs && t !== result?.outputs) t.dispose();
  }
}
