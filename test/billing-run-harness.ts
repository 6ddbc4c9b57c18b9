import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import {
  type Customer,
  CustomerSchema,
  type Issuer,
  type Subscription,
  SubscriptionSchema,
} from '@tally/billing';
import { payloadHash } from '@tally/ingest';
import type { MeterInput, UsageEvent } from '@tally/metering';
import { type Plan, type PlanInput, PlanSchema } from '@tally/rating';
import {
  CatalogStore,
  createDocumentClient,
  type InvoiceStore,
  PlanStore,
  SubscriptionStore,
  UsageStore,
} from '@tally/store';
import { billingInvoiceStore, closePeriods } from '@tally/workflow';
import type { SQSEvent } from 'aws-lambda';
import { DateTime } from 'luxon';
import { SqsDelivery, StoreCatalog } from '../functions/bill-subscription/adapters.js';
import { type BillingDeps, type DunningPort, initialCycle } from '../functions/bill-subscription/bill.js';
import type { Invoice } from '../functions/bill-subscription/billing-api.js';
import { makeHandler as makeBillHandler } from '../functions/bill-subscription/handler.js';
import {
  createResources,
  LocalScheduler,
  lambdaContext,
  SqsEventSource,
  TestClock,
} from '../packages/local-stack/src/index.js';
import { injectThrottling, type ThrottleInjection } from '../packages/pipeline/src/throttle.js';
import { localClients, uniquePrefix } from './support/aws.js';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = process.env.BILL_DEBUG ? 'DEBUG' : 'SILENT';

export const ISSUER: Issuer = {
  id: 'acme',
  legalName: 'ACME Metering Ltd',
  numberPrefix: 'ACME',
  timeZone: 'UTC',
};

export const CALLS_METER: MeterInput = { id: 'calls', eventType: 'api.call', aggregation: 'count' };
export const GB_METER: MeterInput = {
  id: 'gb',
  eventType: 'storage.used',
  valuePath: 'gb',
  aggregation: 'max',
  unit: 'GB',
};

/** 10.00 a month in arrears, 0.05 per call above 100 included, 0.50 per GB of the month's peak storage. */
export const PLAN: PlanInput = {
  id: 'std',
  version: 1,
  name: 'Standard',
  currency: 'EUR',
  effectiveFrom: '2025-01-01T00:00:00Z',
  terms: { fixedFeeTiming: 'arrears', draftGraceHours: 6, lateAcceptanceDays: 35 },
  charges: [
    { type: 'flat', id: 'base', amount: '10.00' },
    { type: 'per-unit', id: 'calls', meterId: 'calls', unitPrice: '0.05', included: '100' },
    { type: 'per-unit', id: 'storage', meterId: 'gb', unitPrice: '0.50' },
  ],
};

export function customer(id: string, timeZone: string): Customer {
  return CustomerSchema.parse({
    id,
    legalName: `${id} Ltd`,
    billingEmails: [`billing@${id}.example`],
    locale: 'en-GB',
    timeZone,
    currency: 'EUR',
    tax: { mode: 'exclusive', rates: [], rounding: 'per-invoice' },
    issuerId: ISSUER.id,
    paymentTermsDays: 14,
  });
}

export interface Crash {
  /** `<port>.<method>`, e.g. `invoices.finalize`. */
  readonly at: string;
  /** Crash after the call took effect (its reply is lost) instead of before. */
  readonly after: boolean;
  /** How many times to crash there (default 1). */
  readonly times?: number;
}

export class InjectedCrash extends Error {
  override name = 'InjectedCrash';
}

/** A call billing made to one of its ports: `<port>.<method>` and the first argument. */
export interface PortCall {
  readonly at: string;
  readonly arg: unknown;
}

