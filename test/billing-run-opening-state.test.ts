import type { MeterInput } from '@tally/metering';
import { type PlanInput, PlanSchema } from '@tally/rating';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingHarness, customer, event, type Harness } from './billing-run-harness.js';

const KWH: MeterInput = {
  id: 'kwh',
  eventType: 'meter.read',
  valuePath: 'kwh',
  aggregation: 'register-delta',
  register: { max: '100000' },
  unit: 'kWh',
};
const STORED: MeterInput = {
  id: 'stored',
  eventType: 'storage.level',
  valuePath: 'gb',
  aggregation: 'time-weighted-sum',
  unit: 'GB-month',
};

/** 0.20 per kWh consumed, 1.00 per GB-month stored, nothing fixed. */
const UTILITY: PlanInput = {
  id: 'utility',
  version: 1,
  name: 'Utility',
  currency: 'EUR',
  effectiveFrom: '2025-01-01T00:00:00Z',
  terms: { fixedFeeTiming: 'arrears', draftGraceHours: 6, lateAcceptanceDays: 35 },
  charges: [
    { type: 'per-unit', id: 'energy', meterId: 'kwh', unitPrice: '0.20' },
    { type: 'per-unit', id: 'storage', meterId: 'stored', unitPrice: '1.00' },
  ],
};

const CUSTOMER = 'meterco';

describe('billing run: register and time-weighted meters open each period from the state before it', () => {
  let h: Harness;
  const invoiceOf = async (periodStart: string) =>
    (await h.invoices.listByCustomer(CUSTOMER)).find(
      (i) => Date.parse(i.invoice.period.start) === Date.parse(periodStart),
    )?.invoice;
  const amount = (inv: Awaited<ReturnType<typeof invoiceOf>>, chargeId: string) =>
    inv?.lines.find((l) => l.chargeId === chargeId && l.kind === 'usage')?.amount;

  beforeAll(async () => {
    h = await billingHarness({ clockStart: '2025-12-31T00:00:00Z' });
    await h.catalog.putMeter(KWH);
    await h.catalog.putMeter(STORED);
    await h.plans.put(PlanSchema.parse(UTILITY));
    await h.subscribe(customer(CUSTOMER, 'UTC'), 'sub-meterco', '2026-01-01', UTILITY);
    const read = (id: string, time: string, kwh: number) => ({
      event: event(CUSTOMER, 'meter.read', id, time, { kwh }),
    });
    const level = (id: string, time: string, gb: number) => ({
      event: event(CUSTOMER, 'storage.level', id, time, { gb }),
    });
    await h.putEvents(CUSTOMER, [
      read('r1', '2026-01-01T00:00:00Z', 1000),
      read('r2', '2026-01-31T23:00:00Z', 1300), // the last read before February
      read('r3', '2026-02-10T00:00:00Z', 1340),
      read('r4', '2026-02-20T00:00:00Z', 1400), // 9 days before March: found in the second week looked back
      read('r5', '2026-03-20T00:00:00Z', 1450),
      level('l1', '2026-01-15T00:00:00Z', 10), // set in January, still in force on Feb 1
      level('l2', '2026-02-15T00:00:00Z', 20), // in force through March
    ]);
    for (const month of ['2026-02', '2026-03', '2026-04']) {
      await h.advanceTo(`${month}-01T01:00:00Z`); // draft
      await h.advanceTo(`${month}-01T07:00:00Z`); // the 6 h grace has passed: finalized
    }
  });
  afterAll(() => h.stop());

  it('bills January from its first read and the level from when it was set', async () => {
    const jan = await invoiceOf('2026-01-01T00:00:00Z');
    expect(jan?.status).toBe('finalized');
    // energy: (1300 − 1000) × 0.20 = 60.00
    expect(amount(jan, 'energy')).toBe('60.00');
    // storage: nothing known before Jan 15, then 10 GB for 17 of 31 days: 10 × 17 ÷ 31 = 5.4838… → 5.48
    expect(amount(jan, 'storage')).toBe('5.48');
  });

  it('counts February consumption from the Jan 31 23:00 read, and January’s level until Feb 15', async () => {
    const feb = await invoiceOf('2026-02-01T00:00:00Z');
    expect(feb?.status).toBe('finalized');
    // energy: (1340 − 1300) + (1400 − 1340) = 100 kWh × 0.20 = 20.00 (60 kWh, 12.00, without the boundary)
    expect(amount(feb, 'energy')).toBe('20.00');
    // storage: 10 GB for 14 days + 20 GB for 14 days over 28 days = (140 + 280) ÷ 28 = 15 → 15.00
    expect(amount(feb, 'storage')).toBe('15.00');
    expect(feb?.totals.total).toBe('35.00');
  });

  it('opens March from a read nine days before it', async () => {
    const mar = await invoiceOf('2026-03-01T00:00:00Z');
    // energy: 1450 − 1400 = 50 kWh × 0.20 = 10.00; storage: 20 GB all month = 20.00
    expect(amount(mar, 'energy')).toBe('10.00');
    expect(amount(mar, 'storage')).toBe('20.00');
  });

  it('finds the last event before an instant across days and shards, bounded by arrival and look-back', async () => {
    const who = 'sharded';
    // Four shards from Jan 5 (the shard plan may only change days after tomorrow).
    await h.usage.setShardCount({
      customerId: who,
      eventType: 'meter.read',
      count: 4,
      fromDay: '2026-01-05',
      now: new Date('2025-12-31T00:00:00Z'),
    });
    const at = (id: string, time: string, receivedAt: string) => ({
      event: event(who, 'meter.read', id, time, { kwh: 1 }),
      receivedAt,
    });
    await h.putEvents(who, [
      at('a', '2026-01-02T10:00:00Z', '2026-01-02T10:01:00Z'),
      ...Array.from({ length: 12 }, (_, i) =>
        at(`b${i}`, `2026-01-20T0${Math.floor(i / 2)}:00:00Z`, '2026-01-20T12:00:00Z'),
      ),
      at('c', '2026-01-20T06:00:00Z', '2026-02-03T00:00:00Z'), // the latest, but it arrived late
      at('d', '2026-02-01T00:00:00Z', '2026-02-01T00:01:00Z'), // at the bound: not before it
    ]);
    const last = (q: { receivedBefore?: string; lookbackDays?: number; notBefore?: string }) =>
      h.usage
        .lastEventBefore({ customerId: who, eventType: 'meter.read', before: '2026-02-01T00:00:00Z', ...q })
        .then((e) => e?.event.id ?? null);
    expect(await last({})).toBe('c');
    // b10 and b11 share 05:00; ties go to the larger id, as aggregations order records
    expect(await last({ receivedBefore: '2026-02-01T00:00:00Z' })).toBe('b11');
    // Jan 20 is 12 days back (Jan 31 is day 1): a 10-day look-back misses it
    expect(await last({ receivedBefore: '2026-02-01T00:00:00Z', lookbackDays: 10 })).toBeNull();
    expect(await last({ receivedBefore: '2026-01-10T00:00:00Z' })).toBe('a');
    // Nothing before notBefore counts: a from 02 Jan 10:00 is the last before February only from that instant on
    expect(await last({ receivedBefore: '2026-01-10T00:00:00Z', notBefore: '2026-01-02T10:00:00Z' })).toBe(
      'a',
    );
    expect(
      await last({ receivedBefore: '2026-01-10T00:00:00Z', notBefore: '2026-01-02T10:00:01Z' }),
    ).toBeNull();
    expect(await last({ notBefore: '2026-02-01T00:00:00Z' })).toBeNull();
  });
});
