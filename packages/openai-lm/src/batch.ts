/*
 * Prompts travel to the server in chunks (a prompt array per request) and come back in request
 * order. All chunks are started at once; the client's semaphore decides how many are in flight.
 */

/** Runs `fn` on chunks of at most `size` indices into `items` and assembles the results in order. */
export async function mapInChunks<T, R>(
  items: readonly T[],
  size: number,
  fn: (chunk: T[]) => Promise<R[]>,
): Promise<R[]> {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`batchSize must be an integer >= 1, got ${size}`);
  const out: R[] = new Array(items.length);
  const jobs: Promise<void>[] = [];
  for (let start = 0; start < items.length; start += size) {
    const chunk = items.slice(start, start + size);
    jobs.push(
      fn(chunk).then((rs) => {
        rs.forEach((r, j) => {
          out[start + j] = r;
        });
      }),
    );
  }
  await Promise.all(jobs);
  return out;
}

/** A single prompt goes as a string: some servers (llama.cpp) accept no prompt arrays. */
export function promptField<P>(chunk: P[]): P | P[] {
  return chunk.length === 1 ? chunk[0] : chunk;
}
