import type { UsageRecord } from '@tally/metering';
import { describe, expect, it } from 'vitest';
import { prorateAllowance } from './proration.js';
import { rate } from './rate.js';
import { meter, planWith, rec } from './test-support.js';

const APRIL = { start: '2026-04-01T00:00:00Z', end: '2026-05-01T00:00:00Z' };
const MAY = { start: '2026-05-01T00:00:00Z', end: '2026-06-01T00:00:00Z' };
const sms = meter({ id: 'sms', aggregation: 'count' });

/** Rates a part of a billing period with a plan of the given charges and terms. */
function ratePart(
  charges: unknown[],
  part: { start: string; end: string },
  nominalPeriod: { start: string; end: string } | undefined,
  usage: Record<string, UsageRecord[]>,
  terms: Record<string, unknown> = {},
) {
  return rate({
    plan: planWith(charges, 'EUR', terms),
    meters: { sms, calls: meter({ id: 'calls' }) },
    period: part,
    timeZone: 'UTC',
    usage,
    ...(nominalPeriod && { nominalPeriod }),
  });
}

const texts = (n: number, from: string) =>
  Array.from({ length: n }, (_, i) => rec(new Date(Date.parse(from) + i * 60_000).toISOString(), '1'));

const bundle = { type: 'per-unit', id: 'sms', meterId: 'sms', unitPrice: '0.01', included: '1000' };

describe('allowances of a period cut by a plan change', () => {
  it('gives each part of the period its share of the allowance, by day (the change day on the new part)', () => {
    // A change at 14:00 on 10 April: the old version has 1–9 April, 9 of 30 days: 1000 × 9/30 = 300 included;
    // 450 messages: 300 included, 150 × 0.01 = 1.50. The new one has 10–30 April, 21/30: 700 included.
    const before = ratePart([bundle], { start: APRIL.start, end: '2026-04-10T14:00:00Z' }, APRIL, {
      sms: texts(450, '2026-04-02T00:00:00Z'),
    });
    expect(before.map((l) => [l.key, l.quantity, l.amount, l.description])).toEqual([
      ['sms:included', '300', '0', 'sms, included 300 of 300 (1000 × 9/30)'],
      ['sms', '150', '1.5', 'sms'],
    ]);
    const after = ratePart([bundle], { start: '2026-04-10T14:00:00Z', end: APRIL.end }, APRIL, {
      sms: texts(500, '2026-04-11T00:00:00Z'),
    });
    expect(after.map((l) => [l.key, l.quantity, l.amount])).toEqual([
      ['sms:included', '500', '0'],
      ['sms', '0', '0'],
    ]);
    expect(after[0]?.description).toBe('sms, included 500 of 700 (1000 × 21/30)');
  });

  it.each([
    // included, numerator, denominator, prorated: rounded half-up to the decimals the plan writes
    ['1000', 10, 31, '323'], // 322.58… → 323
    ['1000', 21, 31, '677'], // 677.41… → 677; with 323, the month's 1000
    ['1000', 15, 30, '500'],
    ['2.50', 10, 31, '0.81'], // 0.8064… → 0.81, in hundredths as written
    ['30', 1, 2, '15'],
    ['5', 1, 10, '1'], // 0.5 → 1: half-up
    ['0', 3, 7, '0'],
  ])('prorates an allowance of %s by %i/%i to %s', (included, numerator, denominator, expected) => {
    expect(prorateAllowance(included, { numerator, denominator }).toFixed()).toBe(expected);
  });

  it('prorates by seconds when the plan prorates by second', () => {
    // May has 31 days = 2,678,400 s; 1 May 00:00 to 11 May 06:00 is 10.25 days = 885,600 s:
    // 1000 × 885,600 / 2,678,400 = 330.64… → 331
    const [allowance] = ratePart(
      [bundle],
      { start: MAY.start, end: '2026-05-11T06:00:00Z' },
      MAY,
      { sms: texts(400, '2026-05-02T00:00:00Z') },
      { proration: 'by-second' },
    );
    expect(allowance).toMatchObject({
      quantity: '331',
      description: 'sms, included 331 of 331 (1000 × 885600/2678400)',
    });
  });

  it('keeps the full allowance without proration, or without the nominal period', () => {
    const part = { start: APRIL.start, end: '2026-04-10T14:00:00Z' };
    const usage = { sms: texts(1200, '2026-04-02T00:00:00Z') };
    const none = ratePart([bundle], part, APRIL, usage, { proration: 'none' });
    const unknown = ratePart([bundle], part, undefined, usage);
    for (const lines of [none, unknown]) {
      // 1000 included, 200 × 0.01 = 2.00
      expect(lines.map((l) => [l.quantity, l.amount])).toEqual([
        ['1000', '0'],
        ['200', '2'],
      ]);
    }
  });

  it('leaves the allowance of a whole period as it is', () => {
    const lines = ratePart([bundle], APRIL, APRIL, { sms: texts(10, '2026-04-02T00:00:00Z') });
    expect(lines[0]?.description).toBe('sms, included 10 of 1000');
  });

  it('prorates included call minutes too', () => {
    const charge = {
      type: 'call',
      id: 'voice',
      meterId: 'calls',
      includedMinutes: '60',
      destinations: [{ prefix: '49', name: 'DE', perMinute: '0.10' }],
    };
    // 1–9 April of 30 days: 60 × 9/30 = 18 included minutes. Two calls of 10 minutes (600 s each):
    // 18 minutes free, 2 minutes × 0.10 = 0.20
    const calls = ['2026-04-02T10:00:00Z', '2026-04-03T10:00:00Z'].map((t) =>
      rec(t, '600', { dimensions: { destination: '4930123' } }),
    );
    const lines = ratePart([charge], { start: APRIL.start, end: '2026-04-10T14:00:00Z' }, APRIL, { calls });
    expect(lines.map((l) => [l.key, l.quantity, l.amount, l.description])).toEqual([
      ['voice:included', '18', '0', 'voice, included 18 of 18 (60 × 9/30) minutes'],
      ['voice:49:all', '2', '0.2', 'voice, DE, 2 calls'],
    ]);
  });

  it('prorates each group’s allowance of a grouped charge', () => {
    const charge = { ...bundle, groupBy: ['region'] };
    const m = meter({ id: 'sms', aggregation: 'count', dimensions: { region: 'region' } });
    const usage = {
      sms: [
        ...texts(400, '2026-04-02T00:00:00Z').map((r) => ({ ...r, dimensions: { region: 'eu' } })),
        ...texts(100, '2026-04-03T00:00:00Z').map((r) => ({ ...r, dimensions: { region: 'us' } })),
      ],
    };
    const lines = rate({
      plan: planWith([charge]),
      meters: { sms: m },
      period: { start: APRIL.start, end: '2026-04-10T14:00:00Z' },
      nominalPeriod: APRIL,
      timeZone: 'UTC',
      usage,
    });
    // 300 included per group (1000 × 9/30): eu 400 → 100 × 0.01 = 1.00; us 100 → all included
    expect(lines.map((l) => [l.key, l.quantity, l.amount])).toEqual([
      ['sms:region=eu:included', '300', '0'],
      ['sms:region=eu', '100', '1'],
      ['sms:region=us:included', '100', '0'],
      ['sms:region=us', '0', '0'],
    ]);
  });
});
