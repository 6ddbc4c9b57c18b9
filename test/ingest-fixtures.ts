import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type Accounting, type BatchResult, emptyAccounting, ingestPolicy } from '@tally/ingest';
import type { MeterInput } from '@tally/metering';
import {
  CachedCatalog,
  CatalogStore,
  createDocumentClient,
  PlanStore,
  QuarantineStore,
  SubscriptionStore,
  UsageStore,
} from '@tally/store';
import type { SQSEvent } from 'aws-lambda';
import { subscriptionAcceptance } from '../functions/ingest/acceptance.js';
import {
  createResources,
  lambdaContext,
  SqsEventSource,
  TestClock,
} from '../packages/local-stack/src/index.js';
import { localClients, uniquePrefix } from './support/aws.js';

export const NOW = '2026-01-10T12:00:00.000Z';

export const METERS: MeterInput[] = [
  { id: 'calls', eventType: 'tally.call.completed', aggregation: 'count' },
  { id: 'call-seconds', eventType: 'tally.call.completed', aggregation: 'sum', valuePath: 'durationSeconds' },
  {
    id: 'energy',
    eventType: 'tally.meter.read',
    aggregation: 'register-delta',
    valuePath: 'kwh',
    register: { max: '100000' },
  },
];

/** A valid call event; override any field. */
export function call(id: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    specversion: '1.0',
    id,
    source: 'urn:tally:switch:fra1',
    type: 'tally.call.completed',
    subject: 'cust-a',
    time: '2026-01-09T08:00:00Z',
    data: { durationSeconds: 61, destination: '4930123456' },
    ...over,
  };
}

export function read(
  id: string,
  time: string,
  kwh: number | string,
  subject = 'dev-1',
): Record<string, unknown> {
  return {
    specversion: '1.0',
    id,
    source: 'urn:tally:meters',
    type: 'tally.meter.read',
    subject,
    time,
    data: { kwh },
  };
}

/** EMF lines captured from a Metrics instance (instead of stdout). */
export function capturingMetrics(): { metrics: Metrics; emf: Record<string, unknown>[] } {
  const emf: Record<string, unknown>[] = [];
  const capture = <M extends Metrics>(m: M): M => {
    (m as unknown as { console: { log(s: string): void } }).console = {
      log: (s: string) => emf.push(JSON.parse(s) as Record<string, unknown>),
    };
    return m;
  };
  // singleMetric() builds its own instance with its own console: capture that one too.
  class Capturing extends Metrics {
    override singleMetric(): Metrics {
      return capture(super.singleMetric());
    }
  }
  return { metrics: capture(new Capturing({ namespace: 'Tally', serviceName: 'tally-ingest' })), emf };
}

/** Sums the accounting metrics of EMF blobs: the total blobs (no reason dimension) and per reason. */
export function emfTotals(emf: readonly Record<string, unknown>[]): {
  inputs: number;
  stored: number;
  duplicate: number;
  quarantined: number;
  byReason: Record<string, number>;
} {
  const t = { inputs: 0, stored: 0, duplicate: 0, quarantined: 0, byReason: {} as Record<string, number> };
  for (const blob of emf) {
    const reason = blob.reason as string | undefined;
    if (reason !== undefined) {
      t.byReason[reason] = (t.byReason[reason] ?? 0) + Number(blob.Quarantined ?? 0);
      continue;
    }
    t.inputs += Number(blob.Inputs ?? 0);
    t.stored += Number(blob.Stored ?? 0);
    t.duplicate += Number(blob.Duplicate ?? 0);
    t.quarantined += Number(blob.Quarantined ?? 0);
  }
  return t;
}

export function addAccounting(into: Accounting, a: Accounting): void {
  into.units += a.units;
  into.stored += a.stored;
  into.duplicate += a.duplicate;
  for (const [r, n] of Object.entries(a.quarantined)) {
    const k = r as keyof Accounting['quarantined'];
    into.quarantined[k] = (into.quarantined[k] ?? 0) + (n ?? 0);
  }
}

/**
 * A fresh world on the shared local stack: own tables and queues, a seeded catalog, stores, a TestClock,
 * and the ingest handler built with them.
 */
