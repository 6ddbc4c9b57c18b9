import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { finalizeInvoice, type Invoice, InvoiceSchema } from '@tally/billing';
import {
  EmulatorSentMailLookup,
  type Mailer,
  MailRejectedError,
  MailRetryableError,
  NoSentMailLookup,
  SesMailer,
} from '@tally/mail';
import { createDocumentClient, DeliveryStore, InvoiceStore } from '@tally/store';
import type { SQSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { StoreInvoiceReader } from '../functions/deliver-invoice/adapters.js';
import { type DeliveryMessage, deliveryIdOf } from '../functions/deliver-invoice/deliver.js';
import type { HandlerDeps } from '../functions/deliver-invoice/handler.js';
import type { DeliveryEvent } from '../functions/deliver-invoice/ports.js';
import { sampleInvoice } from '../packages/documents/src/testing.js';
import {
  createResources,
  lambdaContext,
  SqsEventSource,
  TestClock,
} from '../packages/local-stack/src/index.js';
import { localClients, uniquePrefix } from './support/aws.js';

process.env.TALLY_SENDER ??= 'billing@acme.example';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
const { makeHandler } = await import('../functions/deliver-invoice/handler.js');

const clients = localClients();
const sesEndpoint = inject('localStack').endpoints.ses;
let table: string;
let queue: { url: string; arn: string };
let invoices: InvoiceStore<Invoice>;
let deliveries: DeliveryStore;

interface StoredMail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
  attachments: { filename: string; contentType: string; content: string; size: number }[];
}

async function sentMails(deliveryId: string): Promise<StoredMail[]> {
  const res = await fetch(`${sesEndpoint}/store`);
  const { emails } = (await res.json()) as { emails: StoredMail[] };
  return emails.filter((e) => (e.body.text ?? '').includes(deliveryId));
}

beforeAll(async () => {
  const res = await createResources(clients, uniquePrefix('dlv'));
  table = res.tables.Billing!;
  queue = res.queues.DeliveryQueue!;
  const client = createDocumentClient();
  invoices = new InvoiceStore<Invoice>({
    client,
    tableName: table,
    parse: InvoiceSchema.parse,
    finalizeDraft: finalizeInvoice,
  });
  deliveries = new DeliveryStore({ client, tableName: table });
});

let seq = 0;
/** Stores a draft of the sample invoice and finalizes it (number, issue and due dates) like billing does. */
async function storedInvoice(over: Partial<Invoice> = {}): Promise<Invoice> {
  seq += 1;
  const id = `inv_dlv-${seq}-${Math.random().toString(36).slice(2, 8)}`;
  const draft = sampleInvoice({
    id,
    status: 'draft',
    number: null,
    finalizedAt: null,
    issueDate: null,
    dueDate: null,
    ...over,
  });
  await invoices.putDraft(draft);
  return invoices.finalize(id, { now: '2026-04-01T04:00:00Z' });
}

function deps(over: Partial<HandlerDeps> & { events?: DeliveryEvent[] } = {}): HandlerDeps {
  const events = over.events;
  return {
    invoices: new StoreInvoiceReader(invoices),
    deliveries,
    mailer: new SesMailer({ fromAddress: 'billing@acme.example' }),
    sentMail: new EmulatorSentMailLookup(sesEndpoint),
    clock: new TestClock('2026-04-01T06:00:00Z'),
    sender: { address: 'billing@acme.example', name: 'ACME Billing' },
    payTo: { accountHolder: 'ACME Billing Ltd', iban: 'GB33BUKB20201555555555' },
    metrics: new Metrics({ namespace: 'Tally', serviceName: 'test' }),
    logger: new Logger({ serviceName: 'test', logLevel: 'CRITICAL' }),
    ...(events ? { observe: (e: DeliveryEvent) => void events.push(e) } : {}),
    ...over,
  };
}

function sqsEvent(msg: DeliveryMessage, id = 'm1'): SQSEvent {
  return {
    Records: [
      {
        messageId: id,
        receiptHandle: id,
        body: JSON.stringify(msg),
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: '0',
          SenderId: 'x',
          ApproximateFirstReceiveTimestamp: '0',
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: queue.arn,
        awsRegion: 'us-east-1',
      },
    ],
  };
}

