import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followStoredClock } from '../packages/demo/src/run.js';
import { billingHarness, customer, type Harness } from './billing-run-harness.js';
import { runTally } from './support/cli.js';

// `npm start` keeps the stack up and follows the stored clock (followStoredClock), so `tally clock advance`
// in another process closes and bills periods in the running stack. A full local pipeline takes 20-30 s to
// start on this machine; the billing harness (close-periods on the test clock's schedule, bill-subscription on
// its queue) is the part of it the clock drives, and starts in under a second.

async function tally(env: Readonly<Record<string, string>>, ...argv: string[]): Promise<string> {
  const run = await runTally(env, ...argv);
  expect(run.code).toBe(0);
  return run.out.trim();
}

describe('a running stack follows `tally clock advance`', () => {
  let h: Harness;
  let unfollow: () => void = () => undefined;
  const JANUARY = 'inv_sub-follower_20260101T000000Z';

  beforeAll(async () => {
    // January ends in four hours; the first period is due at Feb 1 00:00Z, its draft grace ends at 06:00Z.
    h = await billingHarness({ clockStart: '2026-01-31T20:00:00Z' });
    await h.subscribe(customer('follower', 'UTC'), 'sub-follower');
    unfollow = await followStoredClock(
      { clock: h.clock, env: h.env, advanceTo: (to) => h.advanceTo(to) },
      { intervalMs: 50 },
    );
  });
  afterAll(async () => {
    unfollow();
    await h.stop();
  });

  it('stores the stack’s time for the CLI to start from', async () => {
    expect(await tally(h.env, 'clock', 'show')).toBe('2026-01-31T20:00:00.000Z');
  });

  it('does nothing until the clock is moved', async () => {
    await new Promise((r) => setTimeout(r, 300));
    expect(h.clock.now().toISOString()).toBe('2026-01-31T20:00:00.000Z');
    expect(await h.invoices.get(JANUARY)).toBeNull();
  });

  it('closes and bills January after `clock advance 1d`, with nothing else driving the stack', async () => {
    // Jan 31 20:00 + 1 day = Feb 1 20:00: the period end and the 6 h grace have both passed
    expect(await tally(h.env, 'clock', 'advance', '1d')).toBe('2026-02-01T20:00:00.000Z');
    await expect
      .poll(async () => (await h.invoices.get(JANUARY))?.invoice.status, { timeout: 10_000, interval: 50 })
      .toBe('finalized');
    // No usage: the 10.00 base fee alone
    expect((await h.invoices.get(JANUARY))?.invoice.totals.total).toBe('10.00');
    expect(h.clock.now().toISOString()).toBe('2026-02-01T20:00:00.000Z');
  });
});
