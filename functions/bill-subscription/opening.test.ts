import { MeterSchema, type UsageEvent, type UsageRecord } from '@tally/metering';
import { PlanSchema } from '@tally/rating';
import { describe, expect, it } from 'vitest';
import { customer, issuer, subscription } from '../../packages/billing/src/testing.js';
import { assembleInvoice, lateUsageAdjustment } from './billing-api.js';
import { type Openings, openingRater, readGroupOpenings, readOpenings } from './opening.js';
import type { UsageSource } from './usage.js';

const register = MeterSchema.parse({
  id: 'energy',
  eventType: 'meter.read',
  valuePath: 'register',
  aggregation: 'register-delta',
  register: { max: '100000' },
});

/** A usage source holding the given reads; records the earliest instant each search asked for. */
function source(reads: readonly { time: string; register: string }[]) {
  const asked: (string | undefined)[] = [];
  const s: Pick<UsageSource, 'lastEventBefore'> = {
    async lastEventBefore(q) {
      asked.push(q.notBefore);
      const earliest = Math.max(
        Date.parse(q.before) - (q.lookbackDays ?? 93) * 86_400_000,
        q.notBefore === undefined ? -Infinity : Date.parse(q.notBefore),
      );
      const found = reads
        .filter((r) => Date.parse(r.time) < Date.parse(q.before) && Date.parse(r.time) >= earliest)
        .sort((a, b) => Date.parse(b.time) - Date.parse(a.time))[0];
      if (found === undefined) return null;
      const event = {
        specversion: '1.0',
        id: `read-${found.time}`,
        source: 'urn:test',
        type: 'meter.read',
        subject: 'c1',
        time: found.time,
        data: { register: found.register },
      } as UsageEvent;
      return { event, receivedAt: found.time };
    },
  };
  return { s: s as UsageSource, asked };
}

describe('readOpenings', () => {
  it('opens a period from the last read before it', async () => {
    const { s } = source([
      { time: '2026-01-20T00:00:00Z', register: '1000' },
      { time: '2026-01-31T23:00:00Z', register: '1040' },
    ]);
    const o = await readOpenings({
      source: s,
      customerId: 'c1',
      meters: [register],
      before: '2026-02-01T00:00:00Z',
      notBefore: '2026-01-01T00:00:00Z',
    });
    expect(o.energy?.read?.value).toBe('1040');
  });

  it('reads nothing for a first period (the subscription starts with it)', async () => {
    const { s, asked } = source([{ time: '2025-12-31T23:00:00Z', register: '900' }]);
    const o = await readOpenings({
      source: s,
      customerId: 'c1',
      meters: [register],
      before: '2026-01-15T00:00:00Z',
      notBefore: '2026-01-15T00:00:00Z',
    });
    expect(o).toEqual({});
    expect(asked).toEqual([]);
  });

  it("never opens from a read before the subscription started (the previous occupant's)", async () => {
    // subscription from 15 January 12:00; the only earlier read is from the morning of the same day
    const { s, asked } = source([{ time: '2026-01-15T08:00:00Z', register: '900' }]);
    const o = await readOpenings({
      source: s,
      customerId: 'c1',
      meters: [register],
      before: '2026-02-01T00:00:00Z',
      notBefore: '2026-01-15T12:00:00Z',
    });
    expect(o).toEqual({});
    // The search is bounded by the subscription's start (the store stops at its day and ignores older reads).
    expect(asked).toEqual(['2026-01-15T12:00:00Z']);
  });
});

// ---- openings per segment, per group, and late reads -------------------------------------------------------

const MARCH = { start: '2026-03-01T00:00:00Z', end: '2026-04-01T00:00:00Z' };
const CHANGE = '2026-03-16T00:00:00Z';

/** The plan `id` v`version`: `price` per kWh of the register meter, optionally per region. */
const energyPlan = (version: number, price: string, groupBy?: string[]) =>
  PlanSchema.parse({
    id: 'power',
    version,
    name: 'Power',
    currency: 'EUR',
    effectiveFrom: '2026-01-01',
    terms: { fixedFeeTiming: 'arrears', lateAcceptanceDays: 35 },
    charges: [
      {
        type: 'per-unit',
        id: 'energy',
        meterId: 'energy',
        unitPrice: price,
        ...(groupBy ? { groupBy } : {}),
      },
    ],
  });
