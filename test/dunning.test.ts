import { Logger } from '@aws-lambda-powertools/logger';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type Invoice, markInvoicePaid } from '@tally/billing';
import { DEFAULT_POLICIES, type DunningPolicies, DunningPoliciesSchema } from '@tally/dunning';
import { type CfnTemplate, createResources, lambdaContext, TestClock } from '@tally/local-stack';
import { AccountSchema, PaymentSchema } from '@tally/payments';
import { createDocumentClient, type InvoiceStore, PaymentStore } from '@tally/store';
import {
  billingInvoiceStore,
  EventBridgePublisher,
  invoiceSourceFromStore,
  Receivables,
  SfnDunningStarter,
  SqsMailSender,
} from '@tally/workflow';
import { type LocalDunning, startLocalDunning } from '@tally/workflow/local';
import { draftInvoice } from '@tally/workflow/testing';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryMessageSchema } from '../functions/deliver-invoice/deliver.js';
import { Dunning } from '../infra/constructs/dunning.js';
import { localClients, uniquePrefix } from './support/aws.js';

// The synthesized dunning ASL on the local Step Functions endpoint, started through the real SDK client, with
// waits driven by a TestClock; mails land on the delivery queue, provisioning events on the local bus log.

const logger = new Logger({ serviceName: 'test-dunning', logLevel: 'ERROR' });
let template: CfnTemplate;
let clients: ReturnType<typeof localClients>;
let resources: Awaited<ReturnType<typeof createResources>>;
let makeDecide: typeof import('../functions/dunning-decide/handler.js').makeHandler;
let makeAct: typeof import('../functions/dunning-act/handler.js').makeHandler;

beforeAll(async () => {
  // The handler modules build their default dependencies from the environment when imported.
  process.env.TALLY_EVENT_BUS_NAME ??= 'tally-events';
  makeDecide = (await import('../functions/dunning-decide/handler.js')).makeHandler;
  makeAct = (await import('../functions/dunning-act/handler.js')).makeHandler;
  clients = localClients();
  resources = await createResources(clients, uniquePrefix('dun'));
  // The Dunning construct alone (the same ASL the stateless stack carries), synthesized without bundling.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'DunningTest');
  new Dunning(stack, 'Dunning', {
    billingTable: new Table(stack, 'Billing', { partitionKey: { name: 'pk', type: AttributeType.STRING } }),
    deliveryQueue: new Queue(stack, 'Delivery'),
  });
  template = Template.fromStack(stack).toJSON() as CfnTemplate;
});

interface Harness {
  clock: TestClock;
  local: LocalDunning;
  receivables: Receivables;
  invoices: InvoiceStore<Invoice>;
  starter: SfnDunningStarter;
  /** Task invocations so far, by task. */
  calls: { decide: number; act: number };
  /** Mails taken off the delivery queue so far (requestIds), in order. */
  mails(): Promise<string[]>;
  events(): string[];
}

const running: LocalDunning[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((l) => l.stop()));
});

