import { TestClock } from '@tally/local-stack';
import { afterEach, describe, expect, it } from 'vitest';
import { HandlerWorkerError } from './errors.js';
import { HandlerPool } from './handler-pool.js';
import type { FunctionLog } from './handlers.js';

const entry = new URL('./fixtures/fake-handler-worker.mjs', import.meta.url);
const pools: HandlerPool[] = [];

async function startPool(
  opts: { threads?: number; env?: Record<string, string>; logs?: FunctionLog[] } = {},
) {
  const clock = new TestClock('2026-03-01T00:00:00Z');
  const pool = await HandlerPool.start({
    threads: opts.threads ?? 1,
    clock: clock.buffer,
    env: opts.env ?? {},
    onLog: (log) => opts.logs?.push(log),
    entry,
  });
  pools.push(pool);
  return { pool, clock };
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.stop()));
});

describe('HandlerPool', () => {
  it('runs an invocation in a worker with the given environment and the clock as the main thread moves it', async () => {
    const { pool, clock } = await startPool({ env: { FAKE_ENV: 'from main' } });
    const first = await pool.invoke('close-periods', { echo: 1 });
    expect(first.result).toMatchObject({
      name: 'close-periods',
      echo: 1,
      now: '2026-03-01T00:00:00.000Z',
      env: 'from main',
    });
    await clock.advance('2d'); // 03-01 + 2 days
    expect((await pool.invoke('close-periods', { echo: 2 })).result).toMatchObject({
      echo: 2,
      now: '2026-03-03T00:00:00.000Z',
    });
  });

  it('rejects an invocation whose handler threw with an error of the same name and message', async () => {
    const { pool } = await startPool();
    const err = await pool
      .invoke('dunning-act', { throw: { name: 'ConflictError', message: 'lost the race' } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ name: 'ConflictError', message: 'lost the race' });
    // The pool is still usable: a thrown handler is an invocation's failure, not the worker's.
    expect(pool.failure).toBeUndefined();
    expect((await pool.invoke('dunning-act', { echo: 'next' })).result).toMatchObject({ echo: 'next' });
  });

  it('hands the logs of the workers to onLog', async () => {
    const logs: FunctionLog[] = [];
    const { pool } = await startPool({ logs });
    await pool.invoke('bill-subscription', { log: 'billing job failed' });
    expect(logs).toEqual([
      expect.objectContaining({ functionName: 'bill-subscription', message: 'billing job failed' }),
    ]);
  });

  it('spreads overlapping invocations over the workers', async () => {
    const { pool } = await startPool({ threads: 2 });
    const answers = await Promise.all(
      [1, 2, 3, 4].map((i) => pool.invoke('ingest', { echo: i, delayMs: 50 })),
    );
    const threads = new Set(answers.map((a) => (a.result as { thread: number }).thread));
    // Least busy first: 1 → A, 2 → B, 3 → A, 4 → B.
    expect(threads.size).toBe(2);
  });

  it('fails when a worker exits: its running invocation and every later one reject, and failure says why', async () => {
    const { pool } = await startPool();
    const hanging = pool.invoke('deliver-invoice', { hang: true }).catch((e: unknown) => e);
    const exited = await pool.invoke('deliver-invoice', { exit: 3 }).catch((e: unknown) => e);
    expect(exited).toBeInstanceOf(HandlerWorkerError);
    expect(String(exited)).toMatch(/handler worker 0 exited with code 3/);
    expect(await hanging).toBe(exited);
    expect(pool.failure).toBe(exited);
    await expect(pool.invoke('ingest', { echo: 1 })).rejects.toThrow(/exited with code 3/);
  });

  it('fails to start with the reason a worker could not build its functions', async () => {
    await expect(startPool({ env: { FAKE_INIT_ERROR: 'TALLY_USAGE_TABLE is not set' } })).rejects.toThrow(
      /handler worker 0 could not build the functions: TALLY_USAGE_TABLE is not set/,
    );
  });

  it('rejects invocations still running when stopped', async () => {
    const { pool } = await startPool();
    const hanging = pool.invoke('ingest', { hang: true });
    await pool.stop();
    await expect(hanging).rejects.toThrow(/stopped while running/);
    await expect(pool.invoke('ingest', {})).rejects.toThrow(/stopped, ingest not invoked/);
  });

  it('refuses a thread count below 1', async () => {
    await expect(startPool({ threads: 0 })).rejects.toThrow(/threads 0 must be a whole number of at least 1/);
  });
});
