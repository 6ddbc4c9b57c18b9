import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { SesMailer } from '@tally/mail';
import { billingTable } from '@tally/resources';
import { createDocumentClient, DeliveryStore, MissingConfigurationError, tableName } from '@tally/store';
import { billingInvoiceStore } from '@tally/workflow';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  appendixLoaderFromEnv,
  payToFromEnv,
  StoreInvoiceReader,
  sentMailLookupFromEnv,
} from './adapters.js';
import { DeliveryMessageSchema, deliver } from './deliver.js';
import type { DeliverDeps, DeliveryEvent } from './ports.js';

export interface HandlerDeps extends DeliverDeps {
  readonly metrics: Metrics;
  readonly logger: Logger;
}

/** Events that need a person: each is a metric the alarms of infra/constructs/delivery.ts watch. */
const ALARMING: ReadonlySet<DeliveryEvent> = new Set([
  'FailedPermanent',
  'SentUnknown',
  'LostClaim',
  'ConfigurationError',
]);

/**
 * deliver-invoice: SQS batch of send requests → parse → `deliver` (one mail at most per request) → partial
 * batch response. A record that cannot be handled now (in flight elsewhere, throttled) is reported in
 * `batchItemFailures` and comes back after the visibility timeout; a record that never parses goes to the
 * DLQ after maxReceiveCount.
 */
export function makeHandler(deps: HandlerDeps) {
  // One processor per invocation: it holds the batch's outcomes, and a shared one would mix the outcomes of
  // concurrent invocations (Lambda runs one at a time per instance; the local runtime runs several).
  const observe = (e: DeliveryEvent, detail: Record<string, unknown>) => {
    deps.metrics.addMetric(`Delivery${e}`, MetricUnit.Count, 1);
    if (ALARMING.has(e)) deps.logger.error(`delivery ${e}`, detail);
    else deps.logger.info(`delivery ${e}`, detail);
    deps.observe?.(e, detail);
  };
  const record = async (r: SQSRecord) => {
    const msg = DeliveryMessageSchema.parse(JSON.parse(r.body));
    await deliver({ ...deps, observe }, msg);
  };
  return middy(
    async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
      processPartialResponse(event, record, new BatchProcessor(EventType.SQS), {
        context,
        // Report every record instead of throwing: the same redelivery, and the logs keep each record's error.
        throwOnFullBatchFailure: false,
      }),
  ).use(logMetrics(deps.metrics));
}

/** Dependencies from the environment: billing table, sender identity, configuration set, payment details. */
export function defaultDeps(env: NodeJS.ProcessEnv = process.env): HandlerDeps {
  const sender = env.TALLY_SENDER;
  if (!sender)
    throw new MissingConfigurationError('TALLY_SENDER', 'the verified SES identity mail is sent from');
  const client = createDocumentClient();
  const table = tableName(billingTable, env);
  const logger = new Logger({ serviceName: 'tally-deliver-invoice' });
  return {
    invoices: new StoreInvoiceReader(billingInvoiceStore(client, table)),
    deliveries: new DeliveryStore({ client, tableName: table }),
    mailer: new SesMailer({ fromAddress: sender, configurationSet: env.TALLY_SES_CONFIGURATION_SET }),
    sentMail: sentMailLookupFromEnv(env),
    clock: { now: () => new Date() },
    sender: { address: sender, name: env.TALLY_SENDER_NAME },
    payTo: payToFromEnv(env),
    appendices: appendixLoaderFromEnv(client, env, (message, detail) => logger.warn(message, detail)),
    metrics: new Metrics({ namespace: 'Tally', serviceName: 'tally-deliver-invoice' }),
    logger,
  };
}

export const handler = makeHandler(defaultDeps());