async function invoke(h: ReturnType<typeof makeHandler>, msg: DeliveryMessage): Promise<string[]> {
  const res = (await h(sqsEvent(msg), lambdaContext('deliver-invoice'))) as {
    batchItemFailures: { itemIdentifier: string }[];
  };
  return res.batchItemFailures.map((f) => f.itemIdentifier);
}

/** A store whose markSent fails once: the process "crashes" after SES accepted the mail. */
function crashAfterSend(store: DeliveryStore): DeliveryStore {
  let crashed = false;
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'markSent' && !crashed) {
        return async () => {
          crashed = true;
          throw new Error('injected crash after SendEmail, before recording sent');
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

describe('deliver-invoice against the SES emulator', () => {
  it('sends the invoice once through SQS with both bodies and the PDF, and ignores a duplicate request', async () => {
    const inv = await storedInvoice();
    const msg: DeliveryMessage = { invoiceId: inv.id, requestId: `${inv.id}:invoice`, kind: 'invoice' };
    const source = new SqsEventSource(clients.sqs, {
      functionName: 'deliver-invoice',
      queueUrl: queue.url,
      queueArn: queue.arn,
      handler: makeHandler(deps()) as never,
      batchSize: 10,
      maxBatchingWindowSeconds: 0,
      retryVisibilitySeconds: 0,
    });
    const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
    // the same request twice (an at-least-once producer)
    for (let i = 0; i < 2; i++) {
      await clients.sqs.send(
        new SendMessageCommand({ QueueUrl: queue.url, MessageBody: JSON.stringify(msg) }),
      );
    }
    source.start();
    await source.drained({ timeoutMs: 30_000 });
    await source.stop();

    const deliveryId = deliveryIdOf(msg);
    const mails = await sentMails(deliveryId);
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.destination.to).toEqual(['"Example GmbH" <billing@example.com>']);
    expect(mail.destination.bcc).toEqual([]);
    expect(mail.from).toBe('"ACME Billing" <billing@acme.example>');
    // number ACME-2026-000001 (first of the issuer in this table), due 1 April + 14 days
    expect(mail.subject).toBe(
      'Rechnung ACME-2026-000001 von ACME Billing Ltd: 59,44 € fällig am 15. April 2026',
    );
    expect(mail.body.text).toContain('ZU ZAHLEN: 59,44');
    expect(mail.body.html).toContain('<h1');
    expect(mail.body.html).toContain('59,44');
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]).toMatchObject({
      filename: 'invoice-ACME-2026-000001.pdf',
      contentType: 'application/pdf',
    });
    expect(Buffer.from(mail.attachments[0]!.content, 'base64').subarray(0, 5).toString('latin1')).toBe(
      '%PDF-',
    );

    const record = await deliveries.get(msg);
    expect(record).toMatchObject({
      state: 'sent',
      sesMessageId: mail.messageId,
      reconciled: false,
      attempts: 1,
    });
  });

  it('claims a new request without reading its delivery first; reads it only on a redelivery (duplicate)', async () => {
    const inv = await storedInvoice();
    const msg: DeliveryMessage = { invoiceId: inv.id, requestId: `${inv.id}:count`, kind: 'invoice' };
    const calls: string[] = [];
    const counted = new Proxy(deliveries, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          calls.push(String(prop));
          return v.apply(target, args);
        };
      },
    });
    const events: DeliveryEvent[] = [];
    const h = makeHandler(deps({ deliveries: counted, events }));

    expect(await invoke(h, msg)).toEqual([]);
    // suppressed contacts (one GetItem per address), the claim (conditional PutItem), `sent` (UpdateItem)
    expect(calls.splice(0)).toEqual(['suppressed', 'create', 'markSent']);
    expect(await invoke(h, msg)).toEqual([]);
    expect(calls).toEqual(['suppressed', 'create', 'get']);
    expect(events).toEqual(['Sent', 'Duplicate']);
    expect(await sentMails(deliveryIdOf(msg))).toHaveLength(1);
  });

  it('sends at most once when the function crashes between SendEmail and recording: reconciles after the lease', async () => {
    const inv = await storedInvoice();
    const msg: DeliveryMessage = { invoiceId: inv.id, requestId: 'crash-after', kind: 'invoice' };
    const clock = new TestClock('2026-04-01T06:00:00Z');
    const events: DeliveryEvent[] = [];
    const crashing = makeHandler(deps({ clock, deliveries: crashAfterSend(deliveries), events }));

    expect(await invoke(crashing, msg)).toEqual(['m1']);
    expect(await sentMails(deliveryIdOf(msg))).toHaveLength(1);
    expect(await deliveries.get(msg)).toMatchObject({ state: 'sending', sesMessageId: null });

    // Redelivered at once: the claim's lease (120 s) still holds, so nothing is sent.
    expect(await invoke(crashing, msg)).toEqual(['m1']);
    await clock.advance('121s');
    expect(await invoke(crashing, msg)).toEqual([]);

    const mails = await sentMails(deliveryIdOf(msg));
    expect(mails).toHaveLength(1);
    expect(await deliveries.get(msg)).toMatchObject({
      state: 'sent',
      sesMessageId: mails[0]!.messageId,
      reconciled: true,
    });
    expect(events).toEqual(['InProgress', 'Reconciled']);
  });

  it('sends once when the function crashed after claiming but before SendEmail', async () => {
    const inv = await storedInvoice();
    const msg: DeliveryMessage = { invoiceId: inv.id, requestId: 'crash-before', kind: 'invoice' };
    const clock = new TestClock('2026-04-01T06:00:00Z');
    const dying: Mailer = {
      sendRaw: async () => {
        throw new Error('injected crash before SendEmail');
      },
    };
    expect(await invoke(makeHandler(deps({ clock, mailer: dying })), msg)).toEqual(['m1']);
    expect(await sentMails(deliveryIdOf(msg))).toHaveLength(0);
    await clock.advance('121s');
    expect(await invoke(makeHandler(deps({ clock })), msg)).toEqual([]);
    expect(await sentMails(deliveryIdOf(msg))).toHaveLength(1);
    expect(await deliveries.get(msg)).toMatchObject({ state: 'sent', attempts: 2, reconciled: false });
  });

  it('in AWS (no sent-mail lookup) marks a crashed send sent-unknown for the operator instead of resending', async () => {
    const inv = await storedInvoice();
    const msg: DeliveryMessage = { invoiceId: inv.id, requestId: 'crash-aws', kind: 'invoice' };
    const clock = new TestClock('2026-04-01T06:00:00Z');
    const events: DeliveryEvent[] = [];
    const h = makeHandler(
      deps({ clock, deliveries: crashAfterSend(deliveries), sentMail: new NoSentMailLookup(), events }),
    );
    await invoke(h, msg);
    await clock.advance('121s');
    expect(await invoke(h, msg)).toEqual([]);
    expect(await sentMails(deliveryIdOf(msg))).toHaveLength(1);
    expect(await deliveries.get(msg)).toMatchObject({ state: 'sent-unknown' });
    expect(events).toContain('SentUnknown');
    const issues = await deliveries.issuesOn('2026-04-01');
    expect(issues.map((d) => d.requestId)).toContain('crash-aws');
  });

  it('retries SES throttling with backoff and sends once', async () => {
    const inv = await storedInvoice();
    const msg: DeliveryMessage = { invoiceId: inv.id, requestId: 'throttled', kind: 'invoice' };
    const { createSesClient } = await import('@tally/mail');
    const real = createSesClient();
    let throttles = 2;
    const client = {
      send: async (cmd: never) => {
        if (throttles-- > 0) {
          throw Object.assign(new Error('Maximum sending rate exceeded'), {
            name: 'TooManyRequestsException',
            $metadata: { httpStatusCode: 429 },
          });
        }
        return real.send(cmd);
      },
    };
    const mailer = new SesMailer({
      fromAddress: 'billing@acme.example',
      client: client as never,
      backoff: { attempts: 4, baseMs: 10, capMs: 50 },
    });
    expect(await invoke(makeHandler(deps({ mailer })), msg)).toEqual([]);
    expect(await sentMails(deliveryIdOf(msg))).toHaveLength(1);
  });

  it('marks a permanently rejected mail failed-permanent and raises the alarm metric', async () => {
    const inv = await storedInvoice();
    const msg: DeliveryMessage = { invoiceId: inv.id, requestId: 'rejected', kind: 'invoice' };
    const events: DeliveryEvent[] = [];
    const rejecting: Mailer = {
      sendRaw: async () => {
        throw new MailRejectedError('Email address is not verified', 'MessageRejected');
      },
    };
    expect(await invoke(makeHandler(deps({ mailer: rejecting, events })), msg)).toEqual([]);
    expect(await deliveries.get(msg)).toMatchObject({
      state: 'failed-permanent',
      lastError: 'Email address is not verified',
    });
    expect(events).toEqual(['FailedPermanent']);
    // a later duplicate of the request sends nothing
    expect(await invoke(makeHandler(deps({ events })), msg)).toEqual([]);
    expect(events).toEqual(['FailedPermanent', 'Duplicate']);
    expect(await sentMails(deliveryIdOf(msg))).toHaveLength(0);
  });

  it('never sends a reminder for a paid invoice', async () => {
    const inv = await storedInvoice();
    const paid = { ...inv, status: 'paid' as const, paidAt: '2026-04-10T00:00:00Z', paymentReference: 'p1' };
    const reader = { get: async () => paid };
    const msg: DeliveryMessage = {
      invoiceId: inv.id,
      requestId: 'reminder-1',
      kind: 'reminder',
      asOf: '2026-04-20',
    };
    expect(await invoke(makeHandler(deps({ invoices: reader })), msg)).toEqual([]);
    expect(await deliveries.get(msg)).toMatchObject({ state: 'skipped' });
    expect(await sentMails(deliveryIdOf(msg))).toHaveLength(0);
  });

  it('does not mail a suppressed (bounced) address', async () => {
    const inv = await storedInvoice({
      customer: { ...sampleInvoice().customer, billingEmails: ['bounced@example.com'] },
    });
    await deliveries.suppress({
      address: 'Bounced@example.com',
      reason: 'bounce',
      at: '2026-03-01T00:00:00Z',
      detail: 'Permanent/General',
      deliveryId: null,
    });
    const msg: DeliveryMessage = { invoiceId: inv.id, requestId: 'to-bounced', kind: 'invoice' };
    expect(await invoke(makeHandler(deps()), msg)).toEqual([]);
    expect(await deliveries.get(msg)).toMatchObject({ state: 'failed-permanent' });
    expect(await sentMails(deliveryIdOf(msg))).toHaveLength(0);
  });
});