const read = (id: string, time: string, value: string, region?: string): UsageRecord => ({
  id,
  time,
  value,
  ...(region === undefined ? {} : { dimensions: { region } }),
});
const changed = subscription({
  start: '2026-01-01T00:00:00Z',
  phases: [
    { from: '2026-01-01T00:00:00Z', planId: 'power', planVersion: 1 },
    { from: CHANGE, planId: 'power', planVersion: 2 },
  ],
});
const none = (at: string): Openings => ({ at, whole: {}, groups: {} });

describe('openingRater across a plan change', () => {
  it('opens the second segment from the last read before the change in the usage rated', () => {
    const inv = assembleInvoice({
      customer: customer(),
      issuer,
      subscription: changed,
      planVersions: [energyPlan(1, '0.10'), energyPlan(2, '0.20')],
      meters: { energy: register },
      period: MARCH,
      usage: {
        energy: [
          read('a', '2026-03-05T00:00:00Z', '1100'),
          read('b', '2026-03-15T00:00:00Z', '1150'),
          read('c', '2026-03-25T00:00:00Z', '1200'),
        ],
      },
      now: '2026-04-01T06:00:00Z',
      rate: openingRater({
        ...none(MARCH.start),
        whole: { energy: { read: read('o', '2026-02-28T00:00:00Z', '1000') } },
      }),
    });
    // v1: 1000 → 1100 → 1150 = 150 kWh × 0.10 = 15.00; v2: 1150 → 1200 = 50 kWh × 0.20 = 10.00
    expect(inv.lines.map((l) => [l.planVersion, l.quantity, l.amount])).toEqual([
      [1, '150', '15.00'],
      [2, '50', '10.00'],
    ]);
  });

  it('moves consumption from the second segment to the first when a late read before the change arrives', () => {
    const rater = openingRater({
      ...none(MARCH.start),
      whole: { energy: { read: read('o', '2026-02-28T00:00:00Z', '1000') } },
    });
    const lines = lateUsageAdjustment({
      customer: customer(),
      subscription: changed,
      planVersions: [energyPlan(1, '0.10'), energyPlan(2, '0.20')],
      meters: { energy: register },
      original: { invoiceId: 'inv-mar', invoiceNumber: 'ACME-1', period: MARCH },
      billedUsage: {
        energy: [read('a', '2026-03-05T00:00:00Z', '1100'), read('c', '2026-03-25T00:00:00Z', '1200')],
      },
      lateUsage: { energy: [read('late', '2026-03-15T12:00:00Z', '1180')] },
      rate: rater,
    });
    // billed: v1 1000 → 1100 = 100 × 0.10 = 10.00; v2 1100 → 1200 = 100 × 0.20 = 20.00 (30.00)
    // now:    v1 1000 → 1100 → 1180 = 180 × 0.10 = 18.00; v2 1180 → 1200 = 20 × 0.20 = 4.00 (22.00)
    // adjustments: v1 +80 kWh +8.00, v2 −80 kWh −16.00: the 80 kWh are billed once, at v1's price
    expect(lines.map((l) => [l.planVersion, l.quantity, l.amount])).toEqual([
      [1, '80', '8'],
      [2, '-80', '-16'],
    ]);
  });
});

