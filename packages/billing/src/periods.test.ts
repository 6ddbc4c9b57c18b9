import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { billingPeriods, nextBillTime, periodByIndex, periodContaining } from './periods.js';
import type { Subscription } from './subscription.js';
import { ms } from './time.js';

type Sub = Pick<Subscription, 'start' | 'end' | 'interval' | 'alignment'>;

function sub(over: Partial<Sub> & Pick<Sub, 'start'>): Sub {
  return { interval: 'month', alignment: 'calendar', ...over };
}

function hours(p: { start: string; end: string }): number {
  return (ms(p.end) - ms(p.start)) / 3_600_000;
}

function starts(s: Sub, zone: string, from: string, to: string): string[] {
  return billingPeriods(s, { timeZone: zone }, { from, to }).map((p) => p.start);
}

describe('calendar periods in the customer zone', () => {
  it('starts each month at local midnight in Berlin, moving with DST', () => {
    const s = sub({ start: '2025-12-31T23:00:00Z' });
    const ps = billingPeriods(
      s,
      { timeZone: 'Europe/Berlin' },
      { from: s.start, to: '2026-12-31T23:00:00Z' },
    );
    expect(ps).toHaveLength(12);
    // Jan 1 00:00 CET = Dec 31 23:00Z; Apr 1 00:00 CEST = Mar 31 22:00Z; Nov 1 00:00 CET = Oct 31 23:00Z
    expect(ps[0]).toMatchObject({ index: 0, start: '2025-12-31T23:00:00Z', end: '2026-01-31T23:00:00Z' });
    expect(ps[2]).toMatchObject({ start: '2026-02-28T23:00:00Z', end: '2026-03-31T22:00:00Z' });
    expect(ps[9]).toMatchObject({ start: '2026-09-30T22:00:00Z', end: '2026-10-31T23:00:00Z' });
    // March 2026 loses an hour on the 29th: 31 × 24 − 1; October gains one on the 25th: 31 × 24 + 1
    expect(hours(ps[2]!)).toBe(743);
    expect(hours(ps[9]!)).toBe(745);
  });

  it('gives a DST week 167 hours and the fall-back week 169 hours (New York, weekly from Monday)', () => {
    const s = sub({ start: '2026-03-02T05:00:00Z', interval: 'week' }); // Mon Mar 2 00:00 EST
    const [a, b] = billingPeriods(
      s,
      { timeZone: 'America/New_York' },
      { from: s.start, to: '2026-03-10T00:00:00Z' },
    );
    // Mon Mar 9 00:00 EDT = 04:00Z: clocks sprang forward on Sun Mar 8
    expect(a).toMatchObject({ start: '2026-03-02T05:00:00Z', end: '2026-03-09T04:00:00Z' });
    expect(hours(a!)).toBe(167);
    expect(hours(b!)).toBe(168);
    const fall = periodContaining(s, { timeZone: 'America/New_York' }, '2026-11-01T12:00:00Z')!;
    // Mon Oct 26 00:00 EDT = 04:00Z .. Mon Nov 2 00:00 EST = 05:00Z
    expect(fall).toMatchObject({ start: '2026-10-26T04:00:00Z', end: '2026-11-02T05:00:00Z' });
    expect(hours(fall)).toBe(169);
  });

  it('makes a short first period for a start inside a month, with the full month as nominal', () => {
    const s = sub({ start: '2026-01-15T10:30:00Z' });
    expect(periodByIndex(s, { timeZone: 'UTC' }, 0)).toEqual({
      index: 0,
      start: '2026-01-15T10:30:00Z',
      end: '2026-02-01T00:00:00Z',
      nominal: { start: '2026-01-01T00:00:00Z', end: '2026-02-01T00:00:00Z' },
    });
    expect(periodByIndex(s, { timeZone: 'UTC' }, 1)?.start).toBe('2026-02-01T00:00:00Z');
  });

  it('cuts the last period at the end and has none after it', () => {
    const s = sub({ start: '2026-01-01T00:00:00Z', end: '2026-03-10T00:00:00Z' });
    const ps = billingPeriods(
      s,
      { timeZone: 'UTC' },
      { from: '2025-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' },
    );
    expect(ps.map((p) => [p.start, p.end])).toEqual([
      ['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'],
      ['2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z'],
      ['2026-03-01T00:00:00Z', '2026-03-10T00:00:00Z'],
    ]);
    expect(ps[2]!.nominal).toEqual({ start: '2026-03-01T00:00:00Z', end: '2026-04-01T00:00:00Z' });
  });

  it.each([
    [
      'quarter',
      '2026-05-20T00:00:00Z',
      ['2026-05-20T00:00:00Z', '2026-07-01T00:00:00Z', '2026-10-01T00:00:00Z'],
    ],
    [
      'year',
      '2024-06-01T00:00:00Z',
      ['2024-06-01T00:00:00Z', '2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z'],
    ],
    [
      'week',
      '2026-01-01T00:00:00Z',
      ['2026-01-01T00:00:00Z', '2026-01-05T00:00:00Z', '2026-01-12T00:00:00Z'],
    ],
  ] as const)('aligns %s periods to the calendar (start %s)', (interval, start, expected) => {
    // 2026-01-01 is a Thursday; ISO weeks start on Monday Jan 5
    const s = sub({ start, interval });
    const all = starts(s, 'UTC', start, '2030-01-01T00:00:00Z');
    expect(all.slice(0, 3)).toEqual(expected);
  });
});