describe('deliver-invoice handler instance', () => {
  it('keeps the outcomes of concurrent invocations apart: a failed record is never acknowledged', async () => {
    // The local runtime (and the soak) run two invocations of one handler at once; a batch processor shared
    // between them once mixed their outcomes: the second invocation's start cleared the first one's failure,
    // so a send that SES refused was deleted from the queue and never mailed.
    const [a1, a2, b] = [await storedInvoice(), await storedInvoice(), await storedInvoice()];
    const msg = (inv: Invoice, requestId: string): DeliveryMessage => ({
      invoiceId: inv.id,
      requestId,
      kind: 'invoice',
    });
    const [refused, slow, other] = [msg(a1, 'concurrent-1'), msg(a2, 'concurrent-2'), msg(b, 'concurrent-3')];
    let refusedNow!: () => void;
    const refusedSent = new Promise<void>((r) => {
      refusedNow = r;
    });
    let otherDone!: () => void;
    const otherFinished = new Promise<void>((r) => {
      otherDone = r;
    });
    const ses = new SesMailer({ fromAddress: 'billing@acme.example' });
    const mailer: Mailer = {
      sendRaw: async (raw, opts) => {
        if (opts.deliveryId === deliveryIdOf(refused)) {
          refusedNow();
          throw new MailRetryableError('Maximum sending rate exceeded', 'TooManyRequestsException');
        }
        if (opts.deliveryId === deliveryIdOf(slow)) await otherFinished;
        return ses.sendRaw(raw, opts);
      },
    };
    const h = makeHandler(deps({ mailer }));
    type Res = { batchItemFailures: { itemIdentifier: string }[] };
    const first: SQSEvent = {
      Records: [...sqsEvent(refused, 'msg-1').Records, ...sqsEvent(slow, 'msg-2').Records],
    };
    const ra = h(first, lambdaContext('deliver-invoice')) as Promise<Res>;
    // The second invocation starts after the first one's refused send, while its other record is in flight.
    await refusedSent;
    await new Promise((r) => setTimeout(r, 20));
    const rb = (h(sqsEvent(other, 'msg-3'), lambdaContext('deliver-invoice')) as Promise<Res>).finally(() =>
      otherDone(),
    );
    const [resA, resB] = await Promise.all([ra, rb]);
    expect(resA.batchItemFailures).toEqual([{ itemIdentifier: 'msg-1' }]);
    expect(resB.batchItemFailures).toEqual([]);
    expect(await deliveries.get(refused)).toMatchObject({ state: 'pending', attempts: 1 });
    expect(await sentMails(deliveryIdOf(slow))).toHaveLength(1);
    expect(await sentMails(deliveryIdOf(other))).toHaveLength(1);
  });
});

