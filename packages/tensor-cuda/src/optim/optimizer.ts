import { isFloating } from "../dtype.js";
import { persistent } from "../nn/persistent.js";
import { fmt, sameShape } from "../shape.js";
import { Tensor } from "../tensor.js";

/** Per-parameter optimizer state: moment tensors and counters. */
export type ParamState = Record<string, Tensor | number>;

/** Hyperparameters every optimizer has; a scheduler rewrites `lr`. */
export interface BaseHyper {
  lr: number;
}

/** A parameter group: its tensors and its hyperparameters (which may differ between groups). */
export type ParamGroup<H extends BaseHyper> = H & {
  params: Tensor[];
  /** The lr a scheduler multiplies; set by the first LRScheduler attached. */
  initialLr?: number;
};

/** What a caller passes for a group: its tensors and the hyperparameters it overrides. */
export type ParamGroupSpec<H extends BaseHyper> = Partial<H> & { params: Iterable<Tensor> };

/**
 * The serialisable form, as torch's: state keyed by the parameter's position across all groups
 * (parameters have no names here), and the groups with positions instead of tensors.
 */
export interface OptimizerStateDict<H extends BaseHyper> {
  state: Record<number, ParamState>;
  paramGroups: (H & { params: number[]; initialLr?: number })[];
}

/** Shared plumbing of SGD and AdamW: groups, lazily created state, zeroGrad, state dicts. */
export abstract class Optimizer<H extends BaseHyper> {
  readonly paramGroups: ParamGroup<H>[];
  readonly state = new Map<Tensor, ParamState>();

  constructor(params: Iterable<Tensor> | ParamGroupSpec<H>[], defaults: H) {
    const list = [...(params as Iterable<Tensor | ParamGroupSpec<H>>)];
    const specs: ParamGroupSpec<H>[] = list.every(isTensor)
      ? [{ params: list as Tensor[] } as unknown as ParamGroupSpec<H>]
      : (list as ParamGroupSpec<H>[]);
    const seen = new Set<Tensor>();
    this.paramGroups = specs.map((spec, gi) => {
      const ps = [...spec.params];
      for (const p of ps) {
        if (!isTensor(p))
          throw new TypeError(`${this.constructor.name}: group ${gi} holds something that is not a Tensor`);
        if (!isFloating(p.dtype))
          throw new TypeError(`${this.constructor.name}: cannot optimize a ${p.dtype} tensor`);
        if (seen.has(p))
          throw new Error(`${this.constructor.name}: a parameter appears in more than one group`);
        seen.add(p);
      }
      return { ...defaults, ...definedOnly(spec), params: ps } as ParamGroup<H>;
    });
    if (seen.size === 0) throw new Error(`${this.constructor.name}: got an empty parameter list`);
  }

  abstract step(): void;

  /** Drops every gradient (set-to-none, PyTorch's default). */
  zeroGrad(): void {
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        p.grad?.dispose();
        p.grad = null;
      }
    }
  }

  /**
   * Frees the state tensors (moments) now, rather than when the GC finds the optimizer, which
   * on a device it may never do in time. The optimizer stays usable: a later step() starts
   * its state afresh, as a new optimizer would.
   */
  dispose(): void {
    for (const s of this.state.values()) for (const v of Object.values(s)) if (isTensor(v)) v.dispose();
    this.state.clear();
  }

  /** The lr of the first group (convenient when there is one). */
  get lr(): number {
    return this.paramGroups[0].lr;
  }

  /** A zero tensor shaped like p that survives enclosing tidy() scopes. */
  protected zerosLike(p: Tensor): Tensor {
    return persistent(p.zerosLike());
  }

  /** The live state tensors (not copies) and hyperparameters, for saving a checkpoint. */
  stateDict(): OptimizerStateDict<H> {
    const state: Record<number, ParamState> = {};
    const paramGroups: OptimizerStateDict<H>["paramGroups"] = [];
    let index = 0;
    for (const g of this.paramGroups) {
      const ids: number[] = [];
      for (const p of g.params) {
        const s = this.state.get(p);
        if (s) state[index] = { ...s };
        ids.push(index++);
      }
      const { params: _ps, ...hyper } = g;
      paramGroups.push({ ...(hyper as unknown as H), params: ids });
    }
    return { state, paramGroups };
  }

  /**
   * Restores hyperparameters and state saved by stateDict(), for resuming. The groups must hold
   * as many parameters as when saved. State tensors are copied, cast to each parameter's dtype
   * and moved to its device.
   */
  loadStateDict(sd: OptimizerStateDict<H>): void {
    const name = this.constructor.name;
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new Error(
        `${name}.loadStateDict: saved ${sd.paramGroups.length} groups, the optimizer has ${this.paramGroups.length}`,
      );
    }
    const params: Tensor[] = [];
    sd.paramGroups.forEach((saved, gi) => {
      const own = this.paramGroups[gi].params;
      if (saved.params.length !== own.length) {
        throw new Error(
          `${name}.loadStateDict: group ${gi} saved ${saved.params.length} parameters, it has ${own.length}`,
        );
      }
      saved.params.forEach((id, j) => {
        params[id] = own[j];
      });
    });
    const restored = new Map<Tensor, ParamState>();
    for (const [key, s] of Object.entries(sd.state)) {
      const p = params[Number(key)];
      if (!p) throw new Error(`${name}.loadStateDict: state for parameter ${key}, which no group holds`);
      const copy: ParamState = {};
      for (const [k, v] of Object.entries(s)) {
        if (typeof v === "number") copy[k] = v;
        else if (!sameShape(v.shape, p.shape)) {
          throw new Error(
            `${name}.loadStateDict: state ${key}.${k} has shape ${fmt(v.shape)}, parameter ${fmt(p.shape)}`,
          );
        } else copy[k] = persistent(Tensor.zeros(p.shape, { dtype: p.dtype, device: p.device }).assign(v));
      }
      restored.set(p, copy);
    }
    sd.paramGroups.forEach((saved, gi) => {
      const { params: _ids, ...hyper } = saved;
      Object.assign(this.paramGroups[gi], hyper);
    });
    // The old state is not freed here: stateDict() hands out the live tensors, and a caller
    // may hold such a snapshot to load back later. dispose() first to free it.
    this.state.clear();
    for (const [p, s] of restored) this.state.set(p, s);
  }
}

/** opts without its undefined entries, so `{ lr: undefined }` keeps the default. */
export function definedOnly<T extends object>(opts: T): Partial<T> {
  return Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function isTensor(x: unknown): x is Tensor {
  return (x as Tensor | null)?.isTensor === true;
}
