import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingHarness, customer, event, type Harness, type PortCall } from './billing-run-harness.js';

const hours = (from: string, n: number, prefix: string, customerId: string) =>
  Array.from({ length: n }, (_, i) => ({
    event: event(
      customerId,
      'api.call',
      `${prefix}${i}`,
      new Date(Date.parse(from) + i * 3_600_000).toISOString(),
    ),
  }));

describe('billing run: late usage becomes an adjustment on the next invoice', () => {
  let h: Harness;
  const calls: PortCall[] = [];
  beforeAll(async () => {
    h = await billingHarness({ clockStart: '2026-01-31T12:00:00Z', calls });
    await h.subscribe(customer('late', 'UTC'), 'sub-late');
    await h.putEvents('late', [
      ...hours('2026-01-02T00:00:00Z', 150, 'jan', 'late'),
      ...hours('2026-02-02T00:00:00Z', 100, 'feb', 'late'),
    ]);
    await h.walkTo('2026-02-02T00:00:00Z', 6 * 3_600_000);
    // January is final; now 20 January calls arrive late, within the 35-day acceptance window.
    await h.putEvents('late', [
      ...hours('2026-01-20T00:00:00Z', 20, 'late', 'late').map((e) => ({
        ...e,
        receivedAt: '2026-02-05T00:00:00Z',
      })),
    ]);
    await h.walkTo('2026-03-02T00:00:00Z', 24 * 3_600_000);
  });
  afterAll(() => h.stop());

  it('bills January without the late events', async () => {
    const jan = (await h.invoices.get('inv_sub-late_20260101T000000Z'))!.invoice;
    expect(jan.number).toBe('ACME-2026-000001');
    // base 10.00 + (150 − 100) × 0.05 = 2.50 + storage 0.00 → 12.50
    expect(jan.totals.total).toBe('12.50');
  });

  it('bills the late January calls on February’s invoice as an adjustment naming January’s invoice', async () => {
    const feb = (await h.invoices.get('inv_sub-late_20260201T000000Z'))!.invoice;
    expect(feb.status).toBe('finalized');
    expect(feb.number).toBe('ACME-2026-000002');
    const adjustments = feb.lines.filter((l) => l.kind === 'adjustment');
    expect(adjustments).toHaveLength(1);
    // 20 more calls, all above January's 100 included: 20 × 0.05 = 1.00
    expect(adjustments[0]).toMatchObject({
      chargeId: 'calls',
      quantity: '20',
      amount: '1.00',
      adjusts: {
        invoiceId: 'inv_sub-late_20260101T000000Z',
        invoiceNumber: 'ACME-2026-000001',
        period: { start: '2026-01-01T00:00:00Z', end: '2026-02-01T00:00:00Z' },
        reason: 'late-usage',
      },
    });
    // base 10.00 + February's 100 calls all included 0.00 + adjustment 1.00 → 11.00
    expect(feb.totals.total).toBe('11.00');
  });

  it('reads no invoice twice in one billing job (the draft it wrote, the previous period it corrects)', async () => {
    // Each job starts with `subscriptions.get`; jobs of one subscription run one at a time.
    const jobs: string[][] = [];
    for (const c of calls) {
      if (c.at === 'subscriptions.get') jobs.push([]);
      else if (c.at === 'invoices.get') jobs.at(-1)?.push(String(c.arg));
    }
    // Jan draft, Jan final, Feb draft, Feb final (reads January to correct it), Mar draft at least.
    const jan = 'inv_sub-late_20260101T000000Z';
    const feb = 'inv_sub-late_20260201T000000Z';
    // Each job: its own invoice (already final?), then the one before it (fees in advance, late usage);
    // January's draft and final jobs read the opening invoice as the one before.
    expect(jobs).toEqual([
      [jan, `${jan}_open`],
      [jan, `${jan}_open`],
      [feb, jan],
      [feb, jan],
    ]);
    for (const reads of jobs) expect(reads).toEqual([...new Set(reads)]);
  });

  it('leaves January’s finalized invoice unchanged', async () => {
    const jan = (await h.invoices.get('inv_sub-late_20260101T000000Z'))!.invoice;
    expect(jan.totals.total).toBe('12.50');
    expect(jan.lines.some((l) => l.kind === 'adjustment')).toBe(false);
  });
});

