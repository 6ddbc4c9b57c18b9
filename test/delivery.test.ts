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
