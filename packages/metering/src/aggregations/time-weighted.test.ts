import { Decimal } from '@tally/money';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregate, aggregateGrouped } from '../aggregate.js';
import { type MeterInput, MeterSchema } from '../meter.js';
import type { Period } from '../period.js';
import type { UsageRecord } from '../record.js';

const meter = (aggregation: string, extra: Partial<MeterInput> = {}) =>
  MeterSchema.parse({ id: 'disk', eventType: 't', valuePath: 'gb', aggregation, ...extra });
let n = 0;
const r = (time: string, value: string, extra: Partial<UsageRecord> = {}): UsageRecord => ({
  id: `r${++n}`,
  time,
  value,
  ...extra,
});
const iso = (ms: number) => new Date(ms).toISOString();

/** The parts of `whole` cut at `cuts`, each aggregated as a part of it. */
const parts = (
  m: ReturnType<typeof meter>,
  records: readonly UsageRecord[],
  whole: Period,
  cuts: readonly string[],
  opening?: { level: string },
) => {
  const bounds = [whole.start, ...cuts, whole.end];
  return bounds
    .slice(1)
    .map((end, i) => aggregate(m, records, { start: bounds[i]!, end }, opening, whole).toFixed());
};

// February 2026 in UTC: 28 days. A plan change at Feb 15 00:00 cuts it into 14 + 14 days.
const FEB = { start: '2026-02-01T00:00:00Z', end: '2026-03-01T00:00:00Z' };
const FEB_15 = '2026-02-15T00:00:00Z';

describe('time-weighted aggregations over a part of a period', () => {
  it.each(['time-weighted-sum', 'time-weighted-average'])(
    '%s gives each half of February half of a level held all month (10 GB → 5 + 5 GB-months)',
    (aggregation) => {
      // 10 × 14 d ÷ 28 d = 5 for each part; the whole month is 10
      expect(parts(meter(aggregation), [], FEB, [FEB_15], { level: '10' })).toEqual(['5', '5']);
      expect(aggregate(meter(aggregation), [], FEB, { level: '10' }).toFixed()).toBe('10');
    },
  );

  it('prices a level change after the cut in the later part only', () => {
    // 10 GB from the start, 20 GB from Feb 22 00:00 (absolute): before the cut 10 × 14 ÷ 28 = 5;
    // after it (10 × 7 + 20 × 7) ÷ 28 = 210 ÷ 28 = 7.5; the month (10 × 21 + 20 × 7) ÷ 28 = 350 ÷ 28 = 12.5
    const rs = [r('2026-02-22T00:00:00Z', '20')];
    const m = meter('time-weighted-sum');
    expect(parts(m, rs, FEB, [FEB_15], { level: '10' })).toEqual(['5', '7.5']);
    expect(aggregate(m, rs, FEB, { level: '10' }).toFixed()).toBe('12.5');
  });

  it('reads the level set before the part from the records of the earlier part (delta input)', () => {
    // +6 GB on Feb 1, +8 GB on Feb 8 (→ 14): before the cut (6 × 7 + 14 × 7) ÷ 28 = 140 ÷ 28 = 5;
    // after it 14 × 14 ÷ 28 = 7
    const m = meter('time-weighted-sum', { timeWeighted: { input: 'delta', initial: '0' } });
    const rs = [r('2026-02-01T00:00:00Z', '6'), r('2026-02-08T00:00:00Z', '8')];
    expect(parts(m, rs, FEB, [FEB_15])).toEqual(['5', '7']);
  });

  it('splits a DST month in a customer zone by its 743 hours (Europe/Berlin, March 2026)', () => {
    // Local March: Mar 1 00:00 CET = Feb 28 23:00Z to Apr 1 00:00 CEST = Mar 31 22:00Z; clocks go forward on
    // Mar 29, so 31 × 24 − 1 = 743 h. A change at Mar 15 00:00 CET (Mar 14 23:00Z) leaves 14 × 24 = 336 h
    // before it and 743 − 336 = 407 h after. Level 743: 743 × 336 ÷ 743 = 336 and 743 × 407 ÷ 743 = 407.
    const march = { start: '2026-02-28T23:00:00Z', end: '2026-03-31T22:00:00Z' };
    const cut = '2026-03-14T23:00:00Z';
    expect(parts(meter('time-weighted-sum'), [], march, [cut], { level: '743' })).toEqual(['336', '407']);
    // Level 10 rounded to cents: 3360 ÷ 743 = 4.5222… → 4.52; 4070 ÷ 743 = 5.4777… → 5.48; together 10.00
    const cents = meter('time-weighted-sum', { rounding: { places: 2, mode: 'half-up' } });
    expect(parts(cents, [], march, [cut], { level: '10' })).toEqual(['4.52', '5.48']);
  });

  it('gives the last hour of a month its 1/744 share (a change at Jan 31 23:00)', () => {
    // January: 31 × 24 = 744 h; level 744 → 743 before the change and 1 after it
    const jan = { start: '2026-01-01T00:00:00Z', end: '2026-02-01T00:00:00Z' };
    expect(parts(meter('time-weighted-sum'), [], jan, ['2026-01-31T23:00:00Z'], { level: '744' })).toEqual([
      '743',
      '1',
    ]);
  });

  it('keeps a level first known after the cut undiluted in the average (all of it in the later part)', () => {
    // 40 GB from Feb 20, nothing known before: the month's average is 40 over the 9 known days;
    // before the cut nothing (0), after it 40 × 9 d ÷ 9 d = 40. The sum dilutes: 40 × 9 ÷ 28 = 12.857…
    const rs = [r('2026-02-20T00:00:00Z', '40')];
    expect(parts(meter('time-weighted-average'), rs, FEB, [FEB_15])).toEqual(['0', '40']);
    expect(aggregate(meter('time-weighted-average'), rs, FEB).toFixed()).toBe('40');
  });

  it('shares an average first known before the cut by the known time of the whole period', () => {
    // 21 GB from Feb 8: known 21 days (Feb 8 → Mar 1), 7 of them before the cut and 14 after:
    // 21 × 7 ÷ 21 = 7 and 21 × 14 ÷ 21 = 14, together the month's average 21
    const rs = [r('2026-02-08T00:00:00Z', '21')];
    expect(parts(meter('time-weighted-average'), rs, FEB, [FEB_15])).toEqual(['7', '14']);
  });

  it.each(['count', 'sum', 'max', 'latest', 'average', 'unique'])(
    '%s ignores the whole period (its part counts only its own records)',
    (aggregation) => {
      const rs = [r('2026-02-03T00:00:00Z', '4'), r('2026-02-20T00:00:00Z', '6')];
      const part = { start: FEB_15, end: FEB.end };
      expect(aggregate(meter(aggregation), rs, part, undefined, FEB).toFixed()).toBe(
        aggregate(meter(aggregation), rs, part).toFixed(),
      );
    },
  );

  it('is the plain aggregate when the whole period is the period', () => {
    const rs = [r('2026-02-10T00:00:00Z', '3')];
    expect(aggregate(meter('time-weighted-average'), rs, FEB, undefined, FEB).toFixed()).toBe('3');
  });

  it('fails for a part that is not inside the whole period, naming both', () => {
    const part = { start: '2026-02-20T00:00:00Z', end: '2026-03-02T00:00:00Z' };
    expect(() => aggregate(meter('time-weighted-sum'), [], part, undefined, FEB)).toThrow(
      /2026-02-20T00:00:00.000Z\.\.2026-03-02T00:00:00.000Z is not inside the whole period 2026-02-01/,
    );
  });

  it('shares each group of a grouped meter by the whole period', () => {
    // eu 8 GB all month, us 4 GB from Feb 15: before the cut eu 8 × 14 ÷ 28 = 4 (us unknown: 0);
    // after it eu 4 and us 4 × 14 ÷ 28 = 2
    const m = meter('time-weighted-sum', { groupBy: ['region'] });
    const rs = [
      r('2026-01-31T00:00:00Z', '8', { dimensions: { region: 'eu' } }),
      r('2026-02-15T00:00:00Z', '4', { dimensions: { region: 'us' } }),
    ];
    const of = (p: Period) =>
      aggregateGrouped(m, rs, p, FEB).map((g) => [g.dimensions.region, g.value.toFixed()]);
    expect(of({ start: FEB.start, end: FEB_15 })).toEqual([
      ['eu', '4'],
      ['us', '0'],
    ]);
    expect(of({ start: FEB_15, end: FEB.end })).toEqual([
      ['eu', '4'],
      ['us', '2'],
    ]);
  });
});