export async function ingestWorld(label: string) {
  const clients = localClients();
  const resources = await createResources(clients, uniquePrefix(label));
  const doc = createDocumentClient();
  const usageTable = resources.tables.Usage!;
  const billingTable = resources.tables.Billing!;
  const catalog = new CatalogStore({ doc, tableName: billingTable });
  // As the function builds it (the cached middleware must still send each put's own item).
  const writeClient = UsageStore.createWriteClient();
  const usage = new UsageStore({ doc, writeClient, tableName: usageTable });
  const quarantine = new QuarantineStore({ doc, tableName: billingTable });
  await Promise.all([
    catalog.putCustomer({ id: 'cust-a', timeZone: 'Europe/Berlin' }),
    catalog.putCustomer({ id: 'cust-b' }),
    catalog.putCustomer({ id: 'cust-closed', status: 'closed' }),
    catalog.putDevice({ id: 'dev-1', assignments: [{ customerId: 'cust-a', from: '2025-01-01T00:00:00Z' }] }),
    catalog.putDevice({
      id: 'dev-old',
      assignments: [{ customerId: 'cust-a', from: '2025-01-01T00:00:00Z', to: '2025-12-01T00:00:00Z' }],
    }),
    ...METERS.map((m) => catalog.putMeter(m)),
  ]);
  const clock = new TestClock(NOW);
  const { metrics, emf } = capturingMetrics();
  const results: BatchResult[] = [];
  const total = emptyAccounting();
  const { makeHandler } = await import('../functions/ingest/handler.js');
  const deps = {
    ports: {
      catalog: new CachedCatalog(catalog, { ttlMs: 0 }),
      acceptance: subscriptionAcceptance(doc, billingTable, { ttlMs: 0 }),
      usage,
      quarantine,
    },
    clock,
    policy: ingestPolicy(),
    metrics,
    logger: new Logger({ serviceName: 'tally-ingest', logLevel: 'SILENT' }),
    onResult: (r: BatchResult) => {
      results.push(r);
      addAccounting(total, r.accounting);
    },
  };
  const handler = makeHandler(deps);
  const queue = resources.queues.UsageQueue!;
  return {
    clients,
    resources,
    doc,
    catalog,
    usage,
    quarantine,
    clock,
    emf,
    results,
    total,
    deps,
    handler,
    queue,
    /** Sends bodies to the usage queue, 10 per request. */
    async send(bodies: readonly string[], sqs: SQSClient = clients.sqs): Promise<void> {
      for (let i = 0; i < bodies.length; i += 10) {
        await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queue.url,
            Entries: bodies.slice(i, i + 10).map((b, j) => ({ Id: String(j), MessageBody: b })),
          }),
        );
      }
    },
    /** Starts the usage queue's event source mapping into the handler (fast retries); stop it when done. */
    connect(): SqsEventSource {
      const source = new SqsEventSource(clients.sqs, {
        functionName: 'ingest',
        queueUrl: queue.url,
        queueArn: queue.arn,
        handler: handler as never,
        batchSize: 100,
        maxBatchingWindowSeconds: 0,
        retryVisibilitySeconds: 0,
      });
      source.start();
      return source;
    },
    /** Invokes the handler directly with an SQS event of these bodies (ids `<prefix>-<n>`). */
    async invoke(bodies: readonly string[], prefix = 'm') {
      return handler(sqsEvent(bodies, prefix), lambdaContext('ingest'));
    },
  };
}

/**
 * Gives a customer a subscription from 2025-01-01 on a plan version of its own whose `lateAcceptanceDays`
 * is `late` (the fields acceptance reads; billing's other fields are not needed here).
 */
export async function subscribe(
  w: { doc: ReturnType<typeof createDocumentClient>; resources: { tables: Record<string, string> } },
  customerId: string,
  interval: 'week' | 'month' | 'quarter' | 'year',
  late: number,
): Promise<void> {
  const tableName = w.resources.tables.Billing!;
  const planId = `plan-${customerId}`;
  await new PlanStore<{ id: string; version: number; terms: { lateAcceptanceDays: number } }>({
    client: w.doc,
    tableName,
  }).put({ id: planId, version: 1, terms: { lateAcceptanceDays: late } });
  const start = '2025-01-01T00:00:00.000Z';
  await new SubscriptionStore<{
    id: string;
    customerId: string;
    start: string;
    interval: string;
    phases: { from: string; planId: string; planVersion: number }[];
  }>({ client: w.doc, tableName }).put(
    {
      id: `sub-${customerId}`,
      customerId,
      start,
      interval,
      phases: [{ from: start, planId, planVersion: 1 }],
    },
    null,
  );
}

let seq = 0;
export function sqsEvent(bodies: readonly string[], prefix = 'm'): SQSEvent {
  const run = seq++;
  return {
    Records: bodies.map((body, i) => ({
      messageId: `${prefix}-${run}-${i}`,
      receiptHandle: `rh-${run}-${i}`,
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(Date.parse(NOW)),
        SenderId: '000000000000',
        ApproximateFirstReceiveTimestamp: String(Date.parse(NOW)),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:usage',
      awsRegion: 'us-east-1',
    })),
  };
}