describe('openingRater: a time-weighted meter across a plan change', () => {
  // February 2026: 28 days; the change on Feb 15 00:00 leaves 14 days on each version.
  const FEB = { start: '2026-02-01T00:00:00Z', end: '2026-03-01T00:00:00Z' };
  const disk = MeterSchema.parse({
    id: 'disk',
    eventType: 'disk.change',
    valuePath: 'gb',
    aggregation: 'time-weighted-sum',
    timeWeighted: { input: 'delta', initial: '0' },
    dimensions: { region: 'region' },
  });
  const diskPlan = (version: number, price: string, groupBy?: string[]) =>
    PlanSchema.parse({
      id: 'storage',
      version,
      name: 'Storage',
      currency: 'EUR',
      effectiveFrom: '2026-01-01',
      charges: [
        { type: 'per-unit', id: 'disk', meterId: 'disk', unitPrice: price, ...(groupBy ? { groupBy } : {}) },
      ],
    });
  const febChange = subscription({
    start: '2026-01-01T00:00:00Z',
    phases: [
      { from: '2026-01-01T00:00:00Z', planId: 'storage', planVersion: 1 },
      { from: '2026-02-15T00:00:00Z', planId: 'storage', planVersion: 2 },
    ],
  });
  const billFeb = (groupBy: string[] | undefined, openings: Openings, usage: UsageRecord[] = []) =>
    assembleInvoice({
      customer: customer(),
      issuer,
      subscription: febChange,
      planVersions: [diskPlan(1, '1.00', groupBy), diskPlan(2, '2.00', groupBy)],
      meters: { disk },
      period: FEB,
      usage: { disk: usage },
      now: '2026-03-01T06:00:00Z',
      rate: openingRater(openings),
    }).lines.map((l) => [l.planVersion, l.dimensions?.region, l.quantity, l.amount]);

  it('bills a level carried into the period (10 GB, no change) as half a GB-month per GB on each version', () => {
    // 10 × 14 ÷ 28 = 5 GB-months × 1.00 = 5.00 and 5 × 2.00 = 10.00 (each part is not a whole month of 10)
    expect(billFeb(undefined, { ...none(FEB.start), whole: { disk: { level: '10' } } })).toEqual([
      [1, undefined, '5', '5.00'],
      [2, undefined, '5', '10.00'],
    ]);
  });

  it('bills each group its share per version, a change before the cut carried into the later part', () => {
    // eu 10 GB carried in: 5 + 5 GB-months. us +4 GB on Feb 8: v1 4 × 7 ÷ 28 = 1 (1.00), v2 4 × 14 ÷ 28 = 2 (4.00)
    const lines = billFeb(
      ['region'],
      { ...none(FEB.start), groups: { disk: { '[["region","eu"]]': { level: '10' } } } },
      [read('u1', '2026-02-08T00:00:00Z', '4', 'us')],
    );
    expect(lines).toEqual([
      [1, 'eu', '5', '5.00'],
      [1, 'us', '1', '1.00'],
      [2, 'eu', '5', '10.00'],
      [2, 'us', '2', '4.00'],
    ]);
  });
});

describe('openingRater per group', () => {
  const grouped = MeterSchema.parse({
    id: 'energy',
    eventType: 'meter.read',
    valuePath: 'register',
    aggregation: 'register-delta',
    register: { max: '100000' },
    dimensions: { region: 'region' },
  });
  const eu = '[["region","eu"]]';
  const us = '[["region","us"]]';

  it('opens each group from its own last read, not the meter’s', () => {
    const lines = openingRater({
      at: MARCH.start,
      // the meter's last read is us's (2000); eu's was 1000
      whole: { energy: { read: read('u0', '2026-02-28T12:00:00Z', '2000', 'us') } },
      groups: {
        energy: {
          [eu]: { record: read('e0', '2026-02-27T00:00:00Z', '1000', 'eu') },
          [us]: { record: read('u0', '2026-02-28T12:00:00Z', '2000', 'us') },
        },
      },
    })({
      plan: energyPlan(1, '0.10', ['region']),
      meters: { energy: grouped },
      period: MARCH,
      timeZone: 'UTC',
      usage: {
        energy: [
          read('e1', '2026-03-10T00:00:00Z', '1030', 'eu'),
          read('u1', '2026-03-10T00:00:00Z', '2050', 'us'),
        ],
      },
    });
    // eu: 1030 − 1000 = 30 × 0.10 = 3.00; us: 2050 − 2000 = 50 × 0.10 = 5.00
    expect(lines.map((l) => [l.dimensions?.region, l.quantity, l.amount])).toEqual([
      ['eu', '30', '3'],
      ['us', '50', '5'],
    ]);
  });

  it('bills a change-fed group with a level in force and no change in the period, from its carried level', () => {
    const storage = MeterSchema.parse({
      id: 'storage',
      eventType: 'disk.change',
      valuePath: 'gb',
      aggregation: 'time-weighted-sum',
      timeWeighted: { input: 'delta', initial: '1' },
      dimensions: { region: 'region' },
    });
    const plan = PlanSchema.parse({
      id: 's',
      version: 1,
      name: 'S',
      currency: 'EUR',
      effectiveFrom: '2026-01-01',
      charges: [
        { type: 'per-unit', id: 'storage', meterId: 'storage', unitPrice: '1.00', groupBy: ['region'] },
      ],
    });
    const APRIL = { start: '2026-04-01T00:00:00Z', end: '2026-05-01T00:00:00Z' };
    const lines = openingRater({
      at: APRIL.start,
      whole: {},
      groups: {
        storage: { [eu]: { level: '10' }, [us]: { level: '4' }, '[["region","ap"]]': { level: '0' } },
      },
    })({
      plan,
      meters: { storage },
      period: APRIL,
      timeZone: 'UTC',
      usage: { storage: [read('u1', '2026-04-16T00:00:00Z', '6', 'us')] },
    });
    // eu: 10 GB all 30 days = 10.00 GB-months; us: 4 GB for 15 days, 10 GB for 15 = (60 + 150) ÷ 30 = 7.00;
    // ap: level 0 and no change: no line
    expect(lines.map((l) => [l.dimensions?.region, l.quantity, l.amount])).toEqual([
      ['eu', '10', '10'],
      ['us', '7', '7'],
    ]);
  });
});

