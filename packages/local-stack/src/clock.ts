/** Where time comes from. Lambdas use the system clock; the local stack and tests use a TestClock. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

type Listener = (now: Date, previous: Date) => Promise<void> | void;

/**
 * A clock that only moves when told to, so a month of billing or a dunning cycle runs in seconds.
 * Listeners (the local scheduler) run in order on every advance, and an advance resolves only after they
 * have finished.
 *
 * Its time (epoch ms) is also kept in {@link TestClock.buffer}, a SharedArrayBuffer that a
 * {@link SharedClock} in a worker thread reads: handlers running there call `now()` synchronously, and a
 * move is visible to them before any listener runs.
 */
export class TestClock implements Clock {
  #now: number;
  readonly #listeners: Listener[] = [];
  /** The time for other threads: one BigInt64 of epoch ms. */
  readonly buffer = new SharedArrayBuffer(BigInt64Array.BYTES_PER_ELEMENT);
  readonly #shared = new BigInt64Array(this.buffer);

  constructor(start: Date | string = '2026-01-01T00:00:00Z') {
    this.#now = new Date(start).getTime();
    if (Number.isNaN(this.#now)) throw new RangeError(`TestClock: invalid start time ${String(start)}`);
    Atomics.store(this.#shared, 0, BigInt(this.#now));
  }

  now(): Date {
    return new Date(this.#now);
  }

  onAdvance(listener: Listener): () => void {
    this.#listeners.push(listener);
    return () => {
      const i = this.#listeners.indexOf(listener);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  /** Moves the clock forward by `ms` (or a duration such as "31d", "6h", "90m", "30s"). */
  async advance(by: number | string): Promise<Date> {
    const ms = typeof by === 'number' ? by : parseDuration(by);
    return this.set(new Date(this.#now + ms));
  }

  /** Moves the clock to `to`; time never goes backwards. */
  async set(to: Date | string): Promise<Date> {
    const target = new Date(to).getTime();
    if (Number.isNaN(target)) throw new RangeError(`TestClock: invalid time ${String(to)}`);
    if (target < this.#now)
      throw new RangeError(`TestClock: cannot go back from ${this.now().toISOString()}`);
    const previous = this.now();
    this.#now = target;
    Atomics.store(this.#shared, 0, BigInt(target));
    for (const l of [...this.#listeners]) await l(this.now(), previous);
    return this.now();
  }
}

/**
 * The time of a {@link TestClock} seen from another thread: `now()` reads the clock's shared buffer, so it
 * follows every move of the clock (which only the owning thread makes).
 *
 * @example
 * new Worker(url, { workerData: { clock: clock.buffer } }); // in the worker: new SharedClock(workerData.clock)
 */
export class SharedClock implements Clock {
  readonly #shared: BigInt64Array;

  constructor(buffer: SharedArrayBuffer) {
    if (buffer.byteLength < BigInt64Array.BYTES_PER_ELEMENT) {
      throw new RangeError(`SharedClock: the buffer holds ${buffer.byteLength} bytes, a clock needs 8`);
    }
    this.#shared = new BigInt64Array(buffer, 0, 1);
  }

  now(): Date {
    return new Date(Number(Atomics.load(this.#shared, 0)));
  }
}

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Parses "31d", "1d12h", "90m", "1500ms" into milliseconds. */
export function parseDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    consumed = re.lastIndex;
  }
  if (consumed === 0 || consumed !== text.length) {
    throw new RangeError(`invalid duration "${text}": use a number and a unit, e.g. 31d, 6h, 90m, 30s`);
  }
  return total;
}
