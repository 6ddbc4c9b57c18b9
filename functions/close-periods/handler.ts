import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import {
  type ClosePeriodsDeps,
  type ClosePeriodsResult,
  closePeriods,
  closePeriodsDepsFromEnv,
} from '@tally/workflow';

export interface ClosePeriodsHandlerDeps extends ClosePeriodsDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/**
 * The close-periods Lambda, fired by an EventBridge Scheduler schedule (hourly). The schedule's payload is
 * not read: `now` comes from the clock, so a late or repeated firing does the same.
 */
export function makeHandler(deps: ClosePeriodsHandlerDeps) {
  return middy(async (): Promise<ClosePeriodsResult> => {
    const result = await closePeriods(deps);
    deps.metrics.addMetric('Due', MetricUnit.Count, result.due);
    deps.metrics.addMetric('Enqueued', MetricUnit.Count, result.enqueued);
    deps.logger.info('close-periods', { ...result });
    return result;
  }).use(logMetrics(deps.metrics));
}

export function defaultDeps(env: NodeJS.ProcessEnv = process.env): ClosePeriodsHandlerDeps {
  return {
    ...closePeriodsDepsFromEnv(env),
    logger: new Logger({ serviceName: 'tally-close-periods' }),
    metrics: new Metrics({ namespace: 'Tally', serviceName: 'tally-close-periods' }),
  };
}

export const handler = makeHandler(defaultDeps());
