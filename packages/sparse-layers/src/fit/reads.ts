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
  try {
    let step = walk.next();
    while (!step.done) {
      let read: Read;
      try {
        read = { value: step.value.item() };
      } catch (error) {
        read = { error };
      }
      step = resume(walk, step.value, read);
    }
    return step.value;
  } catch (e) {
    throw closed(walk, e);
  }
}

export async function readsAsync<R>(walk: ScalarReads<R>): Promise<R> {
  try {
    let step = walk.next();
    while (!step.done) {
      const read: Read = await step.value.data().then(
        (d) => ({ value: Number(d[0]) }),
        (error: unknown) => ({ error }),
      );
      step = resume(walk, step.value, read);
    }
    return step.value;
  } catch (e) {
    throw closed(walk, e);
  }
}

type Read = { value: number } | { error: unknown };

/** Frees the yielded tensor and hands the walk its value, or the error its read raised. */
function resume<R>(walk: ScalarReads<R>, t: Tensor, read: Read): IteratorResult<Tensor, R> {
  t.dispose();
  return "error" in read ? walk.throw(read.error) : walk.next(read.value);
}

/**
 * Ends the walk so its finally blocks run, and gives back the error to rethrow. An error the
 * walk threw itself has ended it already (return() is then a no-op).
 */
function closed<R>(walk: ScalarReads<R>, error: unknown): unknown {
  walk.return(undefined as R);
  return error;
}
