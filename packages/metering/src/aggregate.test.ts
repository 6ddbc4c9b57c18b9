import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregate, aggregateGrouped, groupRecords } from './aggregate.js';
import { InvalidUsageError } from './errors.js';
import { type MeterInput, MeterSchema } from './meter.js';
import type { UsageRecord } from './record.js';

const JANUARY = { start: '2026-01-01T00:00:00Z', end: '2026-02-01T00:00:00Z' };
const DAY = { start: '2026-01-01T00:00:00Z', end: '2026-01-02T00:00:00Z' };
let n = 0;
const r = (time: string, value: string, extra: Partial<UsageRecord> = {}): UsageRecord => ({
  id: `r${++n}`,
  time,
  value,
  ...extra,
});
const meter = (aggregation: string, extra: Partial<MeterInput> = {}) =>
  MeterSchema.parse({ id: 'm', eventType: 't', valuePath: 'v', aggregation, ...extra });

const sample = [
  r('2025-12-31T23:59:59Z', '1000'), // before the period: ignored by the simple aggregations
  r('2026-01-01T00:00:00Z', '5'), // on the start bound: inside
  r('2026-01-10T00:00:00Z', '2.5'),
  r('2026-01-20T00:00:00Z', '-1'), // a negative adjustment
  r('2026-01-31T23:59:59.999Z', '7'),
  r('2026-02-01T00:00:00Z', '1000'), // on the end bound: outside
];

describe('simple aggregations', () => {
  it.each([
    ['count', '4'],
    ['sum', '13.5'], // 5 + 2.5 − 1 + 7
    ['min', '-1'],
    ['max', '7'],
    ['average', '3.375'], // 13.5 ÷ 4
    ['latest', '7'],
  ])('%s over January gives %s', (aggregation, expected) => {
    expect(aggregate(meter(aggregation), sample, JANUARY).toFixed()).toBe(expected);
  });

  it.each(['count', 'sum', 'min', 'max', 'average', 'latest', 'unique', 'time-weighted-average'])(
    '%s of no records is 0',
    (aggregation) => {
      expect(aggregate(meter(aggregation), [], JANUARY).toFixed()).toBe('0');
    },
  );

  it('counts unique keys', () => {
    const keys = ['dev-1', 'dev-2', 'dev-1', 'dev-3', 'dev-2'].map((k, i) =>
      r(`2026-01-0${i + 1}T00:00:00Z`, k),
    );
    expect(aggregate(meter('unique'), keys, JANUARY).toFixed()).toBe('3');
  });

  it('breaks a tie on time for latest by record id, whatever the order', () => {
    const a = { id: 'a', time: '2026-01-05T00:00:00Z', value: '1' };
    const b = { id: 'b', time: '2026-01-05T00:00:00Z', value: '2' };
    expect(aggregate(meter('latest'), [a, b], JANUARY).toFixed()).toBe('2');
    expect(aggregate(meter('latest'), [b, a], JANUARY).toFixed()).toBe('2');
  });

  it.each([
    // mode, places, value, expected
    ['up', 0, '2.01', '3'],
    ['down', 2, '2.019', '2.01'],
    ['half-up', 1, '2.05', '2.1'],
    ['half-up', 1, '2.04', '2'],
  ])('rounds the aggregate %s to %i places: %s → %s', (mode, places, value, expected) => {
    const m = meter('sum', { rounding: { places, mode: mode as 'up' } });
    expect(aggregate(m, [r('2026-01-02T00:00:00Z', value)], JANUARY).toFixed()).toBe(expected);
  });

  it('sums exactly for huge and tiny values', () => {
    const vs = [
      r('2026-01-02T00:00:00Z', '999999999999999999.999999'),
      r('2026-01-03T00:00:00Z', '0.000001'),
    ];
    expect(aggregate(meter('sum'), vs, JANUARY).toFixed()).toBe('1000000000000000000');
  });

  it('gives the same sum for any order of the records (property)', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(sample, { minLength: sample.length }), (shuffled) => {
        for (const a of ['sum', 'count', 'latest', 'average', 'max']) {
          expect(aggregate(meter(a), shuffled, JANUARY).toFixed()).toBe(
            aggregate(meter(a), sample, JANUARY).toFixed(),
          );
        }
      }),
      { numRuns: 50 },
    );
  });
});

