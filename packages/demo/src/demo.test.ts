import { UsageEventSchema } from '@tally/metering';
import { describe, expect, it } from 'vitest';
import { loadOffers } from './catalog.js';
import { generateCustomers } from './customers.js';
import { injectFaults } from './faults.js';
import { Random } from './random.js';
import { generateUsage } from './usage.js';

const offers = loadOffers();

describe('demo data', () => {
  it('is the same for the same seed and different for another', () => {
    const run = (seed: number) => {
      const random = new Random(seed);
      const customers = generateCustomers(offers, { count: 6, month: '2026-01', random });
      return customers.flatMap((c) => generateUsage(c, { month: '2026-01', random }));
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it('spreads customers over the three businesses with their plans and currencies', () => {
    const customers = generateCustomers(offers, { count: 9, month: '2026-01', random: new Random(1) });
    expect(customers.map((c) => c.business)).toEqual([
      'telecom',
      'utility',
      'iot',
      'telecom',
      'utility',
      'iot',
      'telecom',
      'utility',
      'iot',
    ]);
    for (const c of customers) {
      expect(c.customer.currency).toBe(offers[c.business].plan.currency);
      expect(c.subscription.phases[0]!.planId).toBe(offers[c.business].plan.id);
    }
  });

  it('generates only valid events inside the subscription month, in the customer zone', () => {
    const random = new Random(3);
    for (const c of generateCustomers(offers, { count: 6, month: '2026-01', random })) {
      const events = generateUsage(c, { month: '2026-01', random });
      expect(events.length).toBeGreaterThan(0);
      for (const e of events) {
        expect(UsageEventSchema.safeParse(e).success, JSON.stringify(e)).toBe(true);
        expect(Date.parse(e.time)).toBeGreaterThanOrEqual(Date.parse(c.subscription.start));
      }
    }
  });

  it('reads a utility meter every local hour through a DST change, and the register at each local midnight', () => {
    const random = new Random(5);
    const c = generateCustomers(offers, { count: 2, month: '2026-03', random })[1]!;
    expect(c.business).toBe('utility');
    // A Berlin customer from the start of March (local midnight = 2026-02-28T23:00Z); clocks go forward at
    // 02:00 local on 29 March, so the month has 31 × 24 − 1 = 743 local hours.
    const berlin: typeof c = {
      ...c,
      customer: { ...c.customer, timeZone: 'Europe/Berlin' },
      subscription: { ...c.subscription, start: '2026-02-28T23:00:00Z' },
    };
    const events = generateUsage(berlin, { month: '2026-03', random });
    const of = (type: string) => events.filter((e) => e.type === type).map((e) => Date.parse(e.time));
    const intervals = of('tally.energy.interval');
    expect(intervals.length).toBe(743);
    expect(intervals.every((t, i) => i === 0 || t - intervals[i - 1]! === 3_600_000)).toBe(true);
    expect(new Date(intervals[0]!).toISOString()).toBe('2026-02-28T23:00:00.000Z');
    // Even local hours: 12 a day for 31 days, less 02:00 on 29 March, which does not exist.
    expect(of('tally.power.sample').length).toBe(12 * 31 - 1);
    // Local midnight: 23:00Z before 29 March (UTC+1), 22:00Z from 30 March (UTC+2).
    const reads = of('tally.meter.read').map((t) => new Date(t).toISOString().slice(5, 16));
    expect(reads.length).toBe(31);
    expect(reads.slice(27, 30)).toEqual(['03-27T23:00', '03-28T23:00', '03-29T22:00']);
  });

  it('accounts for every injected fault in the expected ledger', () => {
    const random = new Random(11);
    const customers = generateCustomers(offers, { count: 3, month: '2026-01', random });
    const clean = customers.flatMap((c) => generateUsage(c, { month: '2026-01', random }));
    const traffic = injectFaults(clean, {
      random,
      rates: { duplicate: 0.1, conflict: 0.05, reorder: 0.2, malformed: 0.01, late: 0.02 },
    });
    const sent = [...traffic.onTime, ...traffic.late];
    let events = 0;
    let bad = 0;
    for (const body of sent) {
      try {
        const parsed = JSON.parse(body);
        events += Array.isArray(parsed) ? parsed.length : 1;
      } catch {
        bad++;
      }
    }
    const e = traffic.expected;
    // Every input unit ends in exactly one place.
    expect(e.stored + e.duplicates + e.quarantined.conflict + e.quarantined.malformed).toBe(e.inputs);
    expect(events + bad).toBe(e.inputs);
    // Each clean event is stored exactly once, on time or late.
    expect(e.stored).toBe(clean.length);
    expect(e.duplicates).toBeGreaterThan(0);
    expect(e.quarantined.conflict).toBeGreaterThan(0);
    expect(traffic.late.length).toBeGreaterThan(0);
  });
});
