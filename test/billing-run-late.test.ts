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
