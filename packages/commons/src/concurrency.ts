// Bounded concurrency, written once: a pool of workers over a list (results in list order), and a
// semaphore for requests that several such pools share.

/**
 * `work` over every item, at most `limit` at a time; results in item order. `worker` numbers the
 * pool's workers from 0 (to give each its own connection). With a `signal`, no item is started
 * after it aborts: those items have no result (undefined), and the call resolves.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number, worker: number) => Promise<R>,
  signal?: AbortSignal,
): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async (_: unknown, id: number) => {
    while (next < items.length && !signal?.aborted) {
      const index = next++;
      results[index] = await work(items[index] as T, index, id);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}

/** At most `size` tasks running at once, whoever starts them; the others wait in order. */
export class Limiter {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(size: number) {
    this.#free = size;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    }
  }
}
