import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { billingTable } from '@tally/resources';
import { createDocumentClient, DeliveryStore, tableName } from '@tally/store';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { applyFeedback, SesEventSchema } from './feedback.js';

export interface FeedbackDeps {
  readonly store: Pick<DeliveryStore, 'suppress' | 'recordFeedback'>;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

/** mail-feedback: SES bounce and complaint events from the feedback queue → suppressed contacts. */
export function makeHandler(deps: FeedbackDeps) {
  // One processor per invocation: it holds the batch's outcomes, and a shared one would mix the outcomes of
  // concurrent invocations (Lambda runs one at a time per instance; the local runtime runs several).
  const record = async (r: SQSRecord) => {
    const event = SesEventSchema.parse(JSON.parse(r.body));
    const outcome = await applyFeedback(deps.store, event);
    deps.metrics.addMetric(`Feedback-${outcome}`, MetricUnit.Count, 1);
    if (outcome.startsWith('suppressed'))
      deps.logger.warn('contact suppressed', { outcome, messageId: event.mail.messageId });
  };
  return middy(
    async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
      processPartialResponse(event, record, new BatchProcessor(EventType.SQS), {
        context,
        throwOnFullBatchFailure: false,
      }),
  ).use(logMetrics(deps.metrics));
}

export function defaultDeps(env: NodeJS.ProcessEnv = process.env): FeedbackDeps {
  return {
    store: new DeliveryStore({ client: createDocumentClient(), tableName: tableName(billingTable, env) }),
    metrics: new Metrics({ namespace: 'Tally', serviceName: 'tally-mail-feedback' }),
    logger: new Logger({ serviceName: 'tally-mail-feedback' }),
  };
}

export const handler = makeHandler(defaultDeps());
