import type { Tensor } from "../tensor.js";

/**
 * Marks a long-lived tensor (a parameter, a buffer, optimizer state) so that an enclosing
 * tidy() does not dispose it: a model built, or an optimizer's first step taken, inside
 * tidy(fn) must outlive fn.
 */
export function persistent<T extends Tensor>(t: T): T {
  t.persistent = true;
  return t;
}