async function drain(sqs: SQSClient, queueUrl: string, into: { requestId: string }[]): Promise<void> {
  for (;;) {
    const res = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    const msgs = res.Messages ?? [];
    if (msgs.length === 0) return;
    // Every message must be one the deliver-invoice consumer accepts (the contract between the two).
    for (const m of msgs) into.push(DeliveryMessageSchema.parse(JSON.parse(m.Body!)));
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: msgs.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
}

async function harness(
  opts: { policies?: DunningPolicies; beforeAct?: (input: unknown) => Promise<void> } = {},
): Promise<Harness> {
  const clock = new TestClock('2026-01-02T06:00:00Z');
  const doc = createDocumentClient();
  const table = resources.tables.Billing!;
  const queueUrl = resources.queues.DeliveryQueue!.url;
  const invoices = billingInvoiceStore(doc, table);
  let receivables!: Receivables;
  const decide = makeDecide({ receivables: { decide: (i) => receivables.decide(i) }, logger });
  const act = makeAct({ receivables: { act: (i) => receivables.act(i) }, logger });
  const calls = { decide: 0, act: 0 };
  const local = await startLocalDunning({
    template,
    clock,
    handlers: {
      'dunning-decide': (input) => {
        calls.decide++;
        return decide(input, lambdaContext('dunning-decide')) as never;
      },
      'dunning-act': async (input) => {
        calls.act++;
        await opts.beforeAct?.(input);
        return act(input, lambdaContext('dunning-act')) as never;
      },
    },
  });
  running.push(local);
  Object.assign(process.env, local.env);
  receivables = new Receivables({
    payments: new PaymentStore({ client: doc, tableName: table, parseAccount: AccountSchema.parse }),
    invoices: invoiceSourceFromStore(invoices, markInvoicePaid),
    mail: new SqsMailSender({ queueUrl, client: clients.sqs }),
    events: new EventBridgePublisher({ eventBusName: local.env.TALLY_EVENT_BUS_NAME! }),
    policies: opts.policies ?? DEFAULT_POLICIES,
    clock,
  });
  const taken: { requestId: string }[] = [];
  return {
    clock,
    local,
    receivables,
    invoices,
    calls,
    starter: new SfnDunningStarter({ stateMachineArn: local.env.TALLY_DUNNING_STATE_MACHINE_ARN! }),
    async mails() {
      await drain(clients.sqs, queueUrl, taken);
      return taken.map((m) => m.requestId);
    },
    events: () =>
      local.bus.events.map((e) => `${e.detailType}:${(e.detail as { customerId: string }).customerId}`),
  };
}

/** Stores a draft and finalizes it at the clock's now: issued 2026-01-02, due 2026-02-01 (net 30, Berlin). */
async function finalized(h: Harness, id: string, customerId: string, amountDue = '100.00'): Promise<Invoice> {
  await h.invoices.putDraft(draftInvoice({ id, customerId, amountDue }));
  const inv = await h.invoices.finalize(id, { now: h.clock.now().toISOString() });
  expect(inv.dueDate).toBe('2026-02-01');
  return inv;
}

function pay(id: string, invoiceId: string, amount: string, receivedAt: string) {
  return PaymentSchema.parse({ id, amount, currency: 'EUR', receivedAt, invoiceId, source: 'manual' });
}

function unique(label: string): string {
  return `${label}-${Math.random().toString(36).slice(2, 8)}`;
}

describe('dunning on the local Step Functions endpoint', () => {
  it('sends no reminder for an invoice paid before its due date, and a second start is a no-op', async () => {
    const h = await harness();
    const id = unique('inv-early');
    await finalized(h, id, unique('c'));
    const first = await h.starter.startDunning(id);
    // The same name and input while running: AWS answers with the running execution (no second one).
    const again = await h.starter.startDunning(id);
    expect(again.executionArn).toBe(first.executionArn);
    await h.local.idle();
    await h.clock.set('2026-01-20T10:00:00Z');
    await h.receivables.record(pay(`${id}-p1`, id, '100.00', '2026-01-20T10:00:00Z'));
    await h.clock.set('2026-04-01T00:00:00Z');
    await h.local.sfn.settled();
    const [execution, ...others] = [...h.local.sfn.executions.values()];
    expect(execution).toMatchObject({ name: id, status: 'SUCCEEDED' });
    expect(others).toEqual([]);
    // Once ended, the name stays taken: ExecutionAlreadyExists, reported as not started.
    expect(await h.starter.startDunning(id)).toEqual({ started: false, executionArn: first.executionArn });
    expect(await h.mails()).toEqual([`${id}:receipt:${id}-p1`]);
    expect(h.events()).toEqual([]);
    expect((await h.invoices.get(id))?.invoice.status).toBe('paid');
  });

  it('stops after the second reminder when the customer pays, and restores the suspended account', async () => {
    const policies = DunningPoliciesSchema.parse([
      {
        segment: 'default',
        steps: [
          { action: 'remind', afterDays: 3 },
          { action: 'remind', afterDays: 10 },
          { action: 'suspend', afterDays: 12 },
          { action: 'remind', afterDays: 20 },
          { action: 'final-notice', afterDays: 30 },
          { action: 'collections', afterDays: 45 },
        ],
      },
    ]);
    const h = await harness({ policies });
    const id = unique('inv-late');
    const customer = unique('c');
    await finalized(h, id, customer);
    await h.starter.startDunning(id);
    await h.local.idle();
    // due 2026-02-01; +3 d = 02-04, +10 d = 02-11, +12 d = 02-13 (09:00 Berlin = 08:00Z)
    await h.clock.set('2026-02-04T08:00:00Z');
    expect(await h.mails()).toEqual([`${id}:reminder:1`]);
    await h.clock.set('2026-02-13T08:00:00Z');
    expect(await h.mails()).toEqual([`${id}:reminder:1`, `${id}:reminder:2`, `${id}:suspended`]);
    expect(h.events()).toEqual([`tally.account.suspended:${customer}`]);
    await h.clock.set('2026-02-15T12:00:00Z');
    await h.receivables.record(pay(`${id}-p1`, id, '100.00', '2026-02-15T12:00:00Z'));
    await h.clock.set('2026-04-01T00:00:00Z');
    await h.local.sfn.settled();
    expect(await h.mails()).toEqual([
      `${id}:reminder:1`,
      `${id}:reminder:2`,
      `${id}:suspended`,
      `${id}:receipt:${id}-p1`,
      `${id}:restored:${id}-p1`,
    ]);
    expect(h.events()).toEqual([`tally.account.suspended:${customer}`, `tally.account.restored:${customer}`]);
    expect([...h.local.sfn.executions.values()][0]?.status).toBe('SUCCEEDED');
  });

  it('escalates fully and in order when the customer never pays', async () => {
    const h = await harness();
    const id = unique('inv-never');
    const customer = unique('c');
    await finalized(h, id, customer);
    await h.starter.startDunning(id);
    await h.local.idle();
    // One clock jump per week through +50 days.
    for (let day = 7; day <= 91; day += 7) await h.clock.advance('7d');
    await h.local.sfn.settled();
    expect(await h.mails()).toEqual([
      `${id}:reminder:1`,
      `${id}:reminder:2`,
      `${id}:reminder:3`,
      `${id}:suspended`,
      `${id}:final-notice`,
    ]);
    expect(h.events()).toEqual([
      `tally.account.suspended:${customer}`,
      `tally.invoice.collections:${customer}`,
    ]);
    const account = await new PaymentStore({
      client: createDocumentClient(),
      tableName: resources.tables.Billing!,
    }).getAccount(customer);
    // 2 % late fee at +10 d on 100.00 = 2.00
    expect(account?.invoices[id]).toMatchObject({ fees: '2.00', status: 'open' });
    expect(account?.invoices[id]?.dunning.history.map((s) => s.action)).toEqual([
      'remind',
      'remind',
      'late-fee',
      'remind',
      'suspend',
      'final-notice',
      'collections',
    ]);
    // Act answers the next decision, so Decide runs only at the start and after each of the 5 waits
    // (before steps 0, 1, 3, 4 and 6; steps 2 and 5 fall due with the one before them): 1 + 5 = 6.
    // Act runs for `open` and the 7 steps: 8.
    expect(h.calls).toEqual({ decide: 6, act: 8 });
  });

  it('sends no reminder when the payment lands while the reminder step runs (check, record, then send)', async () => {
    let h!: Harness;
    const id = unique('inv-race');
    h = await harness({
      beforeAct: async (input) => {
        const d = (input as { decision: { action: string; step: number } }).decision;
        // The payment is stored after Decide said "remind" and before Act's conditional write.
        if (d.action === 'remind' && d.step === 0) {
          await h.receivables.record(pay(`${id}-p1`, id, '100.00', h.clock.now().toISOString()));
        }
      },
    });
    await finalized(h, id, unique('c'));
    await h.starter.startDunning(id);
    await h.local.idle();
    await h.clock.set('2026-04-01T00:00:00Z');
    await h.local.sfn.settled();
    expect(await h.mails()).toEqual([`${id}:receipt:${id}-p1`]);
    expect([...h.local.sfn.executions.values()][0]?.status).toBe('SUCCEEDED');
  });
});
