import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import {
  type Accounting,
  type BatchResult,
  type Clock,
  type IngestPolicy,
  type IngestPorts,
  type InputMessage,
  ingestBatch,
  policyFromEnv,
  quarantinedTotal,
  sendIdOf,
} from '@tally/ingest';
import { billingTable, usageTable } from '@tally/resources';
import {
  CachedCatalog,
  CatalogStore,
  createDocumentClient,
  QuarantineStore,
  tableName,
  UsageStore,
} from '@tally/store';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { subscriptionAcceptance } from './acceptance.js';

export interface IngestDeps {
  readonly ports: IngestPorts;
  readonly clock: Clock;
  readonly policy: IngestPolicy;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Called with every batch's result (tests and the benchmark read the accounting here). */
  readonly onResult?: (result: BatchResult) => void;
}

/**
 * One SQS record as an ingest input. Its origin is the producer's send id (the `tally-send-id` attribute),
 * which survives a dead-letter redrive where the message id does not; without one (a producer that does not
 * stamp, e.g. the IoT rule) the message id is the origin, and so is it when the attribute is malformed, which
 * `onBadSendId` hears of. `receivedAt` is left to the clock (processing time), not the queue's SentTimestamp:
 * billing compares it with invoice times, which the same clock drives (locally a TestClock).
 */
export function toInput(
  record: SQSRecord,
  onBadSendId?: (messageId: string, problem: string) => void,
): InputMessage {
  const { sendId, problem } = sendIdOf(record.messageAttributes);
  if (problem !== undefined) onBadSendId?.(record.messageId, problem);
  return sendId === undefined
    ? { messageId: record.messageId, body: record.body }
    : { messageId: record.messageId, origin: sendId, body: record.body };
}

/**
 * The accounting as EMF metrics: `Inputs`, `Stored`, `Duplicate`, `Quarantined` (total) in one blob, and
 * `Quarantined` per `reason` dimension, so an alarm can watch the total and a dashboard split it.
 */
export function emitAccounting(metrics: Metrics, a: Accounting): void {
  metrics.addMetric('Inputs', MetricUnit.Count, a.units);
  metrics.addMetric('Stored', MetricUnit.Count, a.stored);
  metrics.addMetric('Duplicate', MetricUnit.Count, a.duplicate);
  metrics.addMetric('Quarantined', MetricUnit.Count, quarantinedTotal(a));
  for (const [reason, n] of Object.entries(a.quarantined)) {
    if (!n) continue;
    const single = metrics.singleMetric();
    single.addDimension('reason', reason);
    single.addMetric('Quarantined', MetricUnit.Count, n);
  }
}

/**
 * The ingest Lambda: an SQS batch (up to 1,000 records) → `ingestBatch` → partial batch response. Bad input
 * is quarantined, never failed; only records whose writes failed (throttling) are reported for redelivery.
 */
export function makeHandler(deps: IngestDeps) {
  // One processor per invocation: it holds the batch's outcomes, and a shared one would mix the outcomes of
  // concurrent invocations (Lambda runs one at a time per instance; the local runtime runs several).
  return middy(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const badSendId = (messageId: string, problem: string) =>
      deps.logger.warn('malformed send id: the message id is its origin', { messageId, problem });
    const inputs = event.Records.map((record) => toInput(record, badSendId));
    const result = await ingestBatch(inputs, deps.ports, {
      now: deps.clock.now(),
      policy: deps.policy,
    });
    emitAccounting(deps.metrics, result.accounting);
    for (const [messageId, error] of result.failed) {
      deps.logger.warn('message not settled, it will be redelivered', { messageId, error });
    }
    deps.onResult?.(result);
    // Every record settled (the usual case): nothing to report, and no per-record pass of the processor.
    if (result.failed.size === 0) return { batchItemFailures: [] };
    return processPartialResponse(
      event,
      async (record: SQSRecord) => {
        const error = result.failed.get(record.messageId);
        if (error !== undefined) throw error;
      },
      new BatchProcessor(EventType.SQS),
      { context },
    );
  }).use(logMetrics(deps.metrics));
}

/**
 * Dependencies from the environment: table names, policy overrides, the system clock. The catalog and the
 * acceptance terms (subscriptions and plans) are read from the billing table and cached per container.
 */
export function defaultDeps(env: NodeJS.ProcessEnv = process.env): IngestDeps {
  const doc = createDocumentClient();
  const policy = policyFromEnv(env);
  const billing = tableName(billingTable, env);
  return {
    ports: {
      catalog: new CachedCatalog(new CatalogStore({ doc, tableName: billing })),
      acceptance: subscriptionAcceptance(doc, billing),
      usage: new UsageStore({
        doc,
        // INSERT batches signed and sent below the SDK's per-request pipeline (UsageWriteClient).
        writeClient: UsageStore.createWriteClient(),
        tableName: tableName(usageTable, env),
        retentionDays: policy.retentionDays,
      }),
      quarantine: new QuarantineStore({ doc, tableName: billing }),
    },
    clock: { now: () => new Date() },
    policy,
    metrics: new Metrics({ namespace: 'Tally', serviceName: 'tally-ingest' }),
    logger: new Logger({ serviceName: 'tally-ingest' }),
  };
}

export const handler = makeHandler(defaultDeps());
