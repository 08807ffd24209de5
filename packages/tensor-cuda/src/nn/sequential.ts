import type { Tensor } from "../tensor.js";
import { type AnyModule, Module } from "./module.js";

/** Modules applied one after another, each to the previous one's output; named "0", "1", ... */
export class Sequential extends Module {
  constructor(...modules: AnyModule[]) {
    super();
    modules.forEach((m, i) => {
      this.child(String(i), m);
    });
  }

  get length(): number {
    return this.namedChildren().length;
  }

  forward(x: Tensor): Tensor {
    let y = x;
    for (const m of this.children()) y = m.call(y);
    return y;
  }
}
