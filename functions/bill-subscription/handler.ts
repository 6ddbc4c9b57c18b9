import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { type Subscription, SubscriptionSchema } from '@tally/billing';
import { createSqsClient } from '@tally/queue';
import { PlanSchema } from '@tally/rating';
import { billingTable, deliveryQueue, usageTable } from '@tally/resources';
import {
  CatalogStore,
  createDocumentClient,
  MissingConfigurationError,
  PlanStore,
  SubscriptionStore,
  tableName,
  UsageStore,
} from '@tally/store';
import { billingInvoiceStore, SfnDunningStarter, WORKFLOW_ENV } from '@tally/workflow';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { SqsDelivery, StoreCatalog } from './adapters.js';
import { type BillingDeps, BillingJobSchema, billSubscription, noDunning } from './bill.js';

export interface BillSubscriptionDeps extends BillingDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/**
 * The bill-subscription Lambda (SQS billing-jobs consumer, one job per record): parse the job, run
 * `billSubscription`. A failing record is reported in `batchItemFailures` and comes back after the visibility
 * timeout; after maxReceiveCount it lands in the DLQ. Every step is idempotent, so a retry resumes safely.
 */
export function makeHandler(deps: BillSubscriptionDeps) {
  // One processor per invocation: it holds the batch's outcomes, and a shared one would mix the outcomes of
  // concurrent invocations (Lambda runs one at a time per instance; the local runtime runs several).
  const one = async (record: SQSRecord) => {
    const job = BillingJobSchema.parse(JSON.parse(record.body));
    try {
      const result = await billSubscription(job, deps);
      deps.logger.info('billing job', { ...job, ...result });
      deps.metrics.addMetric(`Job_${result.outcome}`, MetricUnit.Count, 1);
    } catch (error) {
      deps.logger.warn('billing job failed; it will be retried', { ...job, error });
      deps.metrics.addMetric('JobFailed', MetricUnit.Count, 1);
      throw error;
    }
  };
  return middy(
    async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
      processPartialResponse(event, one, new BatchProcessor(EventType.SQS), { context }),
  ).use(logMetrics(deps.metrics));
}

/** Dependencies from the environment: tables, the delivery queue, the system clock. */
export function defaultDeps(env: NodeJS.ProcessEnv = process.env): BillSubscriptionDeps {
  const doc = createDocumentClient();
  const billing = tableName(billingTable, env);
  const deliveryUrl = env[deliveryQueue.envVar];
  if (!deliveryUrl)
    throw new MissingConfigurationError(deliveryQueue.envVar, 'the URL of the delivery queue');
  const invoices = billingInvoiceStore(doc, billing);
  return {
    subscriptions: new SubscriptionStore<Subscription>({
      client: doc,
      tableName: billing,
      parse: (d) => SubscriptionSchema.parse(d),
    }),
    invoices,
    catalog: new StoreCatalog({
      catalog: new CatalogStore({ doc, tableName: billing }),
      plans: new PlanStore({ client: doc, tableName: billing, parse: (d) => PlanSchema.parse(d) }),
      invoices,
    }),
    usage: new UsageStore({ doc, tableName: tableName(usageTable, env) }),
    delivery: new SqsDelivery(createSqsClient(), deliveryUrl),
    // Without a state machine ARN (a deployment without dunning) no dunning is started.
    dunning: env[WORKFLOW_ENV.dunningStateMachineArn]
      ? new SfnDunningStarter({ stateMachineArn: env[WORKFLOW_ENV.dunningStateMachineArn]! })
      : noDunning,
    clock: { now: () => new Date() },
    logger: new Logger({ serviceName: 'tally-bill-subscription' }),
    metrics: new Metrics({ namespace: 'Tally', serviceName: 'tally-bill-subscription' }),
  };
}

export const handler = makeHandler(defaultDeps());
