import { Logger } from '@aws-lambda-powertools/logger';
import { type Invoice, markInvoicePaid } from '@tally/billing';
import { DEFAULT_POLICIES } from '@tally/dunning';
import { createResources, TestClock } from '@tally/local-stack';
import {
  AccountSchema,
  type BusEffect,
  invoiceBalance,
  type MailEffect,
  PaymentSchema,
  signWebhook,
} from '@tally/payments';
import { createDocumentClient, type InvoiceStore, PaymentStore } from '@tally/store';
import { billingInvoiceStore, invoiceSourceFromStore, Receivables } from '@tally/workflow';
import { draftInvoice } from '@tally/workflow/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookServer } from '../functions/record-payment/server.js';
import { localClients, uniquePrefix } from './support/aws.js';

// Payments in through the signed webhook (the record-payment handler behind a local HTTP server) and the
// manual path, against dynalite: replay guard, signatures, partial/over-payments, credit, refunds,
// unapplied payments and the reconciliation report.

const SECRET = 'whsec_local_test';
const clock = new TestClock('2026-01-02T06:00:00Z');
let server: WebhookServer;
let receivables: Receivables;
let payments: PaymentStore;
let invoices: InvoiceStore<Invoice>;
const mails: MailEffect[] = [];
const events: BusEffect[] = [];

beforeAll(async () => {
  const clients = localClients();
  const resources = await createResources(clients, uniquePrefix('pay'));
  const doc = createDocumentClient();
  const table = resources.tables.Billing!;
  payments = new PaymentStore({ client: doc, tableName: table, parseAccount: AccountSchema.parse });
  invoices = billingInvoiceStore(doc, table);
  receivables = new Receivables({
    payments,
    invoices: invoiceSourceFromStore(invoices, markInvoicePaid),
    mail: { send: async (m) => void mails.push(m) },
    events: { publish: async (e) => void events.push(...e) },
    policies: DEFAULT_POLICIES,
    clock,
  });
  process.env.TALLY_EVENT_BUS_NAME ??= 'tally-events';
  const { startWebhookServer } = await import('../functions/record-payment/server.js');
  server = await startWebhookServer({
    deps: {
      receivables,
      notifications: payments,
      secrets: async () => [SECRET],
      clock,
      logger: new Logger({ serviceName: 'test-payments', logLevel: 'ERROR' }),
    },
  });
});

afterAll(async () => {
  await server?.stop();
});

function unique(label: string): string {
  return `${label}-${Math.random().toString(36).slice(2, 8)}`;
}

async function invoice(customerId: string, amountDue: string): Promise<string> {
  const id = unique('inv');
  await invoices.putDraft(draftInvoice({ id, customerId, amountDue }));
  await invoices.finalize(id, { now: clock.now().toISOString() });
  return id;
}

function notification(id: string, data: Record<string, unknown>, type = 'payment.succeeded'): string {
  return JSON.stringify({
    id,
    type,
    data: { currency: 'EUR', receivedAt: clock.now().toISOString(), ...data },
  });
}