describe('anniversary periods', () => {
  it('bills a Jan 31 anniversary on the last day of shorter months and returns to the 31st (leap year)', () => {
    const s = sub({ start: '2024-01-31T09:00:00Z', alignment: 'anniversary' });
    expect(starts(s, 'UTC', s.start, '2024-06-01T00:00:00Z')).toEqual([
      '2024-01-31T09:00:00Z',
      '2024-02-29T09:00:00Z',
      '2024-03-31T09:00:00Z',
      '2024-04-30T09:00:00Z',
      '2024-05-31T09:00:00Z',
    ]);
  });

  it('bills on Feb 28 in a common year', () => {
    const s = sub({ start: '2025-01-31T00:00:00Z', alignment: 'anniversary' });
    expect(starts(s, 'UTC', s.start, '2025-04-01T00:00:00Z')).toEqual([
      '2025-01-31T00:00:00Z',
      '2025-02-28T00:00:00Z',
      '2025-03-31T00:00:00Z',
    ]);
  });

  it('renews a Feb 29 yearly anniversary on Feb 28 and again on Feb 29 in the next leap year', () => {
    const s = sub({ start: '2024-02-29T00:00:00Z', alignment: 'anniversary', interval: 'year' });
    expect(starts(s, 'UTC', s.start, '2028-03-01T00:00:00Z')).toEqual([
      '2024-02-29T00:00:00Z',
      '2025-02-28T00:00:00Z',
      '2026-02-28T00:00:00Z',
      '2027-02-28T00:00:00Z',
      '2028-02-29T00:00:00Z',
    ]);
  });

  it('keeps the local wall-clock time across DST (Berlin, 10:00 local)', () => {
    // Mar 15 10:00 CET = 09:00Z; Apr 15 10:00 CEST = 08:00Z
    const s = sub({ start: '2026-03-15T09:00:00Z', alignment: 'anniversary' });
    const [a, b] = billingPeriods(
      s,
      { timeZone: 'Europe/Berlin' },
      { from: s.start, to: '2026-05-01T00:00:00Z' },
    );
    expect(a).toMatchObject({ start: '2026-03-15T09:00:00Z', end: '2026-04-15T08:00:00Z' });
    expect(b!.nominal).toEqual({ start: '2026-04-15T08:00:00Z', end: '2026-05-15T08:00:00Z' });
    expect(hours(a!)).toBe(31 * 24 - 1);
  });

  it('counts quarters of three months from the anniversary (Nov 30 → Feb 28 → May 30)', () => {
    const s = sub({ start: '2025-11-30T00:00:00Z', alignment: 'anniversary', interval: 'quarter' });
    expect(starts(s, 'UTC', s.start, '2026-06-01T00:00:00Z')).toEqual([
      '2025-11-30T00:00:00Z',
      '2026-02-28T00:00:00Z',
      '2026-05-30T00:00:00Z',
    ]);
  });
});