/** Wraps a port so that the named method crashes (before or after taking effect) the given number of times. */
function withCrashes<T extends object>(
  name: string,
  port: T,
  crashes: Crash[],
  log: string[],
  calls?: PortCall[],
): T {
  return new Proxy(port, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      const at = `${name}.${String(prop)}`;
      const record = (args: unknown[]) => calls?.push({ at, arg: args[0] });
      const take = (after: boolean) => {
        const crash = crashes.find((c) => c.at === at && c.after === after && (c.times ?? 1) > 0);
        if (crash === undefined) return;
        (crash as { times?: number }).times = (crash.times ?? 1) - 1;
        log.push(`${at}:${after ? 'after' : 'before'}`);
        throw new InjectedCrash(`crash ${after ? 'after' : 'before'} ${at}`);
      };
      if (value.constructor.name === 'AsyncGeneratorFunction') {
        // A stream crashes before its first item or after its last one.
        return async function* (...args: unknown[]) {
          record(args);
          take(false);
          yield* value.apply(target, args);
          take(true);
        };
      }
      return async (...args: unknown[]) => {
        record(args);
        take(false);
        const result = await value.apply(target, args);
        take(true);
        return result;
      };
    },
  });
}

export interface Harness {
  readonly clock: TestClock;
  /** The environment of this harness's tables and queues (names by their env var) and the DynamoDB endpoint. */
  readonly env: Readonly<Record<string, string>>;
  readonly scheduler: LocalScheduler;
  readonly usage: UsageStore;
  readonly invoices: InvoiceStore<Invoice>;
  readonly subscriptions: SubscriptionStore<Subscription>;
  readonly catalog: CatalogStore;
  readonly plans: PlanStore<Plan>;
  readonly jobs: SqsEventSource;
  readonly deps: BillingDeps;
  readonly crashLog: string[];
  readonly dunningStarted: string[];
  /** Creates the customer and a calendar-monthly subscription starting at the local midnight of `startLocal`. */
  subscribe(c: Customer, subId: string, startLocal?: string, plan?: PlanInput): Promise<Subscription>;
  /** Stores events as ingestion would, arriving at `receivedAt` (default: one minute after their time). */
  putEvents(customerId: string, events: { event: UsageEvent; receivedAt?: string }[]): Promise<void>;
  /** Moves the clock (schedules fire) and waits until every billing job is done. */
  advanceTo(to: string): Promise<void>;
  /** Moves the clock day by day to `to`, settling after each day. */
  walkTo(to: string, stepMs?: number): Promise<void>;
  deliveryMessages(): Promise<{ invoiceId: string; requestId: string; kind: string }[]>;
  closeOnce(): Promise<{ due: number; enqueued: number }>;
  stop(): Promise<void>;
}

