import type { Tensor } from "@shrinkray/tensor-cuda";

/**
 * How a model's parameter names and layouts map to its Hugging Face checkpoint, when they
 * differ (GPT-2 stores its projections as Conv1D [in, out]). models' CausalLM has these methods;
 * any other model may supply them in the options, or be stored as is.
 */
export interface CheckpointNaming {
  /** Names the checkpoint may use for parameter `name` (first one present wins). */
  checkpointNames?(name: string): string[];
  /** A checkpoint tensor as the parameter holds it. */
  fromCheckpoint?(name: string, t: Tensor): Tensor;
  /** The parameter as the checkpoint stores it. */
  toCheckpoint?(name: string, t: Tensor): Tensor;
}

/** The naming to use: explicit options first, then the model's own methods, then identity. */
export function namingOf(model: object, opts: CheckpointNaming): Required<CheckpointNaming> {
  const m = model as CheckpointNaming;
  return {
    checkpointNames: opts.checkpointNames ?? m.checkpointNames?.bind(model) ?? ((n) => [n]),
    fromCheckpoint: opts.fromCheckpoint ?? m.fromCheckpoint?.bind(model) ?? ((_n, t) => t),
    toCheckpoint: opts.toCheckpoint ?? m.toCheckpoint?.bind(model) ?? ((_n, t) => t),
  };
}