describe('readGroupOpenings', () => {
  const grouped = MeterSchema.parse({ ...register, dimensions: { region: 'region' } });
  const events = [
    { time: '2026-02-27T00:00:00Z', region: 'eu', register: '1000', receivedAt: '2026-02-27T00:01:00Z' },
    { time: '2026-02-28T00:00:00Z', region: 'eu', register: '1010', receivedAt: '2026-03-05T00:00:00Z' },
    { time: '2026-02-10T00:00:00Z', region: 'us', register: '2000', receivedAt: '2026-02-10T00:01:00Z' },
    { time: '2026-01-20T00:00:00Z', region: 'us', register: '1900', receivedAt: '2026-01-20T00:01:00Z' },
  ];
  const weeks: string[] = [];
  const src = {
    async *queryEvents(q: { from: string; to: string }) {
      weeks.push(`${q.from.slice(0, 10)}..${q.to.slice(0, 10)}`);
      for (const e of events) {
        if (e.time < q.from || e.time >= q.to) continue;
        const event = {
          specversion: '1.0',
          id: `${e.region}-${e.time}`,
          source: 'urn:test',
          type: 'meter.read',
          subject: 'c1',
          time: e.time,
          data: { register: e.register, region: e.region },
        } as UsageEvent;
        yield { event, receivedAt: e.receivedAt };
      }
    },
  } as unknown as UsageSource;

  it('finds each group’s last read that had arrived, a week at a time, and stops when all are found', async () => {
    weeks.length = 0;
    const found = await readGroupOpenings({
      source: src,
      customerId: 'c1',
      meter: grouped,
      groupings: [['region']],
      wanted: new Set(['[["region","eu"]]', '[["region","us"]]']),
      before: '2026-03-01T00:00:00Z',
      notBefore: '2026-01-01T00:00:00Z',
      receivedBefore: '2026-03-02T00:00:00Z',
    });
    // eu: the Feb 28 read arrived Mar 5, after the cutoff: Feb 27's 1000; us: Feb 10's 2000 (third week back)
    expect(Object.fromEntries([...found].map(([k, r]) => [k, r.value]))).toEqual({
      '[["region","eu"]]': '1000',
      '[["region","us"]]': '2000',
    });
    expect(weeks).toEqual(['2026-02-22..2026-03-01', '2026-02-15..2026-02-22', '2026-02-08..2026-02-15']);
  });

  it('searches back no further than the subscription start', async () => {
    weeks.length = 0;
    const found = await readGroupOpenings({
      source: src,
      customerId: 'c1',
      meter: grouped,
      groupings: [['region']],
      wanted: new Set(['[["region","ap"]]']),
      before: '2026-03-01T00:00:00Z',
      notBefore: '2026-02-20T00:00:00Z',
    });
    expect(found.size).toBe(0);
    // Feb 22 .. Mar 1, then Feb 20 (the start) .. Feb 22
    expect(weeks).toEqual(['2026-02-22..2026-03-01', '2026-02-20..2026-02-22']);
  });
});
