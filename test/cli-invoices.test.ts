import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { billingTable } from '@tally/resources';
import { ClockStore, createDocumentClient } from '@tally/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingHarness, customer, event, type Harness, ISSUER } from './billing-run-harness.js';
import { runTally as tally } from './support/cli.js';

// tally usage, invoices list, invoice <id> (and invoices show <id>) with --pdf, against a billing run on the
// local stack: one customer of the harness plan (10.00 a month, 0.05 a call above 100, 0.50 a GB of peak
// storage), usage in January, the period closed by the test clock.
const ID = 'inv_sub-cli-inv_20260101T000000Z';

describe('tally usage, tally invoices and tally invoice', () => {
  let h: Harness;
  const dir = mkdtempSync(join(tmpdir(), 'tally-cli-invoices-'));

  beforeAll(async () => {
    h = await billingHarness({ clockStart: '2026-01-20T00:00:00Z' });
    await h.subscribe(customer('cli-inv', 'UTC'), 'sub-cli-inv');
    await h.putEvents('cli-inv', [
      ...Array.from({ length: 120 }, (_, i) => ({
        event: event(
          'cli-inv',
          'api.call',
          `c-${i}`,
          `2026-01-${String(1 + (i % 19)).padStart(2, '0')}T10:00:00Z`,
        ),
      })),
      { event: event('cli-inv', 'storage.used', 's-1', '2026-01-05T00:00:00Z', { gb: 3 }) },
      { event: event('cli-inv', 'storage.used', 's-2', '2026-01-12T00:00:00Z', { gb: 7 }) },
    ]);
  });
  afterAll(() => h.stop());

  it('shows the open period’s usage by meter', async () => {
    const r = await tally(h.env, 'usage', 'cli-inv', '--json');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out) as { meterId: string; quantity: string; events: number }[];
    // 120 calls counted; storage is the month's peak, 7 GB of the two reads
    expect(rows.map((x) => [x.meterId, x.quantity, x.events])).toEqual([
      ['calls', '120', 120],
      ['gb', '7', 2],
    ]);
    expect((await tally(h.env, 'usage', 'cli-inv')).out).toMatch(/calls\s+count\s+120 {2}\(120 events\)/);
  });

  it('runs period close at the stack’s stored clock: nothing is due before the period ends', async () => {
    // The wall clock is long past January; the stack's clock (2026-01-20) is not.
    await new ClockStore({ client: createDocumentClient(), tableName: h.env[billingTable.envVar]! }).set(
      new Date('2026-01-20T00:00:00Z'),
    );
    expect(await tally(h.env, 'bill', '--json')).toMatchObject({ code: 0, out: '{"due":0,"enqueued":0}\n' });
  });

  it('has no PDF for a draft, and says so with exit code 2', async () => {
    // The period closed at Feb 1 00:00Z; the draft waits its 6 h grace.
    await h.advanceTo('2026-02-01T03:00:00Z');
    expect((await h.invoices.get(ID))?.invoice.status).toBe('draft');
    const r = await tally(h.env, 'invoice', ID, '--pdf', join(dir, 'draft.pdf'));
    expect(r.err).toMatch(`invoice ${ID} is a draft: it has no PDF until it is finalized`);
    expect(r.code).toBe(2);
  });

  it('lists the finalized invoice by customer and among the issuer’s open ones', async () => {
    await h.advanceTo('2026-02-01T20:00:00Z');
    // 10.00 + (120 − 100) × 0.05 + 7 × 0.50 = 10.00 + 1.00 + 3.50 = 14.50
    const list = await tally(h.env, 'invoices', 'list', '--customer', 'cli-inv');
    expect(list.code).toBe(0);
    expect(list.out).toMatch(new RegExp(`^${ID} {2}finalized {2}ACME-\\S+ {2}\\S+ {2}14\\.50 EUR {2}2026-`));
    const json = JSON.parse((await tally(h.env, 'invoices', 'list', '--customer', 'cli-inv', '--json')).out);
    expect(json).toMatchObject([{ id: ID, status: 'finalized', totals: { total: '14.50' } }]);
    expect((await tally(h.env, 'invoices', 'list', '--open', ISSUER.id)).out).toContain(ID);
    expect((await tally(h.env, 'invoices', 'list', '--customer', 'nobody')).out).toBe('no invoices\n');
  });

  it('prints one invoice as JSON, the same through invoice <id> and invoices show <id>', async () => {
    const one = await tally(h.env, 'invoice', ID);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.out)).toMatchObject({ id: ID, customer: { id: 'cli-inv' }, currency: 'EUR' });
    expect((await tally(h.env, 'invoices', 'show', ID)).out).toBe(one.out);
  });

  it('writes the finalized invoice as a PDF', async () => {
    const file = join(dir, 'january.pdf');
    const r = await tally(h.env, 'invoice', ID, '--pdf', file);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`wrote ${file} (${statSync(file).size} bytes)\n`);
    expect(readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it.each([
    [['invoice', 'inv_nope'], /invoice inv_nope not found/],
    [['invoices', 'list'], /give --customer <id> or --open <issuerId>/],
    [['invoice'], /missing required argument 'invoiceId'/],
  ])('refuses %j with exit code 2', async (argv, message) => {
    const r = await tally(h.env, ...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });
});
