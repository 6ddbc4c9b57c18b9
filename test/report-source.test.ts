import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { type Invoice, InvoiceSchema, markInvoicePaid } from '@tally/billing';
import { DEFAULT_POLICIES } from '@tally/dunning';
import { createResources, TestClock } from '@tally/local-stack';
import { AccountSchema, registerInvoice } from '@tally/payments';
import { billingTable } from '@tally/resources';
import {
  ClockStore,
  createDocumentClient,
  type DocumentSender,
  type InvoiceStore,
  PaymentStore,
  tableReportSource,
} from '@tally/store';
import { billingInvoiceStore, invoiceSourceFromStore, Receivables } from '@tally/workflow';
import { draftInvoice } from '@tally/workflow/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { localClients, uniquePrefix } from './support/aws.js';
import { runTally } from './support/cli.js';

// The store's report source against dynalite: what `tally report` (without --input) and the demo's HTML
// report read. Every table here is this file's own, so "every account" means exactly the customers below.

const doc = createDocumentClient();
let table: string;
let invoices: InvoiceStore<Invoice>;
let payments: PaymentStore;

const DEC = { start: '2025-11-30T23:00:00Z', end: '2025-12-31T23:00:00Z' }; // December in Europe/Berlin
const JAN = { start: '2025-12-31T23:00:00Z', end: '2026-01-31T23:00:00Z' };

function line(over: Record<string, unknown>) {
  return {
    chargeId: 'voice',
    description: 'line',
    planId: 'plan',
    planVersion: 1,
    period: DEC,
    currency: 'EUR',
    rounding: 'half-up',
    ...over,
  };
}

function invoice(id: string, customerId: string, amountDue: string, period: typeof DEC, lines: unknown[]) {
  return InvoiceSchema.parse({ ...draftInvoice({ id, customerId, amountDue }), period, lines });
}

beforeAll(async () => {
  const resources = await createResources(localClients(), uniquePrefix('rsrc'));
  table = resources.tables.Billing!;
  invoices = billingInvoiceStore(doc, table);
  payments = new PaymentStore({ client: doc, tableName: table, parseAccount: AccountSchema.parse });
  const clock = new TestClock('2026-01-02T06:00:00Z');
  const receivables = new Receivables({
    payments,
    invoices: invoiceSourceFromStore(invoices, markInvoicePaid),
    mail: { send: async () => undefined },
    events: { publish: async () => undefined },
    policies: DEFAULT_POLICIES,
    clock,
  });

  // c1, December: 60.00 of calls over 120.5 min, 100 included minutes, a 40.00 fee (no meter) = 100.00.
  await invoices.putDraft(
    invoice('inv-c1-dec', 'c1', '100.00', DEC, [
      line({
        key: 'v',
        kind: 'usage',
        meterId: 'voice',
        quantity: '120.5',
        unit: 'min',
        precise: '60',
        amount: '60.00',
      }),
      line({
        key: 'i',
        kind: 'allowance',
        meterId: 'voice',
        quantity: '100',
        unit: 'min',
        precise: '0',
        amount: '0.00',
      }),
      line({ key: 'f', kind: 'fixed', quantity: '1', precise: '40', amount: '40.00' }),
    ]),
  );
  // c2, December: 300 messages, 30.00.
  await invoices.putDraft(
    invoice('inv-c2-dec', 'c2', '30.00', DEC, [
      line({
        key: 's',
        kind: 'usage',
        meterId: 'sms',
        quantity: '300',
        unit: 'msg',
        precise: '30',
        amount: '30.00',
      }),
    ]),
  );
  await invoices.finalize('inv-c1-dec', { now: '2026-01-02T06:00:00Z' }); // due 2026-02-01
  await invoices.finalize('inv-c2-dec', { now: '2026-01-02T06:00:00Z' }); // due 2026-02-01

  // c1 pays 120.00 for December: 100.00 settle it, 20.00 become credit balance.
  await receivables.record({
    id: 'pay-1',
    kind: 'payment',
    amount: '120.00',
    currency: 'EUR',
    receivedAt: '2026-01-10T00:00:00.000Z',
    invoiceId: 'inv-c1-dec',
    source: 'manual',
  });
  // c2 pays 10.00 of 30.00, then 5.00 of it is refunded.
  await receivables.record({
    id: 'pay-2',
    kind: 'payment',
    amount: '10.00',
    currency: 'EUR',
    receivedAt: '2026-01-11T00:00:00.000Z',
    invoiceId: 'inv-c2-dec',
    source: 'manual',
  });
  await receivables.record({
    id: 'refund-2',
    kind: 'refund',
    refundOf: 'pay-2',
    amount: '5.00',
    currency: 'EUR',
    receivedAt: '2026-01-12T00:00:00.000Z',
    source: 'manual',
  });

  // c1, January: 40 min (45.00) and 5 late December minutes billed as an adjustment (5.00) = 50.00. Its
  // registration in the ledger uses the 20.00 credit.
  await invoices.putDraft(
    invoice('inv-c1-jan', 'c1', '50.00', JAN, [
      line({
        key: 'v',
        kind: 'usage',
        meterId: 'voice',
        period: JAN,
        quantity: '40',
        unit: 'min',
        precise: '45',
        amount: '45.00',
      }),
      line({
        key: 'adj',
        kind: 'adjustment',
        meterId: 'voice',
        quantity: '5',
        unit: 'min',
        precise: '5',
        amount: '5.00',
        adjusts: {
          invoiceId: 'inv-c1-dec',
          invoiceNumber: null,
          period: DEC,
          reason: 'late-usage',
          originalKind: 'usage',
        },
      }),
    ]),
  );
  const jan = await invoices.finalize('inv-c1-jan', { now: '2026-02-02T06:00:00Z' }); // due 2026-03-04
  await payments.updateAccount('c1', (current) => {
    const next = registerInvoice(current, jan, '2026-02-02T06:00:00.000Z').account;
    return { account: next, result: null };
  });
  // c2, January: still a draft, which no report may count.
  await invoices.putDraft(invoice('inv-c2-jan', 'c2', '99.00', JAN, []));
});