export async function billingHarness(
  opts: {
    clockStart?: string;
    crashes?: Crash[];
    concurrency?: number;
    /** Throttles injected into the usage store's DynamoDB client, as the chaos soak does. */
    usageThrottle?: ThrottleInjection;
    /** Collects every call billing makes to its ports (`invoices.get` …) with its first argument. */
    calls?: PortCall[];
  } = {},
): Promise<Harness> {
  const { ddb, sqs } = localClients();
  const res = await createResources({ ddb, sqs }, uniquePrefix('bill'));
  const doc = createDocumentClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB });
  const billing = res.tables.Billing!;
  const jobsQ = res.queues.BillingJobsQueue!;
  const deliveryQ = res.queues.DeliveryQueue!;
  const clock = new TestClock(opts.clockStart ?? '2025-12-31T00:00:00Z');
  const scheduler = new LocalScheduler(clock);
  const invoices = billingInvoiceStore(doc, billing);
  const subscriptions = new SubscriptionStore<Subscription>({
    client: doc,
    tableName: billing,
    parse: (d) => SubscriptionSchema.parse(d),
  });
  const catalog = new CatalogStore({ doc, tableName: billing });
  const plans = new PlanStore<Plan>({ client: doc, tableName: billing, parse: (d) => PlanSchema.parse(d) });
  const usageDoc = opts.usageThrottle
    ? createDocumentClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB })
    : doc;
  if (opts.usageThrottle) injectThrottling(usageDoc, opts.usageThrottle);
  const usage = new UsageStore({ doc: usageDoc, tableName: res.tables.Usage!, now: () => clock.now() });
  await invoices.putIssuer(ISSUER);
  await catalog.putMeter(CALLS_METER);
  await catalog.putMeter(GB_METER);
  await plans.put(PlanSchema.parse(PLAN));

  const crashLog: string[] = [];
  const crashes = opts.crashes ?? [];
  const dunningStarted: string[] = [];
  const dunning: DunningPort = {
    startDunning: async (id) => {
      dunningStarted.push(id);
    },
  };
  const deps: BillingDeps = {
    subscriptions: withCrashes('subscriptions', subscriptions, crashes, crashLog, opts.calls),
    invoices: withCrashes('invoices', invoices, crashes, crashLog, opts.calls),
    catalog: new StoreCatalog({ catalog, plans, invoices }),
    usage: withCrashes('usage', usage, crashes, crashLog, opts.calls),
    delivery: withCrashes('delivery', new SqsDelivery(sqs, deliveryQ.url), crashes, crashLog),
    dunning: withCrashes('dunning', dunning, crashes, crashLog),
    clock,
  };
  const handler = makeBillHandler({
    ...deps,
    logger: new Logger({ serviceName: 'test-bill', logLevel: process.env.BILL_DEBUG ? 'INFO' : 'SILENT' }),
    metrics: new Metrics({ namespace: 'Test', serviceName: 'test-bill' }),
  });
  const jobs = new SqsEventSource(sqs, {
    functionName: 'bill-subscription',
    queueUrl: jobsQ.url,
    queueArn: jobsQ.arn,
    handler: (e: SQSEvent) => handler(e, lambdaContext('bill-subscription')),
    batchSize: 1,
    maxBatchingWindowSeconds: 0,
    concurrency: opts.concurrency ?? 2,
    retryVisibilitySeconds: 0,
  });
  jobs.start();
  const closeDeps = { subscriptions, sqs, jobsQueueUrl: jobsQ.url, clock };
  scheduler.add({
    name: 'close-periods',
    expression: 'rate(1 hour)',
    fire: async () => void (await closePeriods(closeDeps)),
  });

  const deliveries: { invoiceId: string; requestId: string; kind: string }[] = [];
  const harness: Harness = {
    clock,
    env: { ...res.env, AWS_ENDPOINT_URL_DYNAMODB: process.env.AWS_ENDPOINT_URL_DYNAMODB ?? '' },
    scheduler,
    usage,
    invoices,
    subscriptions,
    catalog,
    plans,
    jobs,
    deps,
    crashLog,
    dunningStarted,
    async subscribe(c, subId, startLocal = '2026-01-01', planInput = PLAN) {
      const startIso = DateTime.fromISO(`${startLocal}T00:00:00`, { zone: c.timeZone }).toUTC().toISO()!;
      await catalog.putCustomer({ ...c, status: 'active' });
      const sub = SubscriptionSchema.parse({
        id: subId,
        customerId: c.id,
        start: startIso,
        interval: 'month',
        alignment: 'calendar',
        phases: [{ from: startIso, planId: planInput.id, planVersion: planInput.version }],
      });
      await subscriptions.put(sub, initialCycle(sub, c, PlanSchema.parse(planInput)));
      return sub;
    },
    async putEvents(customerId, events) {
      const outcomes = await usage.putEvents(
        events.map(({ event, receivedAt }, i) => ({
          customerId,
          event,
          hash: payloadHash(event),
          receivedAt: receivedAt ?? new Date(Date.parse(event.time) + 60_000).toISOString(),
          origin: `test.${event.id}.${i}`,
        })),
      );
      const bad = outcomes.filter((o) => o.status === 'error');
      if (bad.length > 0) throw new Error(`could not store ${bad.length} events`);
    },
    async advanceTo(to) {
      await clock.set(to);
      await jobs.drained({ timeoutMs: 60_000, pollMs: 20 });
    },
    async walkTo(to, stepMs = 86_400_000) {
      for (let t = clock.now().getTime() + stepMs; t < Date.parse(to); t += stepMs) {
        await harness.advanceTo(new Date(t).toISOString());
      }
      await harness.advanceTo(to);
    },
    async deliveryMessages() {
      for (;;) {
        const r = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: deliveryQ.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
        );
        const msgs: Message[] = r.Messages ?? [];
        if (msgs.length === 0) break;
        deliveries.push(...msgs.map((m) => JSON.parse(m.Body!)));
      }
      return deliveries;
    },
    closeOnce: () => closePeriods(closeDeps),
    async stop() {
      await jobs.stop();
    },
  };
  return harness;
}

/** A usage event of `type` for a customer at `time`. */
export function event(
  customerId: string,
  type: string,
  id: string,
  time: string,
  data: Record<string, unknown> = {},
): UsageEvent {
  return { specversion: '1.0', id, source: `urn:test:${customerId}`, type, subject: customerId, time, data };
}
