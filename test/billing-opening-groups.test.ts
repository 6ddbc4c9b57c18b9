import type { MeterInput } from '@tally/metering';
import { Decimal } from '@tally/money';
import { type PlanInput, PlanSchema } from '@tally/rating';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingHarness, customer, event, type Harness } from './billing-run-harness.js';

/** A register per site (one event type, the site a dimension). */
const KWH: MeterInput = {
  id: 'site-kwh',
  eventType: 'site.read',
  valuePath: 'kwh',
  aggregation: 'register-delta',
  register: { max: '100000' },
  dimensions: { site: 'site' },
  unit: 'kWh',
};
/** Disk per region, sent as changes. */
const DISK: MeterInput = {
  id: 'region-disk',
  eventType: 'region.disk',
  valuePath: 'gb',
  aggregation: 'time-weighted-sum',
  timeWeighted: { input: 'delta' },
  dimensions: { region: 'region' },
  unit: 'GB-month',
};

/** Energy per site (0.10 a kWh, site b 0.20), disk per region (1.00 a GB-month). */
const PLAN: PlanInput = {
  id: 'grouped',
  version: 1,
  name: 'Grouped',
  currency: 'EUR',
  effectiveFrom: '2025-01-01T00:00:00Z',
  terms: { fixedFeeTiming: 'arrears', draftGraceHours: 6, lateAcceptanceDays: 35 },
  charges: [
    {
      type: 'per-unit',
      id: 'energy',
      meterId: 'site-kwh',
      unitPrice: '0.10',
      groupBy: ['site'],
      groups: [{ match: { site: 'b' }, unitPrice: '0.20' }],
    },
    { type: 'per-unit', id: 'disk', meterId: 'region-disk', unitPrice: '1.00', groupBy: ['region'] },
  ],
};

const WHO = 'groupco';
const read = (id: string, time: string, site: string, kwh: number) => ({
  event: event(WHO, 'site.read', id, time, { site, kwh }),
});
const disk = (id: string, time: string, region: string, gb: number) => ({
  event: event(WHO, 'region.disk', id, time, { region, gb }),
});

describe('billing run: meters priced per group open each group from its own state', () => {
  let h: Harness;
  const invoiceOf = async (periodStart: string) =>
    (await h.invoices.listByCustomer(WHO)).find(
      (i) => Date.parse(i.invoice.period.start) === Date.parse(periodStart),
    )?.invoice;
  const lines = async (periodStart: string, chargeId: string) =>
    (await invoiceOf(periodStart))?.lines
      .filter((l) => l.chargeId === chargeId && l.kind === 'usage')
      .map((l) => [
        l.dimensions ? Object.values(l.dimensions).join() : '-',
        new Decimal(l.amount).toFixed(2),
      ]);

  beforeAll(async () => {
    h = await billingHarness({ clockStart: '2025-12-31T00:00:00Z' });
    await h.catalog.putMeter(KWH);
    await h.catalog.putMeter(DISK);
    await h.plans.put(PlanSchema.parse(PLAN));
    await h.subscribe(customer(WHO, 'UTC'), 'sub-groupco', '2026-01-01', PLAN);
    await h.putEvents(WHO, [
      read('a1', '2026-01-01T00:00:00Z', 'a', 1000),
      read('b1', '2026-01-01T00:00:00Z', 'b', 5000),
      read('b2', '2026-01-20T00:00:00Z', 'b', 5200), // b's last read before February: the second week back
      read('a2', '2026-01-31T22:00:00Z', 'a', 1100), // the meter's last read before February (site a)
      read('b3', '2026-02-10T00:00:00Z', 'b', 5260),
      read('a3', '2026-02-20T00:00:00Z', 'a', 1150),
      disk('eu1', '2026-01-01T00:00:00Z', 'eu', 8),
      disk('us1', '2026-01-16T00:00:00Z', 'us', 4),
      disk('us2', '2026-02-15T00:00:00Z', 'us', -2),
    ]);
    for (const month of ['2026-02', '2026-03', '2026-04']) {
      await h.advanceTo(`${month}-01T01:00:00Z`);
      await h.advanceTo(`${month}-01T07:00:00Z`);
    }
  });
  afterAll(() => h.stop());

  it('bills January per group from the reads and changes inside it', async () => {
    // a: 1100 − 1000 = 100 × 0.10 = 10.00; b: 5200 − 5000 = 200 × 0.20 = 40.00
    expect(await lines('2026-01-01T00:00:00Z', 'energy')).toEqual([
      ['a', '10.00'],
      ['b', '40.00'],
    ]);
    // eu: 8 GB all month = 8.00; us: 4 GB for 16 of 31 days = 2.0645… → 2.06
    expect(await lines('2026-01-01T00:00:00Z', 'disk')).toEqual([
      ['eu', '8.00'],
      ['us', '2.06'],
    ]);
    expect((await invoiceOf('2026-01-01T00:00:00Z'))?.closingLevels).toEqual({
      'region-disk': { '[["region","eu"]]': '8', '[["region","us"]]': '4' },
    });
  });

  it('opens February per site from that site’s last read, not the meter’s', async () => {
    // a: 1150 − 1100 (Jan 31) = 50 × 0.10 = 5.00; b: 5260 − 5200 (Jan 20) = 60 × 0.20 = 12.00
    // (one opening for the meter, a's 1100, would make b 5260 − 1100; none would bill 0 for both)
    expect(await lines('2026-02-01T00:00:00Z', 'energy')).toEqual([
      ['a', '5.00'],
      ['b', '12.00'],
    ]);
  });

  it('opens February per region from the levels January closed with, billing a region without changes', async () => {
    // eu: no change in February, 8 GB in force all month = 8.00
    // us: 4 GB for 14 days, 2 GB for 14 days = (56 + 28) ÷ 28 = 3.00
    expect(await lines('2026-02-01T00:00:00Z', 'disk')).toEqual([
      ['eu', '8.00'],
      ['us', '3.00'],
    ]);
    // March: no event at all; eu 8 and us 2 in force all month
    expect(await lines('2026-03-01T00:00:00Z', 'disk')).toEqual([
      ['eu', '8.00'],
      ['us', '2.00'],
    ]);
    expect((await invoiceOf('2026-03-01T00:00:00Z'))?.closingLevels).toEqual({
      'region-disk': { '[["region","eu"]]': '8', '[["region","us"]]': '2' },
    });
  });
});