/** The document client, with every Query cut to one item a page (so each query must paginate) and a log. */
function pagingClient(): { client: DocumentSender; sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    client: {
      send: (command: Parameters<DocumentSender['send']>[0]) => {
        sent.push(command.constructor.name);
        if (command instanceof QueryCommand) command.input.Limit = 1;
        return doc.send(command as never);
      },
    } as DocumentSender,
  };
}

const byId = <T extends { id: string }>(xs: readonly T[]) => [...xs].sort((a, b) => a.id.localeCompare(b.id));

describe('the store report source', () => {
  it('reads every customer with an account, their issued invoices, payments and usage, by Query only', async () => {
    const { client, sent } = pagingClient();
    const source = tableReportSource({ client, tableName: table, parseInvoice: InvoiceSchema.parse });
    const data = await source.load();

    expect(data.invoices.map((i) => `${i.id}:${i.status}`).sort()).toEqual([
      'inv-c1-dec:paid',
      'inv-c1-jan:finalized',
      'inv-c2-dec:finalized',
    ]);
    expect(byId(data.payments)).toEqual(
      byId([
        // the journal: pay-1 put 100.00 on December (the 20.00 rest went to credit)
        pay('pay-1#0', 'c1', 'inv-c1-dec', '100.00', '2026-01-10T00:00:00.000Z', 'payment'),
        // the ledger: the credit paid 20.00 of January when January was registered
        pay('credit#inv-c1-jan#0', 'c1', 'inv-c1-jan', '20.00', '2026-02-02T06:00:00.000Z', 'payment'),
        pay('pay-2#0', 'c2', 'inv-c2-dec', '10.00', '2026-01-11T00:00:00.000Z', 'payment'),
        // the refund reversed 5.00 of pay-2's allocation
        pay('refund-2#0', 'c2', 'inv-c2-dec', '5.00', '2026-01-12T00:00:00.000Z', 'refund'),
      ]),
    );
    expect(data.creditNotes).toEqual([]);
    const usage = [...data.usage].sort((a, b) =>
      `${a.customerId}${a.meterId}${a.periodStart}`.localeCompare(
        `${b.customerId}${b.meterId}${b.periodStart}`,
      ),
    );
    expect(usage).toEqual([
      // December: 120.5 charged + 100 included + 5 late = 225.5 min, dated in the customer's zone
      {
        customerId: 'c1',
        meterId: 'voice',
        unit: 'min',
        periodStart: '2025-12-01T00:00:00+01:00',
        quantity: '225.5',
      },
      {
        customerId: 'c1',
        meterId: 'voice',
        unit: 'min',
        periodStart: '2026-01-01T00:00:00+01:00',
        quantity: '40',
      },
      {
        customerId: 'c2',
        meterId: 'sms',
        unit: 'msg',
        periodStart: '2025-12-01T00:00:00+01:00',
        quantity: '300',
      },
    ]);
    expect(sent).not.toContain(ScanCommand.name);
    // One item a page: the accounts index (2 accounts) and c1's invoices (2) each needed more than one page.
    expect(sent.filter((n) => n === QueryCommand.name).length).toBeGreaterThanOrEqual(2 + 1 + 2 + 1 + 2);
  });

  it('reads only the customers named, and a customer without an account by its invoices', async () => {
    const source = tableReportSource({ client: doc, tableName: table, parseInvoice: InvoiceSchema.parse });
    const data = await source.load({ customerIds: ['c2', 'nobody', 'c2'] });
    expect(data.invoices.map((i) => i.id)).toEqual(['inv-c2-dec']);
    expect(data.payments.map((p) => p.id).sort()).toEqual(['pay-2#0', 'refund-2#0']);
  });

  it('feeds tally report without --input: the aging of the stack as of 2026-02-15', async () => {
    const { code, out, err } = await runTally(
      { [billingTable.envVar]: table },
      'report',
      'aging',
      '--as-of',
      '2026-02-15T00:00:00Z',
    );
    expect({ code, err }).toEqual({ code: 0, err: '' });
    // c1 January: 50.00 − 20.00 credit = 30.00, due 03-04: current.
    // c2 December: 30.00 − 10.00 + 5.00 refunded = 25.00, due 02-01, 14 days late: 1–30.
    // c1 December is paid. EUR: current 30.00, 1–30 25.00, total 55.00, no unapplied cash.
    expect(out).toMatch(/EUR\s+30\.00\s+25\.00\s+0\.00\s+0\.00\s+0\.00\s+55\.00\s+0\.00/);
  });

  it('describes the stack as of its stored test clock when --as-of is left out (the local stack lives by it)', async () => {
    await new ClockStore({ client: doc, tableName: table }).set(new Date('2026-02-15T00:00:00Z'));
    const { code, out, err } = await runTally({ [billingTable.envVar]: table }, 'report', 'aging');
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toMatch(/^As of: 2026-02-15T00:00:00Z$/m);
    // The same figures as with --as-of 2026-02-15 above.
    expect(out).toMatch(/EUR\s+30\.00\s+25\.00\s+0\.00\s+0\.00\s+0\.00\s+55\.00\s+0\.00/);
  });
});

function pay(
  id: string,
  customerId: string,
  invoiceId: string,
  amount: string,
  receivedAt: string,
  kind: 'payment' | 'refund',
) {
  return { id, customerId, invoiceId, amount, currency: 'EUR', receivedAt, kind };
}
