/**
 * Exponential backoff with full jitter (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/):
 * the n-th wait is random in [0, min(cap, base · 2^n)). Only for errors where the call certainly had no
 * effect (SES throttling): the caller decides which with `retryable`.
 */
export interface BackoffOptions {
  readonly attempts: number;
  readonly baseMs: number;
  readonly capMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { attempts: 4, baseMs: 200, capMs: 5_000 };

export async function withBackoff<T>(
  fn: (attempt: number) => Promise<T>,
  retryable: (err: unknown) => boolean,
  opts: BackoffOptions = DEFAULT_BACKOFF,
): Promise<T> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = opts.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= opts.attempts || !retryable(err)) throw err;
      await sleep(Math.floor(random() * Math.min(opts.capMs, opts.baseMs * 2 ** (attempt - 1))));
    }
  }
}
