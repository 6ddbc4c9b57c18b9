import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DueSubscription, SubscriptionStore } from '@tally/store';
import type { Clock } from './ports.js';

export interface ClosePeriodsDeps {
  readonly subscriptions: Pick<SubscriptionStore<never>, 'due' | 'markEnqueued'>;
  readonly sqs: Pick<SQSClient, 'send'>;
  readonly jobsQueueUrl: string;
  readonly clock: Clock;
  /**
   * A job enqueued for a cycle that is still due this long after is enqueued again (its message may have
   * gone to the DLQ and been dropped). Default 2 hours, above the queue's visibility timeout × receives.
   */
  readonly requeueAfterMs?: number;
}

export interface ClosePeriodsResult {
  readonly due: number;
  readonly enqueued: number;
}

const DEFAULT_REQUEUE_MS = 2 * 3_600_000;

/**
 * Finds the subscriptions whose next billing step is due (period end, or end of the draft grace) through the
 * due index, and enqueues one billing job for each, unless one was enqueued for that same step recently.
 * A re-run enqueues nothing new for a period already billed: its cycle has left the index or moved on.
 */
export async function closePeriods(deps: ClosePeriodsDeps): Promise<ClosePeriodsResult> {
  const now = deps.clock.now();
  const requeueAfter = deps.requeueAfterMs ?? DEFAULT_REQUEUE_MS;
  let due = 0;
  let batch: DueSubscription[] = [];
  let enqueued = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const sending = batch;
    batch = [];
    const res = await deps.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: deps.jobsQueueUrl,
        Entries: sending.map((d, i) => ({
          Id: String(i),
          MessageBody: JSON.stringify({
            subscriptionId: d.subscriptionId,
            periodStart: d.cycle.periodStart,
            periodEnd: d.cycle.periodEnd,
          }),
        })),
      }),
    );
    const failed = new Set((res.Failed ?? []).map((f) => f.Id));
    await Promise.all(
      sending.map(async (d, i) => {
        if (failed.has(String(i))) return;
        enqueued++;
        await deps.subscriptions.markEnqueued(d.subscriptionId, d.cycle.dueAt, now.toISOString());
      }),
    );
    if (failed.size > 0) {
      throw new Error(
        `close-periods: ${failed.size} billing jobs could not be enqueued; the next run retries them`,
      );
    }
  };
  for await (const d of deps.subscriptions.due(now.toISOString())) {
    due++;
    const recent =
      d.enqueued !== null &&
      d.enqueued.dueAt === d.cycle.dueAt &&
      now.getTime() - Date.parse(d.enqueued.at) < requeueAfter;
    if (recent) continue;
    batch.push(d);
    if (batch.length === 10) await flush();
  }
  await flush();
  return { due, enqueued };
}