async function post(body: string, signature = signWebhook(body, SECRET, clock.now())) {
  const res = await fetch(`${server.url}/v1/payments/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'tally-signature': signature },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('payment webhook', () => {
  it('applies a signed partial payment and leaves the balance open', async () => {
    const c = unique('c');
    const inv = await invoice(c, '100.00');
    const res = await post(
      notification(unique('evt'), { id: unique('py'), amount: '40.00', invoiceId: inv }),
    );
    expect(res).toMatchObject({ status: 200, body: { status: 'applied', customerId: c } });
    const account = await payments.getAccount(c);
    // 100.00 − 40.00 = 60.00
    expect(invoiceBalance(account!.invoices[inv]!).toFixed(2)).toBe('60.00');
    expect((await invoices.get(inv))?.invoice.status).toBe('finalized');
  });

  it('acknowledges a replayed notification without counting the payment again', async () => {
    const c = unique('c');
    const inv = await invoice(c, '100.00');
    const body = notification(unique('evt'), { id: unique('py'), amount: '25.00', invoiceId: inv });
    expect((await post(body)).body.status).toBe('applied');
    expect((await post(body)).body).toMatchObject({ status: 'duplicate' });
    expect((await payments.getAccount(c))!.invoices[inv]!.paid).toBe('25.00');
  });

  it('counts a payment re-sent under a new notification id once', async () => {
    const c = unique('c');
    const inv = await invoice(c, '100.00');
    const paymentId = unique('py');
    await post(notification(unique('evt'), { id: paymentId, amount: '10.00', invoiceId: inv }));
    const again = await post(notification(unique('evt'), { id: paymentId, amount: '10.00', invoiceId: inv }));
    expect(again.body.status).toBe('duplicate');
    expect((await payments.getAccount(c))!.invoices[inv]!.paid).toBe('10.00');
  });

  it.each([
    ['forged', (body: string) => signWebhook(body, 'not-the-secret', clock.now()), 'mismatch'],
    [
      'stale',
      (body: string) => signWebhook(body, SECRET, new Date(clock.now().getTime() - 301_000)),
      'stale',
    ],
    ['tampered', (body: string) => signWebhook(`${body} `, SECRET, clock.now()), 'mismatch'],
    ['unsigned', () => '', 'missing'],
  ])('rejects a %s signature with 401 and records nothing', async (_t, sign, reason) => {
    const c = unique('c');
    const inv = await invoice(c, '100.00');
    const body = notification(unique('evt'), { id: unique('py'), amount: '100.00', invoiceId: inv });
    expect(await post(body, sign(body))).toEqual({
      status: 401,
      body: { message: 'invalid signature', reason },
    });
    expect(await payments.getAccount(c)).toBeUndefined();
  });

  it('turns an overpayment into credit that the next invoice uses, and marks the paid invoice paid', async () => {
    const c = unique('c');
    const first = await invoice(c, '100.00');
    const res = await post(
      notification(unique('evt'), { id: unique('py'), amount: '130.00', invoiceId: first }),
    );
    // 130.00 − 100.00 = 30.00 credit
    expect(res.body).toMatchObject({ status: 'applied', outcome: { credit: '30.00', settled: [first] } });
    expect((await invoices.get(first))?.invoice.status).toBe('paid');
    const second = await invoice(c, '50.00');
    await receivables.act({
      invoiceId: second,
      decision: { action: 'open', step: 0, until: clock.now().toISOString() },
    });
    const account = await payments.getAccount(c);
    // 50.00 − 30.00 credit = 20.00 open, credit used up
    expect(account!.creditBalance).toBe('0.00');
    expect(invoiceBalance(account!.invoices[second]!).toFixed(2)).toBe('20.00');
  });

  it('reverses a payment on a refund notification and reopens the invoice balance', async () => {
    const c = unique('c');
    const inv = await invoice(c, '80.00');
    const paymentId = unique('py');
    await post(notification(unique('evt'), { id: paymentId, amount: '80.00', invoiceId: inv }));
    const refund = await post(
      notification(
        unique('evt'),
        { id: unique('re'), refundOf: paymentId, amount: '30.00' },
        'payment.refunded',
      ),
    );
    expect(refund.body.status).toBe('refunded');
    const account = await payments.getAccount(c);
    // 80.00 paid − 30.00 refunded = 50.00 paid, 30.00 open again
    expect(account!.invoices[inv]).toMatchObject({ paid: '50.00', status: 'open' });
  });
});

describe('reconciliation', () => {
  it('keeps a payment matching no invoice unapplied until it is applied, and reports per customer', async () => {
    const c = unique('c');
    const inv = await invoice(c, '60.00');
    const stray = PaymentSchema.parse({
      id: unique('py'),
      amount: '60.00',
      currency: 'EUR',
      receivedAt: clock.now().toISOString(),
      invoiceId: 'inv-that-does-not-exist',
      reference: `pays ${inv}`,
      source: 'manual',
    });
    expect(await receivables.record(stray)).toEqual({ status: 'unapplied', reason: 'no-customer' });
    expect((await receivables.listUnapplied()).map((p) => p.payment.id)).toContain(stray.id);
    expect(await receivables.applyUnapplied(stray.id, { invoiceId: inv })).toMatchObject({
      status: 'applied',
    });
    expect((await receivables.listUnapplied()).map((p) => p.payment.id)).not.toContain(stray.id);
    const row = (await receivables.reconciliation()).find((r) => r.customerId === c);
    expect(row).toMatchObject({
      invoiced: '60.00',
      receivedNet: '60.00',
      applied: '60.00',
      outstanding: '0.00',
      balanced: true,
    });
  });
});
