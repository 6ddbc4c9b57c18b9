import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { parseDuration, SharedClock, TestClock } from './clock.js';
import { LocalScheduler, rateMs } from './scheduler.js';

describe('parseDuration', () => {
  it.each([
    ['31d', 31 * 86_400_000],
    ['1d12h', 36 * 3_600_000],
    ['90m', 5_400_000],
    ['1500ms', 1500],
    ['2w', 14 * 86_400_000],
  ])('reads %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '10', 'd', '5 days', '3d!'])('rejects %j with the accepted form', (text) => {
    expect(() => parseDuration(text)).toThrow(/use a number and a unit/);
  });
});

describe('TestClock', () => {
  it('moves only when advanced and never backwards', async () => {
    const clock = new TestClock('2026-03-01T00:00:00Z');
    expect(clock.now().toISOString()).toBe('2026-03-01T00:00:00.000Z');
    await clock.advance('1d');
    expect(clock.now().toISOString()).toBe('2026-03-02T00:00:00.000Z');
    await expect(clock.set('2026-01-01T00:00:00Z')).rejects.toThrow(/cannot go back/);
  });
});

describe('SharedClock', () => {
  it('reads the time of the TestClock whose buffer it is given, after every move', async () => {
    const clock = new TestClock('2026-03-01T00:00:00Z');
    const shared = new SharedClock(clock.buffer);
    expect(shared.now().toISOString()).toBe('2026-03-01T00:00:00.000Z');
    await clock.advance('1d12h'); // 03-01 00:00 + 36 h = 03-02 12:00
    expect(shared.now().toISOString()).toBe('2026-03-02T12:00:00.000Z');
    await clock.set('2026-03-02T12:00:00.001Z'); // a millisecond is kept
    expect(shared.now().getTime()).toBe(Date.parse('2026-03-02T12:00:00Z') + 1);
  });

  it('has moved before the listeners of the move run (a schedule fired by it sees the new time)', async () => {
    const clock = new TestClock('2026-03-01T00:00:00Z');
    const shared = new SharedClock(clock.buffer);
    const seen: string[] = [];
    clock.onAdvance(() => void seen.push(shared.now().toISOString()));
    await clock.advance('6h');
    expect(seen).toEqual(['2026-03-01T06:00:00.000Z']);
  });

  it('does not move when a move is refused', async () => {
    const clock = new TestClock('2026-03-01T00:00:00Z');
    await expect(clock.set('2026-02-01T00:00:00Z')).rejects.toThrow(/cannot go back/);
    expect(new SharedClock(clock.buffer).now().toISOString()).toBe('2026-03-01T00:00:00.000Z');
  });

  it('is read across threads: a worker sees each time the owning thread sets', async () => {
    const clock = new TestClock('2026-03-01T00:00:00Z');
    // The worker answers each message with the time it reads from the buffer alone.
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       const view = new BigInt64Array(workerData);
       parentPort.on('message', () => parentPort.postMessage(new Date(Number(Atomics.load(view, 0))).toISOString()));`,
      { eval: true, workerData: clock.buffer },
    );
    const ask = () =>
      new Promise<string>((resolve) => {
        worker.once('message', resolve);
        worker.postMessage('now?');
      });
    try {
      expect(await ask()).toBe('2026-03-01T00:00:00.000Z');
      await clock.advance('31d'); // 03-01 + 31 days = 04-01
      expect(await ask()).toBe('2026-04-01T00:00:00.000Z');
    } finally {
      await worker.terminate();
    }
  });

  it('refuses a buffer too small to hold a time', () => {
    expect(() => new SharedClock(new SharedArrayBuffer(4))).toThrow(/holds 4 bytes, a clock needs 8/);
  });
});

describe('LocalScheduler', () => {
  it('fires an hourly rate once per hour passed, on the hour, in order', async () => {
    const clock = new TestClock('2026-03-01T00:30:00Z');
    const scheduler = new LocalScheduler(clock);
    const fired: string[] = [];
    scheduler.add({
      name: 'close',
      expression: 'rate(1 hour)',
      fire: (t) => void fired.push(t.toISOString()),
    });
    await clock.advance('3h');
    expect(fired).toEqual([
      '2026-03-01T01:00:00.000Z',
      '2026-03-01T02:00:00.000Z',
      '2026-03-01T03:00:00.000Z',
    ]);
    await clock.advance('10m');
    expect(fired).toHaveLength(3);
  });

  it('fires only the latest occurrence a clock move passes when the schedule asks for it', async () => {
    const clock = new TestClock('2026-03-01T00:30:00Z');
    const scheduler = new LocalScheduler(clock);
    const fired: string[] = [];
    scheduler.add({
      name: 'close',
      expression: 'rate(1 hour)',
      catchUp: 'latest',
      fire: (t) => void fired.push(t.toISOString()),
    });
    await clock.advance('1d'); // 00:30 → next day 00:30 passes 24 occurrences; 00:00 is the latest
    expect(fired).toEqual(['2026-03-02T00:00:00.000Z']);
    await clock.advance('20m'); // passes none
    expect(fired).toHaveLength(1);
    await clock.advance('10m'); // 01:00
    expect(fired).toEqual(['2026-03-02T00:00:00.000Z', '2026-03-02T01:00:00.000Z']);
  });

  it('interleaves schedules by time', async () => {
    const clock = new TestClock('2026-03-01T00:00:00Z');
    const scheduler = new LocalScheduler(clock);
    const fired: string[] = [];
    scheduler.add({ name: 'a', expression: 'rate(30 minutes)', fire: () => void fired.push('a') });
    scheduler.add({ name: 'b', expression: 'rate(1 hour)', fire: () => void fired.push('b') });
    await clock.advance('1h');
    expect(fired).toEqual(['a', 'a', 'b']);
  });

  it('rejects expressions it cannot run locally', () => {
    expect(rateMs('rate(5 minutes)')).toBe(300_000);
    expect(() => rateMs('cron(0 * * * ? *)')).toThrow(/not supported locally/);
    expect(() => rateMs('rate(0 hours)')).toThrow(/not supported locally/);
  });
});