describe('periodContaining and nextBillTime', () => {
  const s = sub({ start: '2026-01-10T00:00:00Z', end: '2026-04-20T00:00:00Z' });
  const utc = { timeZone: 'UTC' };

  it.each([
    ['2026-01-09T23:59:59Z', null],
    ['2026-01-10T00:00:00Z', '2026-01-10T00:00:00Z'],
    ['2026-01-31T23:59:59.999Z', '2026-01-10T00:00:00Z'],
    ['2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z'],
    ['2026-04-19T23:59:59Z', '2026-04-01T00:00:00Z'],
    ['2026-04-20T00:00:00Z', null],
  ])('puts %s in the period starting %s (boundaries belong to the later period)', (t, start) => {
    expect(periodContaining(s, utc, t)?.start ?? null).toBe(start);
  });

  it.each([
    ['2025-12-01T00:00:00Z', '2026-02-01T00:00:00Z'],
    ['2026-01-20T00:00:00Z', '2026-02-01T00:00:00Z'],
    ['2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z'],
    ['2026-04-01T00:00:00Z', '2026-04-20T00:00:00Z'],
    ['2026-04-20T00:00:00Z', null],
  ])('after %s the next bill time is %s', (after, expected) => {
    expect(nextBillTime(s, utc, after)).toBe(expected);
  });
});

const ZONES = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'Australia/Lord_Howe',
  'Asia/Kolkata',
  'Pacific/Chatham',
];

describe('tiling (property)', () => {
  it('consecutive periods tile time from start to end with no gap and no overlap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
        fc.option(fc.integer({ min: 1, max: 3 * 366 * 86_400_000 }), { nil: undefined }),
        fc.constantFrom('week', 'month', 'quarter', 'year' as const),
        fc.constantFrom('calendar', 'anniversary' as const),
        fc.constantFrom(...ZONES),
        fc.integer({ min: 0, max: 2 * 366 * 86_400_000 }),
        (startMs, length, interval, alignment, zone, probeOffset) => {
          const start = DateTime.fromMillis(startMs, { zone: 'utc' }).toISO() as string;
          const end =
            length === undefined
              ? undefined
              : (DateTime.fromMillis(startMs + length, { zone: 'utc' }).toISO() as string);
          const s: Sub = { start, end, interval, alignment };
          const to =
            end ?? (DateTime.fromMillis(startMs + 2 * 366 * 86_400_000, { zone: 'utc' }).toISO() as string);
          const ps = billingPeriods(s, { timeZone: zone }, { from: start, to });
          expect(ps.length).toBeGreaterThan(0);
          expect(ms(ps[0]!.start)).toBe(startMs);
          if (end !== undefined) expect(ms(ps.at(-1)!.end)).toBe(ms(end));
          ps.forEach((p, i) => {
            expect(p.index).toBe(i);
            expect(ms(p.start)).toBeLessThan(ms(p.end));
            expect(ms(p.nominal.start)).toBeLessThanOrEqual(ms(p.start));
            expect(ms(p.end)).toBeLessThanOrEqual(ms(p.nominal.end));
            if (i > 0) expect(p.start).toBe(ps[i - 1]!.end);
            if (i > 0 && i < ps.length - 1) expect(p.nominal).toEqual({ start: p.start, end: p.end });
          });
          const probe = DateTime.fromMillis(startMs + probeOffset, { zone: 'utc' }).toISO() as string;
          const found = periodContaining(s, { timeZone: zone }, probe);
          const listed = ps.find((p) => ms(p.start) <= ms(probe) && ms(probe) < ms(p.end));
          expect(found).toEqual(listed ?? null);
        },
      ),
      { numRuns: 300 },
    );
  });
});