describe('billing run: an earlier period is read again only when something of it arrived late', () => {
  let h: Harness;
  const calls: PortCall[] = [];
  // The usage reads and arrival probes of one customer, in call order, with the period start they ask about.
  const usageCalls = (customerId: string) =>
    calls
      .filter((c) => c.at === 'usage.queryEvents' || c.at === 'usage.anyArrived')
      .map((c) => ({ at: c.at, arg: c.arg as { customerId: string; from: string } }))
      .filter((c) => c.arg.customerId === customerId);
  const JAN = '2026-01-01T00:00:00Z';
  beforeAll(async () => {
    h = await billingHarness({ clockStart: '2026-01-31T12:00:00Z', calls });
    await h.subscribe(customer('ontime', 'UTC'), 'sub-ontime');
    await h.subscribe(customer('tardy', 'UTC'), 'sub-tardy');
    for (const c of ['ontime', 'tardy']) {
      await h.putEvents(c, [
        ...hours('2026-01-02T00:00:00Z', 120, `${c}-jan`, c),
        ...hours('2026-02-02T00:00:00Z', 30, `${c}-feb`, c),
      ]);
    }
    await h.walkTo('2026-02-02T00:00:00Z', 6 * 3_600_000);
    // January is final for both; 5 January calls of one customer arrive late.
    await h.putEvents('tardy', [
      ...hours('2026-01-25T00:00:00Z', 5, 'tardy-late', 'tardy').map((e) => ({
        ...e,
        receivedAt: '2026-02-10T00:00:00Z',
      })),
    ]);
    await h.walkTo('2026-03-02T00:00:00Z', 24 * 3_600_000);
  });
  afterAll(() => h.stop());

  it('asks whether January received anything late, and does not read January again when nothing did', async () => {
    const seq = usageCalls('ontime');
    const firstProbe = seq.findIndex((c) => c.at === 'usage.anyArrived' && c.arg.from === JAN);
    // February's draft and final jobs each ask about January…
    expect(
      seq.filter((c) => c.at === 'usage.anyArrived' && c.arg.from === JAN).length,
    ).toBeGreaterThanOrEqual(2);
    // …after January's own jobs read it, and nothing reads January after the first question.
    expect(seq.slice(0, firstProbe).some((c) => c.at === 'usage.queryEvents' && c.arg.from === JAN)).toBe(
      true,
    );
    expect(seq.slice(firstProbe).filter((c) => c.at === 'usage.queryEvents' && c.arg.from === JAN)).toEqual(
      [],
    );
    const feb = (await h.invoices.get('inv_sub-ontime_20260201T000000Z'))!.invoice;
    expect(feb.lines.some((l) => l.kind === 'adjustment')).toBe(false);
  });

  it('reads January whole when something arrived late, and bills it as an adjustment', async () => {
    const seq = usageCalls('tardy');
    const firstProbe = seq.findIndex((c) => c.at === 'usage.anyArrived' && c.arg.from === JAN);
    expect(firstProbe).toBeGreaterThan(0);
    expect(seq.slice(firstProbe).some((c) => c.at === 'usage.queryEvents' && c.arg.from === JAN)).toBe(true);
    const feb = (await h.invoices.get('inv_sub-tardy_20260201T000000Z'))!.invoice;
    const adjustments = feb.lines.filter((l) => l.kind === 'adjustment');
    // January billed 120 calls (100 included, 20 × 0.05 = 1.00 over); 5 more, all over: 5 × 0.05 = 0.25
    expect(adjustments).toHaveLength(1);
    expect(adjustments[0]).toMatchObject({ chargeId: 'calls', quantity: '5', amount: '0.25' });
  });
});