describe('time-weighted parts add up to the period (properties)', () => {
  const start = Date.parse(FEB.start);
  const span = Date.parse(FEB.end) - start;
  // Each part is one division at 40 significant digits, so the parts may differ from the whole in the last one.
  const close = (a: readonly string[], whole: string) =>
    Decimal.sum(...a.map((x) => new Decimal(x)))
      .minus(whole)
      .abs()
      .lte('1e-30');

  it('splits a constant level at any instant into parts that sum to the unsplit quantity', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: span - 1 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.constantFrom('time-weighted-sum', 'time-weighted-average'),
        (at, level, aggregation) => {
          const m = meter(aggregation);
          const opening = { level: String(level) };
          const got = parts(m, [], FEB, [iso(start + at)], opening);
          expect(close(got, aggregate(m, [], FEB, opening).toFixed())).toBe(true);
          // a constant level held all period is the level itself
          expect(close(got, String(level))).toBe(true);
        },
      ),
    );
  });

  it('cuts any levels at any instants into parts that sum to the unsplit quantity', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -span, max: span - 1 }), fc.integer({ min: -50, max: 500 })), {
          maxLength: 12,
        }),
        fc.uniqueArray(fc.integer({ min: 1, max: span - 1 }), { minLength: 1, maxLength: 3 }),
        fc.constantFrom('time-weighted-sum', 'time-weighted-average'),
        fc.constantFrom('absolute', 'delta'),
        (changes, cuts, aggregation, input) => {
          const m = meter(aggregation, { timeWeighted: { input } });
          const rs = changes.map(([t, v], i) => ({ id: `c${i}`, time: iso(start + t), value: String(v) }));
          const at = [...cuts].sort((a, b) => a - b).map((c) => iso(start + c));
          expect(close(parts(m, rs, FEB, at), aggregate(m, rs, FEB).toFixed())).toBe(true);
        },
      ),
    );
  });
});
