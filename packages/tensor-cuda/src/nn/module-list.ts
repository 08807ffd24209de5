import { type AnyModule, Module } from "./module.js";

/**
 * An ordered list of modules named "0", "1", ... (the `layers.3.mlp` in checkpoint names). It
 * has no forward of its own: the owner decides how to run its items (a decoder loop, say).
 */
export class ModuleList<T extends AnyModule = AnyModule>
  extends Module<never[], never>
  implements Iterable<T>
{
  constructor(modules: Iterable<T> = []) {
    super();
    for (const m of modules) this.push(m);
  }

  get length(): number {
    return this.namedChildren().length;
  }

  push(...modules: T[]): this {
    for (const m of modules) this.child(String(this.length), m);
    return this;
  }

  /** The i-th module; negative i counts from the end, as Array.prototype.at. */
  at(i: number): T {
    const n = this.length;
    const j = i < 0 ? i + n : i;
    if (!Number.isInteger(j) || j < 0 || j >= n)
      throw new RangeError(`ModuleList.at(${i}): the list has ${n} modules`);
    return this.get<T>(String(j));
  }

  [Symbol.iterator](): Iterator<T> {
    return (this.children() as T[])[Symbol.iterator]();
  }

  forward(): never {
    throw new Error("ModuleList has no forward; iterate over its modules instead");
  }
}
