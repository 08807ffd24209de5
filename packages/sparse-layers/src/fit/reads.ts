import type { Tensor } from "@shrinkray/tensor-cuda";

/**
 * A computation that needs a few scalars back from wherever its tensors live. It yields each
 * one-element tensor it wants read (and owns nothing after yielding it: the driver disposes
 * it) and is resumed with the value. The same walk then runs synchronously on the CPU
 * (`readsSync`, item()) and on a device that can only be read asynchronously (`readsAsync`,
 * await data()), so the two can never drift apart. (JavaScript's built-in Generator type, not
 * tensor-cuda's random Generator.)
 */
export type ScalarReads<R> = Generator<Tensor, R, number>;

export function readsSync<R>(walk: ScalarReads<R>): R {
  let step = walk.next();
  try {
    while (!step.done) {
      const t = step.value;
      let value: number;
      try {
        value = t.item();
      } catch (e) {
        step = walk.throw(e);
        continue;
      } finally {
        t.dispose();
      }
      step = walk.next(value);
    }
  } finally {
    // A failure outside the walk (none is expected) still runs the walk's finally blocks.
    if (!step.done) walk.return(undefined as R);
  }
  return step.value;
}

export async function readsAsync<R>(walk: ScalarReads<R>): Promise<R> {
  let step = walk.next();
  try {
    while (!step.done) {
      const t = step.value;
      let value: number;
      try {
        value = Number((await t.data())[0]);
      } catch (e) {
        step = walk.throw(e);
        continue;
      } finally {
        t.dispose();
      }
      step = walk.next(value);
    }
  } finally {
    // A failure outside the walk (none is expected) still runs the walk's finally blocks.
    if (!step.done) walk.return(undefined as R);
  }
  return step.value;
}
