import type { Device } from "../backend/backend.js";
import { sameShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { ModulePathError, type ShapeMismatch, StateDictError } from "./errors.js";
import { persistent } from "./persistent.js";

/** Any module, whatever its forward takes and returns (the type of children and of paths). */
export type AnyModule = Module<any[], any>;

/** A named tensor collection: what stateDict() returns and loadStateDict() accepts. */
export type StateDict = Map<string, Tensor>;

export interface LoadStateDictOptions {
  /** Missing and unexpected keys are errors (default). Shape mismatches always are. */
  strict?: boolean;
}

/** Called after forward with the module, its arguments and its output; may return a new output. */
export type ForwardHook<Args extends unknown[], Out> = (
  module: Module<Args, Out>,
  args: Args,
  out: Out,
  // biome-ignore lint/suspicious/noConfusingVoidType: a hook that only observes returns nothing
) => Out | void;

/**
 * The base of every layer and model, after torch.nn.Module. Parameters, buffers and children are
 * registered explicitly — `this.weight = this.param("weight", t)`, `this.attn = this.child("attn",
 * m)` — so names are exactly the strings given (Hugging Face checkpoint names) and nothing depends
 * on field-enumeration order. The registries are the source of truth; the fields are for typed
 * access, and replace() keeps them in step.
 */
export abstract class Module<Args extends unknown[] = [Tensor], Out = Tensor> {
  /** Training mode (dropout active); set for the whole tree by train()/eval(). */
  training = true;
  private readonly _params = new Map<string, Tensor>();
  private readonly _buffers = new Map<string, { tensor: Tensor; persistent: boolean }>();
  private readonly _children = new Map<string, AnyModule>();
  // Loosely typed so that every Module<A, O> stays assignable to AnyModule.
  private readonly _hooks = new Set<ForwardHook<any[], any>>();

  abstract forward(...args: Args): Out;

  /** forward() plus the forward hooks; call this rather than forward() so hooks see every call. */
  call(...args: Args): Out {
    let out = this.forward(...args);
    for (const h of this._hooks) {
      const r = h(this as AnyModule, args, out);
      if (r !== undefined) out = r;
    }
    return out;
  }

  /**
   * Runs `hook(module, args, output)` after each call(); a returned value replaces the output.
   * Compression passes use it to capture layer inputs (GPTQ's calibration activations).
   * Returns a function that removes the hook.
   */
  registerForwardHook(hook: ForwardHook<Args, Out>): () => void {
    const h = hook as ForwardHook<any[], any>;
    this._hooks.add(h);
    return () => this._hooks.delete(h);
  }

  // ---- registration ----

  /** Registers (or re-registers) a trainable parameter; it is set to require grad. */
  protected param(name: string, t: Tensor): Tensor {
    this.checkName(name, "param");
    const old = this._params.get(name);
    this._params.set(name, persistent(t.requiresGrad_(true)));
    if (old) rebindFields(this, old, t);
    return t;
  }

  /**
   * Registers a tensor that is state but not trained (running statistics, rotary tables).
   * Non-persistent buffers are left out of stateDict(), as tables recomputed at load time are.
   */
  protected buffer(name: string, t: Tensor, opts: { persistent?: boolean } = {}): Tensor {
    this.checkName(name, "buffer");
    const old = this._buffers.get(name);
    this._buffers.set(name, { tensor: persistent(t), persistent: opts.persistent ?? true });
    if (old) rebindFields(this, old.tensor, t);
    return t;
  }

  protected child<M extends AnyModule>(name: string, m: M): M {
    this.checkName(name, "child");
    if (!(m instanceof Module)) throw new TypeError(`child "${name}": expected a Module, got ${String(m)}`);
    const old = this._children.get(name);
    this._children.set(name, m);
    if (old) rebindFields(this, old, m);
    return m;
  }

  private checkName(name: string, kind: "param" | "buffer" | "child"): void {
    if (!name || name.includes("."))
      throw new ModulePathError(`${kind} name "${name}" must be non-empty and contain no "."`);
    const taken =
      (kind !== "param" && this._params.has(name)) ||
      (kind !== "buffer" && this._buffers.has(name)) ||
      (kind !== "child" && this._children.has(name));
    if (taken) throw new ModulePathError(`${kind} name "${name}" is already used by another kind of member`);
  }

  // ---- traversal ----

  namedChildren(): [string, AnyModule][] {
    return [...this._children];
  }

  children(): AnyModule[] {
    return [...this._children.values()];
  }

  /** This module ("") and every descendant, depth first, each module once even if shared. */
  namedModules(prefix = ""): [string, AnyModule][] {
    const out: [string, AnyModule][] = [];
    const seen = new Set<AnyModule>();
    const walk = (m: AnyModule, name: string) => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([name, m]);
      for (const [n, c] of m._children) walk(c, name ? `${name}.${n}` : n);
    };
    walk(this, prefix);
    return out;
  }

  modules(): AnyModule[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Dotted names to parameters; a tensor shared by two modules (tied weights) appears once. */
  namedParameters(): [string, Tensor][] {
    const seen = new Set<Tensor>();
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [n, t] of m._params) {
        if (seen.has(t)) continue;
        seen.add(t);
        out.push([join(prefix, n), t]);
      }
    }
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [n, b] of m._buffers) out.push([join(prefix, n), b.tensor]);
    }
    return out;
  }

  buffers(): Tensor[] {
    return this.namedBuffers().map(([, t]) => t);
  }

  /** Element count of the (deduplicated) parameters. */
  numParameters(opts: { trainableOnly?: boolean } = {}): number {
    let n = 0;
    for (const p of this.parameters()) if (!opts.trainableOnly || p.requiresGrad) n += p.size;
    return n;
  }

  // ---- paths ----

  /** The submodule at a dotted path ("layers.0.attn"); "" is this module. */
  get<M extends AnyModule = AnyModule>(path: string): M {
    let cur: AnyModule = this;
    if (path === "") return cur as M;
    const parts = path.split(".");
    parts.forEach((p, i) => {
      const next = cur._children.get(p);
      if (!next) throw new ModulePathError(noSuchChild(path, parts.slice(0, i).join("."), p, cur));
      cur = next;
    });
    return cur as M;
  }

  /** The parameter at a dotted path ("layers.0.attn.q_proj.weight"). */
  getParameter(path: string): Tensor {
    const cut = path.lastIndexOf(".");
    const owner = cut < 0 ? this : this.get(path.slice(0, cut));
    const name = path.slice(cut + 1);
    const t = owner._params.get(name);
    if (!t) {
      const have = [...owner._params.keys()].join(", ") || "none";
      throw new ModulePathError(`no parameter "${path}" (the module there has parameters: ${have})`);
    }
    return t;
  }

  /**
   * Swaps the submodule at a dotted path for `m` (a Linear for a quantized or low-rank one) and
   * returns the old one. The parent's field that held the old module is repointed too, so
   * `this.qProj.call(x)` in the parent's forward reaches the new module.
   */
  replace(path: string, m: AnyModule): AnyModule {
    if (!path) throw new ModulePathError("replace: the path is empty (a module cannot replace itself)");
    const cut = path.lastIndexOf(".");
    const parent = cut < 0 ? this : this.get(path.slice(0, cut));
    const name = path.slice(cut + 1);
    const old = parent._children.get(name);
    if (!old) throw new ModulePathError(noSuchChild(path, path.slice(0, Math.max(cut, 0)), name, parent));
    parent.child(name, m);
    return old;
  }

  // ---- modes, gradients, devices ----

  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Drops gradients (PyTorch's set_to_none): the next backward allocates fresh ones. */
  zeroGrad(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** Calls fn on every module, children before parents (as torch's apply, for custom init). */
  apply(fn: (m: AnyModule) => void): this {
    for (const m of this.modules().reverse()) fn(m);
    return this;
  }

  /**
   * Moves parameters and buffers to `device` in place (each Tensor object keeps its identity, so
   * an optimizer built earlier still holds the right tensors).
   */
  to(device: Device): this {
    let anyMoved = false;
    for (const t of [...this.parameters(), ...this.buffers()]) {
      if (t.device === device) continue;
      anyMoved = true;
      const moved = t.to(device);
      t.setStorage(moved.storage);
      moved.dispose(); // drops only the temporary's reference; t now holds the storage
      if (t.grad) {
        const g = t.grad.to(device);
        g.persistent = true;
        if (g !== t.grad) t.grad.dispose(); // a gradient already on `device` is kept as it is
        t.grad = g;
      }
    }
    if (anyMoved) for (const m of this.modules()) m.onMoved(device);
    return this;
  }

  /**
   * to(device) from a device that cannot be read synchronously (a model trained on "cuda" coming
   * back to the CPU, e.g. to be quantized there): each copy is awaited.
   */
  async toAsync(device: Device): Promise<this> {
    let anyMoved = false;
    for (const t of [...this.parameters(), ...this.buffers()]) {
      if (t.device === device) continue;
      anyMoved = true;
      const moved = await t.toAsync(device);
      t.setStorage(moved.storage);
      moved.dispose();
      if (t.grad) {
        const g = await t.grad.toAsync(device);
        g.persistent = true;
        if (g !== t.grad) t.grad.dispose();
        t.grad = g;
      }
    }
    if (anyMoved) for (const m of this.modules()) m.onMoved(device);
    return this;
  }

  /**
   * Called on every module of a tree after to() / toAsync() moved some of its tensors (as torch's
   * _apply is the place to follow a move). A module that caches tensors derived from its
   * parameters or buffers drops them here, so a cache on the old device is neither used with
   * tensors on the new one nor left holding that device's memory.
   */
  protected onMoved(_device: Device): void {}

  // ---- state dict ----

  /**
   * Parameters and persistent buffers by dotted name, in registration order. The values are
   * the live tensors, not copies (as PyTorch's); tied weights appear under each name.
   */
  stateDict(): StateDict {
    const out: StateDict = new Map();
    const walk = (m: AnyModule, prefix: string) => {
      for (const [n, t] of m._params) out.set(join(prefix, n), t);
      for (const [n, b] of m._buffers) if (b.persistent) out.set(join(prefix, n), b.tensor);
      for (const [n, c] of m._children) walk(c, join(prefix, n));
    };
    walk(this, "");
    return out;
  }

  /**
   * Copies `sd` into the model's tensors in place (Tensor.assign), casting dtypes (a bfloat16
   * checkpoint into float32 parameters) and moving devices. Everything is checked before anything
   * is written. A key whose tensor is tied to one that was loaded under another name (GPT-2's
   * lm_head.weight and wte.weight) does not count as missing.
   */
  loadStateDict(
    sd: StateDict | Record<string, Tensor>,
    opts: LoadStateDictOptions = {},
  ): { missing: string[]; unexpected: string[] } {
    const strict = opts.strict ?? true;
    const src = sd instanceof Map ? sd : new Map(Object.entries(sd));
    const own = this.stateDict();
    const unexpected = [...src.keys()].filter((k) => !own.has(k));
    const mismatched: ShapeMismatch[] = [];
    const loaded = new Set<Tensor>();
    for (const [k, t] of own) {
      const s = src.get(k);
      if (s === undefined) continue;
      if ((s as Tensor | null)?.isTensor !== true)
        throw new TypeError(`loadStateDict: value for "${k}" is not a Tensor`);
      if (!sameShape(s.shape, t.shape)) mismatched.push({ key: k, expected: t.shape, got: s.shape });
      loaded.add(t);
    }
    const missing = [...own].filter(([k, t]) => !src.has(k) && !loaded.has(t)).map(([k]) => k);
    if (mismatched.length || (strict && (missing.length || unexpected.length))) {
      throw new StateDictError(strict ? missing : [], strict ? unexpected : [], mismatched);
    }
    for (const [k, t] of own) {
      const s = src.get(k);
      if (s) t.assign(s);
    }
    return { missing, unexpected };
  }

  // ---- printing ----

  /** One line of this module's own settings for toString(), e.g. "in=64, out=128, bias=true". */
  protected extraRepr(): string {
    return "";
  }

  toString(): string {
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (this._children.size === 0) return `${head})`;
    const lines = [...this._children].map(([n, c]) => `  (${n}): ${c.toString().replace(/\n/g, "\n  ")}`);
    return `${head}\n${lines.join("\n")}\n)`;
  }
}

function join(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}

function noSuchChild(path: string, at: string, name: string, parent: AnyModule): string {
  const have = parent.namedChildren().map(([n]) => n);
  const where = at ? `"${at}" (${parent.constructor.name})` : `the root (${parent.constructor.name})`;
  const list = have.length ? have.join(", ") : "none";
  return `no submodule "${path}": ${where} has no child "${name}"; its children are: ${list}`;
}

/** Repoints fields of `owner` that held `old` at `next`, so typed fields follow the registry. */
function rebindFields(owner: object, old: unknown, next: unknown): void {
  const o = owner as Record<string, unknown>;
  for (const k of Object.keys(o)) if (o[k] === old) o[k] = next;
}
