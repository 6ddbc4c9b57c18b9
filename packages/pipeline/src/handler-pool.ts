import { Worker } from 'node:worker_threads';
import { HandlerWorkerError } from './errors.js';
import type { FunctionLog, FunctionName, Invoked } from './handlers.js';
import { deserializeError, type FromWorker, type ToWorker, type WorkerData } from './worker-protocol.js';

export interface HandlerPoolOptions {
  /** Worker threads, at least 1. */
  readonly threads: number;
  /** The test clock's shared time (`TestClock.buffer`). */
  readonly clock: SharedArrayBuffer;
  /** process.env of the workers: every endpoint, table, queue and workflow variable the functions read. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Receives the functions' WARN and ERROR logs. */
  readonly onLog: (log: FunctionLog) => void;
  /** The workers' script. Default handler-worker-entry.mjs (tests give one that speaks the same messages). */
  readonly entry?: URL;
}

interface Pending {
  resolve(value: Invoked): void;
  reject(err: Error): void;
}

interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
}

/**
 * The functions of the local pipeline, run in worker threads: each worker builds every function (see
 * `buildHandlers`) and runs the invocations posted to it concurrently; an invocation goes to the worker
 * with the fewest running. Events and results cross threads as plain data, as they cross Lambda's API.
 *
 * A handler that throws rejects its invocation with an error of the same name and message. A worker that
 * crashes or exits fails the pool: its running invocations and every later one reject with
 * {@link HandlerWorkerError}, and `failure` holds it (the pipeline's settle throws it), so a run fails
 * loudly instead of waiting on answers that never come.
 *
 * Workers load the TypeScript sources through tsx (see handler-worker-entry.mjs), under tsx, vitest or node.
 */
export class HandlerPool {
  readonly #slots: Slot[];
  #nextId = 0;
  #stopping = false;
  #failure: HandlerWorkerError | undefined;

  private constructor(slots: Slot[]) {
    this.#slots = slots;
  }

  /** Starts the workers and resolves once every one has built its functions. */
  static async start(options: HandlerPoolOptions): Promise<HandlerPool> {
    if (!Number.isInteger(options.threads) || options.threads < 1) {
      throw new RangeError(`HandlerPool: threads ${options.threads} must be a whole number of at least 1`);
    }
    const workerData: WorkerData = { clock: options.clock };
    const slots: Slot[] = Array.from({ length: options.threads }, () => ({
      worker: new Worker(options.entry ?? new URL('./handler-worker-entry.mjs', import.meta.url), {
        // Not the parent's flags (tsx's or vitest's): the entry registers tsx itself.
        execArgv: [],
        env: { ...options.env },
        workerData,
      }),
      pending: new Map(),
    }));
    const pool = new HandlerPool(slots);
    try {
      await Promise.all(slots.map((slot, i) => pool.#ready(slot, i)));
    } catch (err) {
      await pool.stop();
      throw err;
    }
    for (const [i, slot] of slots.entries()) pool.#watch(slot, i, options.onLog);
    return pool;
  }

  /** Why the pool failed (a worker crashed or exited), if it did. */
  get failure(): HandlerWorkerError | undefined {
    return this.#failure;
  }

  /** Runs `name` with `event` on the least busy worker. */
  invoke(name: FunctionName, event: unknown): Promise<Invoked> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#stopping) return Promise.reject(new Error(`local pipeline: stopped, ${name} not invoked`));
    let slot = this.#slots[0]!;
    for (const s of this.#slots) if (s.pending.size < slot.pending.size) slot = s;
    const id = this.#nextId++;
    return new Promise<Invoked>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      const message: ToWorker = { id, name, event };
      try {
        slot.worker.postMessage(message);
      } catch (err) {
        slot.pending.delete(id);
        reject(err as Error);
      }
    });
  }

  /** Terminates the workers; invocations still running reject. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
    for (const s of this.#slots) this.#rejectAll(s, new Error('local pipeline: stopped while running'));
  }

  #ready(slot: Slot, index: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onMessage = (m: FromWorker) => {
        if (m.type === 'ready') done(undefined);
        else if (m.type === 'init-error') {
          done(
            new HandlerWorkerError(index, `could not build the functions: ${m.error.message}`, {
              cause: deserializeError(m.error),
            }),
          );
        }
      };
      const onError = (err: Error) =>
        done(new HandlerWorkerError(index, `failed to start: ${err.message}`, { cause: err }));
      const onExit = (code: number) =>
        done(new HandlerWorkerError(index, `exited with code ${code} while starting`));
      const done = (err: Error | undefined) => {
        slot.worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        if (err) reject(err);
        else resolve();
      };
      slot.worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    });
  }

  #watch(slot: Slot, index: number, onLog: (log: FunctionLog) => void): void {
    slot.worker.on('message', (m: FromWorker) => {
      if (m.type === 'log') onLog(m.log);
      else if (m.type === 'result' || m.type === 'error') {
        const p = slot.pending.get(m.id);
        if (!p) return;
        slot.pending.delete(m.id);
        if (m.type === 'result') p.resolve(m.value);
        else p.reject(deserializeError(m.error));
      }
    });
    slot.worker.on('error', (err) =>
      this.#fail(slot, new HandlerWorkerError(index, `crashed: ${err.message}`, { cause: err })),
    );
    slot.worker.on('exit', (code) => {
      if (!this.#stopping) this.#fail(slot, new HandlerWorkerError(index, `exited with code ${code}`));
    });
  }

  #fail(slot: Slot, err: HandlerWorkerError): void {
    this.#failure ??= err;
    this.#rejectAll(slot, err);
  }

  #rejectAll(slot: Slot, err: Error): void {
    for (const p of slot.pending.values()) p.reject(err);
    slot.pending.clear();
  }
}
