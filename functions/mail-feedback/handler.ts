import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { billingTable } from '@tally/resources';
import { createDocumentClient, DeliveryStore, tableName } from '@tally/store';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { applyFeedback, type FeedbackStore, SesEventSchema } from './feedback.js';

export interface Clock {
  now(): Date;
}

export interface FeedbackDeps {
  /** The delivery store; Send/Delivery events resolve `sent-unknown` once it has `confirmSent`. */
  readonly store: FeedbackStore;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Compared with claim leases. Default: the system clock (a TestClock locally). */
  readonly clock?: Clock;
}

/**
 * mail-feedback: SES events from the feedback queue → bounces and complaints suppress contacts; Send and
 * Delivery events resolve `sent-unknown` deliveries. A Send event for a delivery whose attempt still holds
 * its claim is reported as a batch item failure and comes back after the visibility timeout.
 */
export function makeHandler(deps: FeedbackDeps) {
  // One processor per invocation: it holds the batch's outcomes, and a shared one would mix the outcomes of
  // concurrent invocations (Lambda runs one at a time per instance; the local runtime runs several).
  const record = async (r: SQSRecord) => {
    const event = SesEventSchema.parse(JSON.parse(r.body));
    const outcome = await applyFeedback(deps.store, event, (deps.clock ?? systemClock).now());
    deps.metrics.addMetric(`Feedback-${outcome}`, MetricUnit.Count, 1);
    const detail = { outcome, eventType: event.eventType, messageId: event.mail.messageId };
    if (outcome.startsWith('suppressed')) deps.logger.warn('contact suppressed', detail);
    else if (outcome === 'confirmed-sent')
      deps.logger.warn('delivery confirmed sent by an SES event', detail);
    else if (outcome === 'contradicts-record')
      deps.logger.error('SES reports a mail sent that its delivery record says was not', detail);
  };
  return middy(
    async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
      processPartialResponse(event, record, new BatchProcessor(EventType.SQS), {
        context,
        throwOnFullBatchFailure: false,
      }),
  ).use(logMetrics(deps.metrics));
}

const systemClock: Clock = { now: () => new Date() };

export function defaultDeps(env: NodeJS.ProcessEnv = process.env): FeedbackDeps {
  return {
    store: new DeliveryStore({ client: createDocumentClient(), tableName: tableName(billingTable, env) }),
    metrics: new Metrics({ namespace: 'Tally', serviceName: 'tally-mail-feedback' }),
    logger: new Logger({ serviceName: 'tally-mail-feedback' }),
  };
}

export const handler = makeHandler(defaultDeps());
