import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { MeterInput } from '@tally/metering';
import { type PlanInput, PlanSchema } from '@tally/rating';
import { InvoiceStore, type StorableInvoice } from '@tally/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingHarness, customer, event, type Harness } from './billing-run-harness.js';
import { createBillingTable, localDocumentClient, storableDraft } from './support/billing-table.js';

interface TestLine {
  readonly key: string;
  readonly description: string;
  readonly amount: string;
}
interface TestInvoice extends StorableInvoice {
  readonly lines: readonly TestLine[];
}

const doc = localDocumentClient();

/** A draft with `n` lines of about 120 bytes of JSON each: 5,000 of them are about 600 KB. */
function draft(id: string, n: number, tag = 'a'): TestInvoice {
  return {
    ...storableDraft(id, { issuer: `iss-${id}`, customer: `cus-${id}` }),
    lines: Array.from({ length: n }, (_, i) => ({
      key: `call:${String(i).padStart(5, '0')}`,
      description: `Calls to destination ${i} (${tag}), ${(i % 7) + 1} calls, ${(i % 13) + 1} min`,
      amount: `${i % 100}.${String(i % 97).padStart(2, '0')}`,
    })),
  };
}

describe('invoice store: an invoice over the 400 KB item limit', () => {
  let table = '';
  let store: InvoiceStore<TestInvoice>;
  const items = async (id: string) =>
    (
      await doc.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `INV#${id}` },
          ConsistentRead: true,
        }),
      )
    ).Items ?? [];

  beforeAll(async () => {
    table = await createBillingTable('biginv');
    store = new InvoiceStore<TestInvoice>({
      client: doc,
      tableName: table,
      finalizeDraft: (d, o) => ({
        ...d,
        status: 'finalized',
        number: `N-${o.number}`,
        dueDate: '2026-02-15',
      }),
    });
  });

  it('is too large for one item (the limit the chunks work around)', async () => {
    const big = draft('raw', 5000);
    expect(JSON.stringify(big).length).toBeGreaterThan(400 * 1024);
    await expect(
      doc.send(new PutCommand({ TableName: table, Item: { pk: 'INV#raw', sk: 'INV', data: big } })),
    ).rejects.toThrow(/size/i);
  });

  it('stores 5,000 lines in chunks and reads them back in order', async () => {
    const big = draft('big', 5000);
    expect(await store.putDraft(big)).toBe('created');
    const got = await store.get('big');
    expect(got?.invoice).toEqual(big);
    const chunks = (await items('big')).filter((i) => String(i.sk).startsWith('LINES#'));
    // ≈ 600 KB of lines in chunks of at most 300 KB: 3 chunks
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    for (const c of chunks) expect(String(c.lines).length).toBeLessThanOrEqual(300_000);
  });

  it('writes the same items when the same draft is written again (a retry)', async () => {
    const before = await items('big');
    expect(await store.putDraft(draft('big', 5000))).toBe('updated');
    const after = await items('big');
    const strip = (xs: Record<string, unknown>[]) =>
      xs.map(({ version: _v, ...rest }) => rest).sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
    expect(strip(after)).toEqual(strip(before));
  });

  it('finalizes a re-assembled draft and lets the superseded chunk set expire', async () => {
    expect(await store.putDraft(draft('big', 5000, 'b'))).toBe('updated');
    const final = await store.finalize('big', { now: '2026-02-01T06:00:00Z' });
    expect(final.number).toBe('N-1');
    expect(final.lines).toEqual(draft('big', 5000, 'b').lines);
    const chunks = (await items('big')).filter((i) => String(i.sk).startsWith('LINES#'));
    const hashes = new Set(chunks.map((c) => String(c.sk).split('#')[1]));
    expect(hashes.size).toBe(2);
    const live = (await store.get('big'))?.linesHash;
    for (const c of chunks) {
      // Feb 1 06:00 UTC + 1 day = 1769925600 + 86400 s
      const expected = String(c.sk).startsWith(`LINES#${live}#`) ? undefined : 1769925600 + 86_400;
      expect(c.expiresAt).toBe(expected);
    }
    const listed = await store.listByCustomer('cus-big');
    expect(listed[0]?.invoice.lines).toHaveLength(5000);
    expect((await store.listOpen('iss-big'))[0]?.invoice.lines).toHaveLength(5000);
  });

  it('keeps a draft that shrinks below the limit in one item again', async () => {
    await store.putDraft(draft('shrink', 5000));
    await store.putDraft(draft('shrink', 10));
    const head = (await items('shrink')).find((i) => i.sk === 'INV');
    expect(head?.linesRef).toBeUndefined();
    expect((await store.get('shrink'))?.invoice.lines).toHaveLength(10);
  });
});

const DESTINATIONS = 3000;
const VOICE: MeterInput = {
  id: 'voice',
  eventType: 'call.completed',
  valuePath: 'seconds',
  aggregation: 'sum',
  dimensions: { destination: 'to' },
};
/** One line per destination: 0.10 a minute to each of 3,000 prefixes. */
const CARRIER: PlanInput = {
  id: 'carrier',
  version: 1,
  name: 'Carrier',
  currency: 'EUR',
  effectiveFrom: '2025-01-01T00:00:00Z',
  terms: { fixedFeeTiming: 'arrears', draftGraceHours: 6, lateAcceptanceDays: 35 },
  charges: [
    {
      type: 'call',
      id: 'voice',
      meterId: 'voice',
      destinations: Array.from({ length: DESTINATIONS }, (_, i) => ({
        prefix: `49${String(i).padStart(4, '0')}`,
        name: `D${i}`,
        perMinute: '0.10',
      })),
    },
  ],
};

describe('billing run: a carrier invoice with one line per destination', () => {
  let h: Harness;
  beforeAll(async () => {
    // The clock starts on the last day of January: the hourly close-periods runs before it would find nothing.
    h = await billingHarness({ clockStart: '2026-01-31T20:00:00Z' });
    await h.catalog.putMeter(VOICE);
    await h.plans.put(PlanSchema.parse(CARRIER));
    await h.subscribe(customer('carrier', 'UTC'), 'sub-carrier', '2026-01-01', CARRIER);
    // One 60 s call to each destination on Jan 10.
    await h.putEvents(
      'carrier',
      Array.from({ length: DESTINATIONS }, (_, i) => ({
        event: event('carrier', 'call.completed', `call-${i}`, '2026-01-10T12:00:00Z', {
          to: `49${String(i).padStart(4, '0')}555`,
          seconds: 60,
        }),
      })),
    );
    await h.advanceTo('2026-02-01T01:00:00Z');
    await h.advanceTo('2026-02-01T07:00:00Z');
  });
  afterAll(() => h.stop());

  it('finalizes it with every line, read back whole', async () => {
    const [stored] = await h.invoices.listByCustomer('carrier');
    const inv = stored!.invoice;
    expect(inv.status).toBe('finalized');
    expect(stored!.linesHash).toBeDefined();
    const calls = inv.lines.filter((l) => l.chargeId === 'voice');
    expect(calls).toHaveLength(DESTINATIONS);
    expect(new Set(calls.map((l) => l.amount))).toEqual(new Set(['0.10']));
    // 3,000 destinations × 1 min × 0.10 = 300.00
    expect(inv.totals.total).toBe('300.00');
    expect((await h.invoices.get(inv.id))?.invoice).toEqual(inv);
  });
});
