// Retry with backoff, written once: exponential with full jitter, and a wait that ends as soon as
// the caller's signal aborts (the call then rejects with the signal's reason, not after the sleep).
import { setTimeout as sleep } from 'node:timers/promises';
import { LakeloadError } from '@lakeload/errors';

export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  /** The first wait's upper bound in ms, doubled per attempt; each wait is random below it. */
  backoffMs: number;
  signal?: AbortSignal | undefined;
  /** Whether a failure is worth another attempt. Default: the error model's `retryable`. */
  retryable?: (error: unknown) => boolean;
}

const isRetryable = (error: unknown) => error instanceof LakeloadError && error.retryable;

/** `work` until it succeeds, a failure is not retryable, the attempts run out or the signal aborts. */
export async function retry<T>(work: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const retryable = options.retryable ?? isRetryable;
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await work(attempt);
    } catch (error) {
      if (attempt >= options.attempts || !retryable(error)) throw error;
    }
    const wait = Math.random() * options.backoffMs * 2 ** (attempt - 1);
    await sleep(wait, undefined, options.signal ? { signal: options.signal } : {}).catch(() => {
      options.signal?.throwIfAborted();
    });
  }
}
