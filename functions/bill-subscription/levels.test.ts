import { MeterSchema, type UsageRecord } from '@tally/metering';
import { Decimal } from '@tally/money';
import { PlanSchema } from '@tally/rating';
import { describe, expect, it } from 'vitest';
import {
  closingLevelsOf,
  groupingsOf,
  groupKeyOf,
  openingKind,
  parseGroupKey,
  shiftLevels,
  sumByGroup,
} from './levels.js';

const disk = MeterSchema.parse({
  id: 'disk',
  eventType: 'disk.change',
  valuePath: 'gb',
  aggregation: 'time-weighted-sum',
  timeWeighted: { input: 'delta', initial: '5' },
  dimensions: { region: 'region' },
});
const level = MeterSchema.parse({ ...disk, id: 'level', timeWeighted: { input: 'absolute' } });
const rec = (id: string, time: string, value: string, region?: string): UsageRecord => ({
  id,
  time,
  value,
  ...(region === undefined ? {} : { dimensions: { region } }),
});

describe('openingKind', () => {
  it.each([
    [{ aggregation: 'register-delta' }, 'read'],
    [{ aggregation: 'time-weighted-sum' }, 'level'],
    [{ aggregation: 'time-weighted-average', timeWeighted: { input: 'delta' } }, 'change'],
    [{ aggregation: 'sum' }, null],
  ])('classifies %o as %s', (m, kind) => {
    expect(openingKind(MeterSchema.parse({ id: 'm', eventType: 't', valuePath: 'v', ...m }))).toBe(kind);
  });
});

describe('group keys', () => {
  it('names a group by its pairs in groupBy order, and the whole meter by ""', () => {
    expect(groupKeyOf([], { region: 'eu' })).toBe('');
    expect(groupKeyOf(['region', 'tier'], { tier: 'a,b=c', region: 'eu' })).toBe(
      '[["region","eu"],["tier","a,b=c"]]',
    );
    expect(parseGroupKey('[["region","eu"],["tier","a,b=c"]]')).toEqual({
      names: ['region', 'tier'],
      dimensions: { region: 'eu', tier: 'a,b=c' },
    });
    // a record without the dimension is in the group ""
    expect(groupKeyOf(['region'], undefined)).toBe('[["region",""]]');
  });
});

describe('groupingsOf', () => {
  it('lists each distinct groupBy of the aggregate charges on the meter, [] for a whole one', () => {
    const plan = PlanSchema.parse({
      id: 'p',
      version: 1,
      name: 'P',
      currency: 'EUR',
      effectiveFrom: '2026-01-01',
      meters: [disk],
      charges: [
        { type: 'per-unit', id: 'a', meterId: 'disk', unitPrice: '1' },
        { type: 'per-unit', id: 'b', meterId: 'disk', unitPrice: '1', groupBy: ['region'] },
        {
          type: 'graduated',
          id: 'c',
          meterId: 'disk',
          groupBy: ['region'],
          tiers: [{ upTo: null, unitPrice: '1' }],
        },
      ],
    });
    expect(groupingsOf('disk', [plan])).toEqual([[], ['region']]);
  });
});

describe('shiftLevels', () => {
  it('adds changes per group, starting a group not seen yet from the base', () => {
    const shift = new Map([
      [
        'disk',
        new Map([
          ['', new Decimal(3)],
          ['[["region","us"]]', new Decimal(2)],
        ]),
      ],
    ]);
    // '' 10 + 3 = 13; us: base 5 + 2 = 7; eu unchanged
    expect(shiftLevels({ disk: { '': '10', '[["region","eu"]]': '4' } }, shift, () => '5')).toEqual({
      disk: { '': '13', '[["region","eu"]]': '4', '[["region","us"]]': '7' },
    });
    // subtracting: 10 − 3 = 7
    expect(
      shiftLevels(
        { disk: { '': '10' } },
        new Map([['disk', new Map([['', new Decimal(3)]])]]),
        () => '0',
        -1,
      ),
    ).toEqual({ disk: { '': '7' } });
  });
});

describe('closingLevelsOf', () => {
  const records = [
    rec('a', '2026-02-03T00:00:00Z', '4', 'eu'),
    rec('b', '2026-02-05T00:00:00Z', '-1', 'eu'),
    rec('c', '2026-02-07T00:00:00Z', '2', 'us'),
  ];

  it('closes a change-fed meter at its opening plus the changes, per group and whole', () => {
    const opening = (key: string) => ({ '': '20', '[["region","eu"]]': '12', '[["region","ap"]]': '3' })[key];
    const out = closingLevelsOf(disk, 'change', [[], ['region']], records, opening, [
      '',
      '[["region","eu"]]',
      '[["region","ap"]]',
    ]);
    expect(out).toEqual({
      '': '25', // 20 + 4 − 1 + 2
      '[["region","eu"]]': '15', // 12 + 4 − 1
      '[["region","us"]]': '7', // no opening: initial 5 + 2
      '[["region","ap"]]': '3', // no change: stays 3
    });
  });

  it('closes an absolute meter at its last record, else at its opening level', () => {
    const opening = (key: string) => ({ '[["region","eu"]]': '9', '[["region","ap"]]': '3' })[key];
    const out = closingLevelsOf(level, 'level', [['region']], records, opening, [
      '[["region","eu"]]',
      '[["region","ap"]]',
    ]);
    expect(out).toEqual({ '[["region","eu"]]': '-1', '[["region","us"]]': '2', '[["region","ap"]]': '3' });
  });

  it('sums changes per group of each grouping', () => {
    const sums = sumByGroup(records, [[], ['region']]);
    expect(Object.fromEntries([...sums].map(([k, v]) => [k, v.toFixed()]))).toEqual({
      '': '5',
      '[["region","eu"]]': '3',
      '[["region","us"]]': '2',
    });
  });
});