describe('itemized appendix from the usage store', () => {
  // A plan version that asks for call records, stored as JSON (the appendix loader reads `terms.appendix`
  // of the stored plan); the sample invoice's lines were rated with plan "business" v2.
  const plan = {
    id: 'business',
    version: 2,
    name: 'Business',
    currency: 'EUR',
    effectiveFrom: '2026-01-01',
    terms: { interval: 'month', appendix: { type: 'calls', meterId: 'calls' } },
    charges: [{ type: 'flat', id: 'base', amount: '49.00' }],
  };
  const callsMeter = {
    id: 'calls',
    eventType: 'tally.call.completed',
    valuePath: 'durationSeconds',
    unit: 's',
    aggregation: 'sum' as const,
    dimensions: { destination: 'destination' },
  };
  const call = (id: string, subject: string, time: string, destination: string, durationSeconds: number) => ({
    customerId: subject,
    hash: `h-${id}`,
    receivedAt: time,
    origin: `test.${id}`,
    event: {
      specversion: '1.0' as const,
      id,
      source: 'urn:tally:test:switch',
      type: 'tally.call.completed',
      subject,
      time,
      data: { destination, durationSeconds },
    },
  });
  let loaderFor: (limit?: number) => Promise<import('../functions/deliver-invoice/ports.js').AppendixLoader>;
  /** The sample invoice with its usage lines on the calls meter (an invoice without them gets no appendix). */
  const callsInvoice = () =>
    sampleInvoice({
      lines: sampleInvoice().lines.map((l) => (l.meterId ? { ...l, meterId: 'calls' } : l)),
    });

  beforeAll(async () => {
    const { PlanAppendixLoader, UsageAppendixSource } = await import(
      '../functions/deliver-invoice/adapters.js'
    );
    const { CatalogStore, PlanStore, UsageStore } = await import('@tally/store');
    const res = await createResources(clients, uniquePrefix('apx'));
    const doc = createDocumentClient();
    const usage = new UsageStore({ doc, tableName: res.tables.Usage! });
    const catalog = new CatalogStore({ doc, tableName: res.tables.Billing! });
    const plans = new PlanStore({ client: doc, tableName: res.tables.Billing! });
    await catalog.putMeter(callsMeter);
    await plans.put(plan);
    // Period: March 2026 in Berlin = [2026-02-28T23:00Z, 2026-03-31T22:00Z). Three calls of cus-7 inside it,
    // one just before it, one of another customer.
    const outcomes = await usage.putEvents([
      call('c1', 'cus-7', '2026-03-02T08:15:00Z', '4930111111', 61),
      call('c2', 'cus-7', '2026-03-31T21:59:00Z', '4917622222', 3540),
      call('c3', 'cus-7', '2026-03-10T12:00:00Z', '441632333333', 7),
      call('c0', 'cus-7', '2026-02-28T22:59:59Z', '4930999999', 10),
      call('x1', 'cus-other', '2026-03-05T10:00:00Z', '4930888888', 30),
    ]);
    expect(outcomes.every((o) => o.status === 'stored')).toBe(true);
    loaderFor = async (limit?: number) =>
      new PlanAppendixLoader({
        plans,
        source: new UsageAppendixSource({ usage, meters: catalog }),
        ...(limit === undefined ? {} : { limit }),
      });
  });

  async function pdfText(pdf: Buffer): Promise<string> {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const file = join(mkdtempSync(join(tmpdir(), 'tally-apx-')), 'invoice.pdf');
    writeFileSync(file, pdf);
    return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  }

  it("puts the customer's call records of the invoice period into the PDF of a plan that asks for them", async () => {
    const { renderDocument } = await import('@tally/documents');
    const inv = callsInvoice();
    const appendix = await (await loaderFor()).forDocument(inv, 'invoice');
    expect(appendix).toMatchObject({ type: 'calls', total: 3 });
    const doc = await renderDocument(inv, { kind: 'invoice' }, appendix ? { appendix } : {});
    const text = await pdfText(doc.attachments[0]!.content);
    expect(text).toContain('Einzelverbindungsnachweis');
    expect(text).toContain('3 Einträge');
    // oldest first: 2 March, 10 March, 31 March; the call before the period and the other customer's are not listed
    const order = ['4930111111', '441632333333', '4917622222'].map((d) => text.indexOf(d));
    expect(order.every((i) => i > 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(text).toContain('3.540');
    expect(text).not.toContain('4930999999');
    expect(text).not.toContain('4930888888');
    const csv = doc.attachments[1]!.content.toString('utf8');
    expect(csv).toContain('2026-03-31T21:59:00.000Z,4917622222,3540');
  });

  it('cuts a long list at the limit and says how many records there are', async () => {
    const appendix = await (await loaderFor(2)).forDocument(callsInvoice(), 'invoice');
    expect(appendix?.records).toHaveLength(2);
    expect(appendix).toMatchObject({ total: 3 });
    const { renderDocument } = await import('@tally/documents');
    const doc = await renderDocument(callsInvoice(), { kind: 'invoice' }, appendix ? { appendix } : {});
    expect((await pdfText(doc.attachments[0]!.content)).replace(/\s+/g, ' ')).toContain(
      'die ersten 2 von 3 Einträgen',
    );
  });

  it('loads no appendix for mails without the invoice PDF, nor for a plan that asks for none', async () => {
    const loader = await loaderFor();
    expect(await loader.forDocument(sampleInvoice(), 'receipt')).toBeUndefined();
    const otherPlan = sampleInvoice({
      lines: sampleInvoice().lines.map((l) => ({ ...l, planId: 'no-such-plan' })),
    });
    expect(await loader.forDocument(otherPlan, 'invoice')).toBeUndefined();
  });
});

describe('mail-feedback resolves sends from SES events', () => {
  async function feedbackHandler(clock: TestClock) {
    process.env.TALLY_BILLING_TABLE ??= table;
    const mod = await import('../functions/mail-feedback/handler.js');
    return mod.makeHandler({
      store: deliveries,
      clock,
      metrics: new Metrics({ namespace: 'Tally', serviceName: 'test' }),
      logger: new Logger({ serviceName: 'test', logLevel: 'CRITICAL' }),
    });
  }

  /** An SES Send event as the configuration set publishes it through SNS (raw) to the feedback queue. */
  function sendEvent(deliveryId: string, messageId: string): SQSEvent {
    const body = {
      eventType: 'Send',
      mail: {
        timestamp: '2026-04-01T06:00:00.500Z',
        source: 'billing@acme.example',
        messageId,
        destination: ['billing@example.com'],
        headersTruncated: false,
        headers: [{ name: 'X-Tally-Delivery', value: deliveryId }],
        tags: { 'ses:configuration-set': ['tally'], 'tally-delivery': [deliveryId] },
      },
      send: {},
    };
    const e = sqsEvent({ invoiceId: 'x', requestId: 'x', kind: 'invoice' }, `ses-${messageId}`);
    return { Records: e.Records.map((r) => ({ ...r, body: JSON.stringify(body) })) };
  }

  async function feed(h: Awaited<ReturnType<typeof feedbackHandler>>, e: SQSEvent): Promise<string[]> {
    const res = (await h(e, lambdaContext('mail-feedback'))) as {
      batchItemFailures: { itemIdentifier: string }[];
    };
    return res.batchItemFailures.map((f) => f.itemIdentifier);
  }

  it('marks a sent-unknown delivery sent with the SES message id when the Send event arrives', async () => {
    const inv = await storedInvoice();
    const msg: DeliveryMessage = { invoiceId: inv.id, requestId: 'unknown-then-event', kind: 'invoice' };
    const clock = new TestClock('2026-04-01T06:00:00Z');
    const h = makeHandler(
      deps({ clock, deliveries: crashAfterSend(deliveries), sentMail: new NoSentMailLookup() }),
    );
    await invoke(h, msg);
    await clock.advance('121s');
    await invoke(h, msg);
    expect(await deliveries.get(msg)).toMatchObject({ state: 'sent-unknown' });
    const [mail] = await sentMails(deliveryIdOf(msg));
    expect(await feed(await feedbackHandler(clock), sendEvent(deliveryIdOf(msg), mail!.messageId))).toEqual(
      [],
    );
    expect(await deliveries.get(msg)).toMatchObject({
      state: 'sent',
      sesMessageId: mail!.messageId,
      reconciled: true,
      sentAt: '2026-04-01T06:00:00.500Z',
    });
    // the same event again (SNS and SQS deliver at least once) changes nothing
    expect(await feed(await feedbackHandler(clock), sendEvent(deliveryIdOf(msg), mail!.messageId))).toEqual(
      [],
    );
    expect(await deliveries.get(msg)).toMatchObject({ state: 'sent', sesMessageId: mail!.messageId });
  });

  it('waits for the lease of a crashed attempt, then records the send, so the redelivery neither resends nor alarms', async () => {
    const inv = await storedInvoice();
    const msg: DeliveryMessage = { invoiceId: inv.id, requestId: 'crash-then-event', kind: 'invoice' };
    const clock = new TestClock('2026-04-01T06:00:00Z');
    const events: DeliveryEvent[] = [];
    const h = makeHandler(
      deps({ clock, deliveries: crashAfterSend(deliveries), sentMail: new NoSentMailLookup(), events }),
    );
    await invoke(h, msg); // SES took the mail; recording it crashed: `sending`, lease until 06:02:00
    const [mail] = await sentMails(deliveryIdOf(msg));
    const fb = await feedbackHandler(clock);
    const event = sendEvent(deliveryIdOf(msg), mail!.messageId);
    // within the lease the attempt could still record it: the event comes back later
    expect(await feed(fb, event)).toEqual([`ses-${mail!.messageId}`]);
    expect(await deliveries.get(msg)).toMatchObject({ state: 'sending' });
    await clock.advance('61s'); // the feedback queue's visibility timeout: still inside the lease
    expect(await feed(fb, event)).toHaveLength(1);
    await clock.advance('60s'); // 06:02:01, lease over
    expect(await feed(fb, event)).toEqual([]);
    expect(await deliveries.get(msg)).toMatchObject({ state: 'sent', sesMessageId: mail!.messageId });
    // the delivery message comes back after its visibility timeout: a duplicate, no second mail, no alarm
    await clock.advance('60s');
    expect(await invoke(h, msg)).toEqual([]);
    expect(events).toEqual(['Duplicate']);
    expect(await sentMails(deliveryIdOf(msg))).toHaveLength(1);
  });
});
