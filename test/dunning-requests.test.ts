import { type Invoice, markInvoicePaid } from '@tally/billing';
import { DEFAULT_POLICIES } from '@tally/dunning';
import { createResources, TestClock } from '@tally/local-stack';
import { AccountSchema, type MailEffect, PaymentSchema } from '@tally/payments';
import { createDocumentClient, type DocumentSender, PaymentStore } from '@tally/store';
import { billingInvoiceStore, invoiceSourceFromStore, Receivables } from '@tally/workflow';
import { draftInvoice } from '@tally/workflow/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { localClients, uniquePrefix } from './support/aws.js';

// How many DynamoDB requests one dunning step makes, and that the reads it skips never hide a change that
// matters: the step still sees a payment stored a moment before it.

let table: string;

beforeAll(async () => {
  const resources = await createResources(localClients(), uniquePrefix('dunreq'));
  table = resources.tables.Billing!;
});

/** Every request as `<Command> <pk prefix>` (`INV`, `PAY#ACCT`, …), with the projection when there is one. */
function counting(inner: DocumentSender): { client: DocumentSender; log: string[] } {
  const log: string[] = [];
  const client: DocumentSender = {
    send: ((cmd: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const input = cmd.input;
      const pk = String(
        (input.Key as { pk?: string } | undefined)?.pk ??
          (input.Item as { pk?: string } | undefined)?.pk ??
          '',
      );
      const prefix = pk.startsWith('PAY#ACCT#') ? 'PAY#ACCT' : pk.split('#')[0];
      log.push(`${cmd.constructor.name} ${prefix}${input.ProjectionExpression ? ' (projection)' : ''}`);
      return inner.send(cmd as never);
    }) as DocumentSender['send'],
  };
  return { client, log };
}

function setup() {
  const clock = new TestClock('2026-01-02T06:00:00Z');
  const { client, log } = counting(createDocumentClient());
  const invoices = billingInvoiceStore(client, table);
  const mails: MailEffect[] = [];
  const receivables = new Receivables({
    payments: new PaymentStore({ client, tableName: table, parseAccount: AccountSchema.parse }),
    invoices: invoiceSourceFromStore(invoices, markInvoicePaid),
    mail: { send: async (m) => void mails.push(m) },
    events: { publish: async () => undefined },
    policies: DEFAULT_POLICIES,
    clock,
  });
  return { clock, log, invoices, receivables, mails };
}

/** A finalized invoice of 100.00 EUR, issued 2026-01-02, due 2026-02-01 (net 30, Europe/Berlin). */
async function finalized(s: ReturnType<typeof setup>, id: string, customerId: string): Promise<Invoice> {
  await s.invoices.putDraft(draftInvoice({ id, customerId, amountDue: '100.00' }));
  return s.invoices.finalize(id, { now: s.clock.now().toISOString() });
}

const unique = (label: string) => `${label}-${Math.random().toString(36).slice(2, 8)}`;

