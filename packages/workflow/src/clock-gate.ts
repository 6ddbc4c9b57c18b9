import type { TaskHandler } from '@tally/local-stack';

/** The part of TestClock the gate needs. */
export interface AdvancingClock {
  now(): Date;
  onAdvance(listener: (now: Date) => Promise<void> | void): () => void;
}

/**
 * Drives dunning waits by the test clock, with the same ASL as in AWS. Locally the Wait state is shortened
 * to 0 ms, and the tasks that answer a decision (Decide and Act) are wrapped: when one answers `wait` until
 * T, the wrapper holds the answer until the clock reaches T. The execution then waits 0 ms and decides
 * again, now at or after T. Every clock advance
 * releases the waits it passes and resolves only once each running execution is blocked on the clock again or
 * has ended, so `await clock.advance('3d')` returns after the dunning steps of those 3 days happened.
 *
 * @example
 * const gate = new ClockGate(clock, () => runningExecutions());
 * handlers['dunning-decide'] = gate.gate(decideHandler);
 */
export class ClockGate {
  readonly #clock: AdvancingClock;
  readonly #running: () => number;
  readonly #waiters = new Set<{ at: number; resolve: () => void }>();
  readonly #idleTimeoutMs: number;
  readonly #unsubscribe: () => void;

  constructor(clock: AdvancingClock, running: () => number, opts: { idleTimeoutMs?: number } = {}) {
    this.#clock = clock;
    this.#running = running;
    this.#idleTimeoutMs = opts.idleTimeoutMs ?? 20_000;
    this.#unsubscribe = clock.onAdvance(async (now) => {
      this.#release(now.getTime());
      await this.idle();
    });
  }

  /** Executions blocked on the clock. */
  get waiting(): number {
    return this.#waiters.size;
  }

  /** Wraps a task answering a decision (Decide, Act): a `wait` answer is held until the clock reaches its `until`. */
  gate(handler: TaskHandler): TaskHandler {
    return async (input) => {
      const out = await handler(input);
      const d = out as { action?: unknown; until?: unknown } | null;
      if (d?.action === 'wait' && typeof d.until === 'string') await this.#waitUntil(Date.parse(d.until));
      return out;
    };
  }

  /** Resolves when every running execution is blocked on the clock or has ended. */
  async idle(): Promise<void> {
    const deadline = Date.now() + this.#idleTimeoutMs;
    while (this.#running() > this.#waiters.size) {
      if (Date.now() > deadline) {
        throw new Error(
          `ClockGate: ${this.#running()} executions running, ${this.#waiters.size} waiting on the clock after ${this.#idleTimeoutMs} ms`,
        );
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  stop(): void {
    this.#unsubscribe();
  }

  #waitUntil(at: number): Promise<void> {
    if (at <= this.#clock.now().getTime()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.add({ at, resolve }));
  }

  #release(now: number): void {
    for (const w of [...this.#waiters]) {
      if (w.at <= now) {
        this.#waiters.delete(w);
        w.resolve();
      }
    }
  }
}