describe('aggregateGrouped', () => {
  it('splits the aggregate by the group-by dimensions, sorted', () => {
    const m = meter('sum', { groupBy: ['region'] });
    const rs = [
      r('2026-01-02T00:00:00Z', '1', { dimensions: { region: 'eu' } }),
      r('2026-01-02T00:00:00Z', '2', { dimensions: { region: 'us' } }),
      r('2026-01-03T00:00:00Z', '4', { dimensions: { region: 'eu' } }),
    ];
    expect(aggregateGrouped(m, rs, JANUARY).map((g) => [g.dimensions, g.value.toFixed()])).toEqual([
      [{ region: 'eu' }, '5'],
      [{ region: 'us' }, '2'],
    ]);
  });
});

describe('groupRecords', () => {
  it('groups by several dimensions in order of their values, keeping record order, "" for a missing one', () => {
    const a = r('2026-01-02T00:00:00Z', '1', { dimensions: { region: 'us', tier: 'gold' } });
    const b = r('2026-01-03T00:00:00Z', '2', { dimensions: { region: 'eu' } });
    const c = r('2026-01-04T00:00:00Z', '3', { dimensions: { region: 'us', tier: 'gold' } });
    const d = r('2026-01-05T00:00:00Z', '4', { dimensions: { region: 'eu', tier: 'basic' } });
    expect(groupRecords([a, b, c, d], ['region', 'tier'])).toEqual([
      { dimensions: { region: 'eu', tier: '' }, records: [b] },
      { dimensions: { region: 'eu', tier: 'basic' }, records: [d] },
      { dimensions: { region: 'us', tier: 'gold' }, records: [a, c] },
    ]);
  });
});

describe('time-weighted', () => {
  // A day is 86,400 s. Level 10 from 00:00, 30 from 06:00, 0 from 18:00:
  // area = 10 × 6 h + 30 × 12 h + 0 × 6 h = 60 + 360 = 420 level-hours; ÷ 24 h = 17.5
  const levels = [
    r('2026-01-01T00:00:00Z', '10'),
    r('2026-01-01T06:00:00Z', '30'),
    r('2026-01-01T18:00:00Z', '0'),
  ];

  it.each([
    ['time-weighted-sum', '17.5'],
    ['time-weighted-average', '17.5'],
  ])('%s of absolute levels over a day is %s', (aggregation, expected) => {
    expect(aggregate(meter(aggregation), levels, DAY).toFixed()).toBe(expected);
  });

  it('reads changes of level with delta input', () => {
    // +10 at 00:00, +20 at 06:00 (→ 30), −30 at 18:00 (→ 0): the same levels as above
    const deltas = [
      r('2026-01-01T00:00:00Z', '10'),
      r('2026-01-01T06:00:00Z', '20'),
      r('2026-01-01T18:00:00Z', '-30'),
    ];
    const m = meter('time-weighted-sum', { timeWeighted: { input: 'delta' } });
    expect(aggregate(m, deltas, DAY).toFixed()).toBe('17.5');
  });

  it('carries the level from before the period', () => {
    // level 8 set yesterday, 16 from 12:00: 8 × 12 h + 16 × 12 h = 288 ÷ 24 = 12
    const rs = [r('2025-12-31T09:00:00Z', '8'), r('2026-01-01T12:00:00Z', '16')];
    expect(aggregate(meter('time-weighted-sum'), rs, DAY).toFixed()).toBe('12');
  });

  it('dilutes a level that starts mid-period in the sum, not in the average', () => {
    // 40 GB from 18:00: sum = 40 × 6 h ÷ 24 h = 10; average over the 6 known hours = 40
    const rs = [r('2026-01-01T18:00:00Z', '40')];
    expect(aggregate(meter('time-weighted-sum'), rs, DAY).toFixed()).toBe('10');
    expect(aggregate(meter('time-weighted-average'), rs, DAY).toFixed()).toBe('40');
  });

  it('ignores events after the period', () => {
    const rs = [r('2026-01-01T00:00:00Z', '3'), r('2026-01-02T00:00:00Z', '1000')];
    expect(aggregate(meter('time-weighted-average'), rs, DAY).toFixed()).toBe('3');
  });

  describe('with an opening level', () => {
    it.each([
      // 8 in force from 00:00, 16 from 12:00: (8 × 12 h + 16 × 12 h) ÷ 24 h = 288 ÷ 24 = 12 for both
      ['time-weighted-sum', 'absolute', '12'],
      ['time-weighted-average', 'absolute', '12'],
      // delta input: 8, then 8 + 16 = 24 from 12:00: (8 × 12 + 24 × 12) ÷ 24 = 384 ÷ 24 = 16
      ['time-weighted-sum', 'delta', '16'],
    ] as const)('%s (%s input) holds the opening level from the period start: %s', (agg, input, expected) => {
      const m = meter(agg, { timeWeighted: { input } });
      const rs = [r('2026-01-01T12:00:00Z', '16')];
      expect(aggregate(m, rs, DAY, { level: '8' }).toFixed()).toBe(expected);
    });

    it('counts the whole period as known for the average, unlike a first level mid-period', () => {
      // opening 0 from 00:00, 40 from 18:00: 40 × 6 h ÷ 24 h = 10 (without the opening level: 40)
      const rs = [r('2026-01-01T18:00:00Z', '40')];
      expect(aggregate(meter('time-weighted-average'), rs, DAY, { level: '0' }).toFixed()).toBe('10');
    });

    it('overrides the meter initial level', () => {
      // initial 100 is replaced by the opening 4: 4 × 24 h ÷ 24 h = 4
      const m = meter('time-weighted-sum', { timeWeighted: { input: 'absolute', initial: '100' } });
      expect(aggregate(m, [], DAY, { level: '4' }).toFixed()).toBe('4');
    });

    it('gives way to a level set by a record before the period', () => {
      // opening 8, then 2 set at 23:00 the day before: 2 × 24 h ÷ 24 h = 2
      const rs = [r('2025-12-31T23:00:00Z', '2')];
      expect(aggregate(meter('time-weighted-sum'), rs, DAY, { level: '8' }).toFixed()).toBe('2');
    });
  });
});