describe('dunning steps with the customer id in the execution input', () => {
  it('decides on the account alone once it holds the invoice: one GetItem, no invoice read', async () => {
    const s = setup();
    const customerId = unique('c');
    const id = `inv_${unique('d')}`;
    await finalized(s, id, customerId);

    s.log.length = 0;
    // The account does not hold the invoice yet: its status (projection, no document) and the account.
    expect(await s.receivables.decide({ invoiceId: id, customerId })).toMatchObject({ action: 'open' });
    expect(s.log.sort()).toEqual(['GetCommand INV (projection)', 'GetCommand PAY#ACCT']);

    s.log.length = 0;
    // `open` needs the whole invoice to register it; the account is then created (PutItem).
    await s.receivables.act({ invoiceId: id, customerId, decision: { action: 'open', step: 0, until: '' } });
    expect(s.log).toEqual(['GetCommand INV', 'GetCommand PAY#ACCT', 'PutCommand PAY#ACCT']);

    // Due 2026-02-01 in Berlin; the first reminder is 3 days later at the policy's send time.
    s.clock.set('2026-02-05T12:00:00Z');
    s.log.length = 0;
    const d = await s.receivables.decide({ invoiceId: id, customerId });
    expect(d).toMatchObject({ action: 'remind', step: 0 });
    expect(s.log).toEqual(['GetCommand PAY#ACCT']);

    s.log.length = 0;
    const next = await s.receivables.act({ invoiceId: id, customerId, decision: d });
    // Act answers with the next decision: the second reminder, 10 days after the due date at 09:00 Berlin
    // (UTC+1 in February) = 2026-02-11T08:00Z.
    expect(next).toEqual({
      action: 'wait',
      step: 1,
      until: '2026-02-11T08:00:00.000Z',
      last: { action: 'remind', outcome: 'performed' },
    });
    // The step is checked and recorded on the account (read + conditional put), the invoice is not read,
    // and the next decision costs no request.
    expect(s.log).toEqual(['GetCommand PAY#ACCT', 'PutCommand PAY#ACCT']);
    expect(s.mails.map((m) => m.requestId)).toEqual([`${id}:reminder:1`]);
    // It is what Decide answers on the stored account at the same time.
    const { last: _, ...decision } = next;
    expect(await s.receivables.decide({ invoiceId: id, customerId })).toEqual(decision);
  });

  it("answers Act's next decision as Decide would, through every step of the policy", async () => {
    const s = setup();
    const customerId = unique('c');
    const id = `inv_${unique('w')}`;
    await finalized(s, id, customerId);
    let d = await s.receivables.decide({ invoiceId: id, customerId });
    const taken: string[] = [];
    // Each loop: act on the decision, check the answer against a fresh Decide, move the clock to a wait's end.
    for (let i = 0; i < 20 && d.action !== 'done'; i++) {
      if (d.action === 'wait') {
        s.clock.set(d.until);
        d = await s.receivables.decide({ invoiceId: id, customerId });
        continue;
      }
      const { last, ...next } = await s.receivables.act({ invoiceId: id, customerId, decision: d });
      taken.push(`${last.action}:${last.outcome}`);
      expect(await s.receivables.decide({ invoiceId: id, customerId })).toEqual(next);
      d = next;
    }
    // open, then the default policy's seven steps; steps 1 and 2 fall due together (both 10 days).
    expect(taken).toEqual([
      'open:performed',
      'remind:performed',
      'remind:performed',
      'late-fee:performed',
      'remind:performed',
      'suspend:performed',
      'final-notice:performed',
      'collections:performed',
    ]);
    expect(d).toMatchObject({ action: 'done', reason: 'escalated' });
  });

  it('sees a payment stored between Decide and Act: the step is skipped and nothing is sent', async () => {
    const s = setup();
    const customerId = unique('c');
    const id = `inv_${unique('p')}`;
    await finalized(s, id, customerId);
    await s.receivables.act({ invoiceId: id, customerId, decision: { action: 'open', step: 0, until: '' } });
    s.clock.set('2026-02-05T12:00:00Z');
    const d = await s.receivables.decide({ invoiceId: id, customerId });
    expect(d.action).toBe('remind');

    const payment = PaymentSchema.parse({
      id: unique('pay'),
      amount: '100.00',
      currency: 'EUR',
      receivedAt: '2026-02-05T11:59:00Z',
      invoiceId: id,
      source: 'manual',
    });
    expect(await s.receivables.record(payment)).toMatchObject({ status: 'applied' });
    const receipts = s.mails.length;

    // Skipped, and the next decision (on the account the step read) ends the execution.
    expect(await s.receivables.act({ invoiceId: id, customerId, decision: d })).toMatchObject({
      action: 'done',
      reason: 'paid',
      last: { action: 'remind', outcome: 'skipped' },
    });
    expect(s.mails.length).toBe(receipts);
    expect(s.mails.some((m) => m.kind === 'reminder')).toBe(false);
    expect(await s.receivables.decide({ invoiceId: id, customerId })).toMatchObject({
      action: 'done',
      reason: 'paid',
    });
  });

  it('decides as before without the customer id, or with one whose account does not hold the invoice', async () => {
    const s = setup();
    const customerId = unique('c');
    const id = `inv_${unique('n')}`;
    await finalized(s, id, customerId);
    await s.receivables.act({ invoiceId: id, decision: { action: 'open', step: 0, until: '' } });
    s.clock.set('2026-02-05T12:00:00Z');

    s.log.length = 0;
    const plain = await s.receivables.decide({ invoiceId: id });
    expect(plain).toMatchObject({ action: 'remind', step: 0 });
    expect(s.log).toEqual(['GetCommand INV (projection)', 'GetCommand PAY#ACCT']);

    // A customer id naming another account: the invoice says whose account it is.
    const wrong = await s.receivables.decide({ invoiceId: id, customerId: unique('other') });
    expect(wrong).toEqual(plain);
    expect(
      (await s.receivables.act({ invoiceId: id, customerId: unique('other'), decision: plain })).last,
    ).toEqual({ action: 'remind', outcome: 'performed' });
    expect(s.mails.map((m) => m.requestId)).toEqual([`${id}:reminder:1`]);
  });

  it('records a payment of a named invoice reading the invoice once, and marks it paid', async () => {
    const s = setup();
    const customerId = unique('c');
    const id = `inv_${unique('r')}`;
    await finalized(s, id, customerId);
    await s.receivables.act({ invoiceId: id, customerId, decision: { action: 'open', step: 0, until: '' } });
    s.log.length = 0;
    const payment = PaymentSchema.parse({
      id: unique('pay'),
      amount: '100.00',
      currency: 'EUR',
      receivedAt: '2026-01-20T10:00:00Z',
      invoiceId: id,
      source: 'manual',
    });
    expect(await s.receivables.record(payment)).toMatchObject({ status: 'applied' });
    // the invoice, the account (read + conditional put), the payment, the invoice moved to paid
    expect(s.log).toEqual([
      'GetCommand INV',
      'GetCommand PAY#ACCT',
      'PutCommand PAY#ACCT',
      'PutCommand PAY',
      'PutCommand INV',
    ]);
    expect((await s.invoices.get(id))?.invoice).toMatchObject({
      status: 'paid',
      paymentReference: payment.id,
    });
  });

  it('marks the invoice paid even when it changed after the payment read it (re-read on conflict)', async () => {
    const s = setup();
    const customerId = unique('c');
    const id = `inv_${unique('k')}`;
    await finalized(s, id, customerId);
    await s.receivables.act({ invoiceId: id, customerId, decision: { action: 'open', step: 0, until: '' } });
    // A write between the payment's read and its markPaid (another version of the same finalized invoice).
    const source = invoiceSourceFromStore(s.invoices, markInvoicePaid);
    const seen = await source.get(id);
    const cur = (await s.invoices.get(id))!;
    await s.invoices.transition(cur.invoice, { status: 'finalized', version: cur.version, seq: cur.seq });
    await source.markPaid(id, { paidAt: '2026-01-20T10:00:00Z', paymentReference: 'p-1' }, seen!);
    const after = (await s.invoices.get(id))!;
    expect([after.invoice.status, after.version]).toEqual(['paid', cur.version + 2]);
  });

  it('still ends the dunning of a voided invoice the account never held', async () => {
    const s = setup();
    const customerId = unique('c');
    const id = `inv_${unique('v')}`;
    const inv = await finalized(s, id, customerId);
    const stored = await s.invoices.get(id);
    await s.invoices.transition(
      { ...inv, status: 'void', voidedAt: '2026-01-03T00:00:00Z', voidReason: 'test' },
      { status: 'finalized', version: stored!.version },
    );
    expect(await s.receivables.decide({ invoiceId: id, customerId })).toMatchObject({
      action: 'done',
      reason: 'void',
    });
  });
});
