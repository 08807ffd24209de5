/*
 * A counting semaphore. Servers queue what they cannot batch, so firing a thousand requests at
 * once only moves the queue into sockets and timeouts; a small cap keeps latency predictable and
 * lets the server's own continuous batching do the work.
 */
export class Semaphore {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`concurrency must be an integer >= 1, got ${limit}`);
    this.#free = limit;
  }

  /** Runs `fn` once a slot is free; the slot is released however `fn` ends. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.#acquire();
    try {
      return await fn();
    } finally {
      this.#release();
    }
  }

  #acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(): void {
    // Hand the slot straight to the next waiter so a newcomer cannot overtake the queue.
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}