describe('register-delta', () => {
  const reg = (register: Record<string, unknown> = {}, extra: Partial<MeterInput> = {}) =>
    meter('register-delta', { register: { max: '100000', ...register }, ...extra });

  it.each([
    // reads (time offset in days from Jan 1, value), expected consumption
    [
      'opening read before the period',
      [
        [-3, '1000'],
        [10, '1200'],
        [31, '1500'],
      ],
      '200',
    ], // 1200 − 1000; the Feb 1 read is outside
    [
      'first read inside the period opens it',
      [
        [2, '1000'],
        [20, '1100'],
      ],
      '100',
    ],
    ['a single read has no consumption', [[5, '1000']], '0'],
    [
      'rollover at the register maximum',
      [
        [-1, '99950'],
        [15, '30'],
      ],
      '80',
    ], // 100000 − 99950 + 30
    [
      'reads after the period are ignored',
      [
        [-1, '10'],
        [45, '90'],
      ],
      '0',
    ],
  ] as const)('%s', (_title, reads, expected) => {
    const rs = reads.map(([d, v]) => r(new Date(Date.UTC(2026, 0, 1 + d)).toISOString(), v));
    expect(aggregate(reg(), rs, JANUARY).toFixed()).toBe(expected);
  });

  describe('with an opening read', () => {
    const open = r('2026-01-31T23:00:00Z', '1000');
    const feb = { start: '2026-02-01T00:00:00Z', end: '2026-03-01T00:00:00Z' };
    const february = [r('2026-02-10T00:00:00Z', '1040'), r('2026-02-28T00:00:00Z', '1100')];

    it('counts the consumption across the period start', () => {
      // 1040 − 1000 (Jan 31 23:00 → Feb 10) + 1100 − 1040 = 100; without the opening read only 60
      expect(aggregate(reg(), february, feb, { read: open }).toFixed()).toBe('100');
      expect(aggregate(reg(), february, feb).toFixed()).toBe('60');
    });

    it('rolls over from the opening read', () => {
      // 100000 − 99990 + 15 = 25
      const rs = [r('2026-02-03T00:00:00Z', '15')];
      expect(aggregate(reg(), rs, feb, { read: r('2026-01-30T00:00:00Z', '99990') }).toFixed()).toBe('25');
    });

    it('counts an opening read that is also among the records once', () => {
      expect(aggregate(reg(), [open, ...february], feb, { read: open }).toFixed()).toBe('100');
    });

    it('adds nothing at a reset read after the opening read', () => {
      // the new register starts at 0: 0 → 30 only
      const rs = [
        r('2026-02-02T00:00:00Z', '0', { flags: { reset: true } }),
        r('2026-02-20T00:00:00Z', '30'),
      ];
      expect(aggregate(reg(), rs, feb, { read: open }).toFixed()).toBe('30');
    });

    it('equals giving the previous period reads (property)', () => {
      fc.assert(
        fc.property(fc.array(fc.nat(5000), { minLength: 2, maxLength: 20 }), (steps) => {
          let level = 0;
          const rs = steps.map((s, i) => {
            level = (level + s) % 100000;
            return r(new Date(Date.UTC(2026, 0, 20) + i * 2 * 86_400_000).toISOString(), String(level));
          });
          const start = Date.parse(feb.start);
          const before = rs.filter((x) => Date.parse(x.time) < start);
          const inside = rs.filter((x) => Date.parse(x.time) >= start);
          const last = before[before.length - 1];
          const withOpening = aggregate(reg(), inside, feb, last === undefined ? undefined : { read: last });
          expect(withOpening.toFixed()).toBe(aggregate(reg(), rs, feb).toFixed());
        }),
      );
    });
  });

  it('applies the multiplier and the conversion to the difference', () => {
    // (1250 − 1000) × 40 (CT ratio) × 0.001 (Wh → kWh) = 10
    const m = reg({ multiplier: '40' }, { conversion: '0.001' });
    const rs = [r('2025-12-31T00:00:00Z', '1000'), r('2026-01-31T00:00:00Z', '1250')];
    expect(aggregate(m, rs, JANUARY).toFixed()).toBe('10');
  });

  it('starts a new register at a reset read (meter replacement)', () => {
    // old meter 5000 → 5300 (final read), new meter installed at 0 → 0 added, then 0 → 120: 300 + 120 = 420
    const rs = [
      r('2025-12-31T00:00:00Z', '5000'),
      r('2026-01-10T00:00:00Z', '5300'),
      r('2026-01-10T00:00:01Z', '0', { flags: { reset: true } }),
      r('2026-01-30T00:00:00Z', '120'),
    ];
    expect(aggregate(reg(), rs, JANUARY).toFixed()).toBe('420');
  });

  it('lets an actual read replace an estimate of the same instant', () => {
    const opening = r('2025-12-31T00:00:00Z', '1000');
    const estimate = r('2026-01-31T00:00:00Z', '1400', { flags: { estimated: true } });
    const actual = r('2026-01-31T00:00:00Z', '1350');
    expect(aggregate(reg(), [opening, estimate], JANUARY).toFixed()).toBe('400');
    expect(aggregate(reg(), [opening, estimate, actual], JANUARY).toFixed()).toBe('350');
    // February then starts from the actual read, so the estimate is trued up: 1500 − 1350 = 150
    const feb = { start: '2026-02-01T00:00:00Z', end: '2026-03-01T00:00:00Z' };
    const next = r('2026-02-28T00:00:00Z', '1500');
    expect(aggregate(reg(), [opening, estimate, actual, next], feb).toFixed()).toBe('150');
  });

  it('fails for a read below the previous one without a rollover maximum, naming the read', () => {
    const m = meter('register-delta');
    const rs = [r('2026-01-02T00:00:00Z', '500'), r('2026-01-03T00:00:00Z', '400', { id: 'read-7' })];
    expect(() => aggregate(m, rs, JANUARY)).toThrow(InvalidUsageError);
    expect(() => aggregate(m, rs, JANUARY)).toThrow(/read read-7: 400 is below the previous read 500/);
  });

  it('fails for a read outside the register range', () => {
    expect(() => aggregate(reg(), [r('2026-01-02T00:00:00Z', '100000')], JANUARY)).toThrow(
      /outside the register range/,
    );
  });

  it('telescopes: consumption over two periods equals the sum of each (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(5000), { minLength: 2, maxLength: 20 }), (steps) => {
        let level = 0;
        const rs = steps.map((s, i) => {
          level = (level + s) % 100000;
          return r(new Date(Date.UTC(2025, 11, 20) + i * 3 * 86_400_000).toISOString(), String(level));
        });
        const whole = aggregate(reg(), rs, { start: '2025-12-20T00:00:00Z', end: '2026-03-01T00:00:00Z' });
        const a = aggregate(reg(), rs, { start: '2025-12-20T00:00:00Z', end: '2026-01-15T00:00:00Z' });
        const b = aggregate(reg(), rs, { start: '2026-01-15T00:00:00Z', end: '2026-03-01T00:00:00Z' });
        expect(a.plus(b).toFixed()).toBe(whole.toFixed());
        expect(whole.toFixed()).toBe(String(steps.slice(1).reduce((x, y) => x + y, 0)));
      }),
    );
  });
});
