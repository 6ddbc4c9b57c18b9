import {
  billingJobsQueue,
  billingTable,
  deliveryQueue,
  type QueueDefinition,
  usageTable,
} from '@tally/resources';
import { DUE_SHARDS_ENV } from '@tally/store';
import { type CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BillingFunction } from './billing-function.js';
import { grantSend, grantTableKey } from './grants.js';

export interface BillingRunProps {
  /** Subscriptions, plans, customers, issuers, invoices and number claims. */
  readonly billingTable: ITable;
  /** Raw events, read (never written) by bill-subscription. */
  readonly usageTable: ITable;
  /** One message per subscription step due; consumed by bill-subscription. */
  readonly jobsQueue: IQueue;
  /** Its dead-letter queue: an alarm fires on the first message there. */
  readonly jobsDeadLetterQueue: IQueue;
  /** Finalized invoices are handed to delivery here. */
  readonly deliveryQueue: IQueue;
  /** How often close-periods looks for due subscriptions. Default every hour. */
  readonly closeEvery?: Duration;
  /** The jobs queue definition (visibility timeout, consumer settings). Default `billingJobsQueue`. */
  readonly definition?: QueueDefinition;
  /**
   * Lets bill-subscription start dunning (e.g. `dunning.grantStart(fn)`). Default: none (dunning is then
   * not started by the billing run).
   */
  readonly grantDunning?: (fn: BillingFunction['fn']) => void;
  /**
   * Partitions of the due index, handed to both functions as TALLY_DUE_SHARDS (1 to 256). Default: the
   * store's DUE_SHARDS.
   */
  readonly dueShards?: number;
  /** Root of the repository (functions/ lives there). Default the working directory. */
  readonly projectRoot?: string;
}

/**
 * The billing run: an EventBridge Scheduler schedule fires close-periods, which finds due subscriptions in the
 * billing table's due index and enqueues one job each on the billing-jobs queue; bill-subscription consumes
 * them (one per invocation, partial batch responses), reads the period's events, rates, stores the draft,
 * finalizes it after the draft grace with a gap-free number, and hands the invoice to delivery.
 */
export class BillingRun extends Construct {
  readonly closePeriods: BillingFunction;
  readonly billSubscription: BillingFunction;
  readonly schedule: Schedule;

  constructor(scope: Construct, id: string, props: BillingRunProps) {
    super(scope, id);
    const def = props.definition ?? billingJobsQueue;
    const consumer = def.consumer;
    if (consumer === undefined) throw new Error(`BillingRun: queue ${def.id} has no consumer definition`);
    const every = props.closeEvery ?? Duration.hours(1);
    if (every.toMinutes() < 1 || every.toHours({ integral: false }) > 24) {
      throw new RangeError(
        `BillingRun: closeEvery ${every.toHumanString()} must be between 1 minute and 24 hours`,
      );
    }
    // AWS: the queue's visibility timeout should be at least six times the consumer's timeout.
    const billTimeout = Math.min(900, Math.floor(def.visibilityTimeoutSeconds / 6));
    if (billTimeout < 60) {
      throw new RangeError(
        `BillingRun: visibility timeout ${def.visibilityTimeoutSeconds} s leaves under 60 s to bill`,
      );
    }
    const root = props.projectRoot ? { projectRoot: props.projectRoot } : {};
    if (
      props.dueShards !== undefined &&
      !(Number.isInteger(props.dueShards) && props.dueShards >= 1 && props.dueShards <= 256)
    ) {
      throw new RangeError(`BillingRun: dueShards ${props.dueShards} must be a whole number from 1 to 256`);
    }
    // Both ends of the due index: close-periods reads every shard, bill-subscription writes a cycle's shard.
    const dueShards: Record<string, string> =
      props.dueShards === undefined ? {} : { [DUE_SHARDS_ENV]: String(props.dueShards) };

    this.closePeriods = new BillingFunction(this, 'ClosePeriods', {
      name: 'close-periods',
      timeout: Duration.minutes(5),
      // One run at a time: an overlapping run would only enqueue duplicates.
      reservedConcurrentExecutions: 1,
      environment: {
        [billingTable.envVar]: props.billingTable.tableName,
        [def.envVar]: props.jobsQueue.queueUrl,
        ...dueShards,
      },
      ...root,
    });
    // The due index (Query on gsi1) and the "enqueued" mark (UpdateItem); nothing else.
    props.billingTable.grant(this.closePeriods.fn, 'dynamodb:Query', 'dynamodb:UpdateItem');
    grantTableKey(props.billingTable, this.closePeriods.fn);
    grantSend(props.jobsQueue, this.closePeriods.fn);

    this.schedule = new Schedule(this, 'CloseSchedule', {
      schedule: ScheduleExpression.rate(every),
      target: new LambdaInvoke(this.closePeriods.fn, { retryAttempts: 2, maxEventAge: Duration.hours(1) }),
      description: 'tally: find subscriptions whose period (or draft grace) ended and enqueue billing jobs',
    });
    // The target's role is a stack-level singleton (aws-scheduler-targets), so the acknowledgement is too.
    Validations.of(Stack.of(this)).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.closePeriods.fn.node.defaultChild as CfnElement)}.Arn>:*]`,
      reason: 'the schedule may invoke close-periods and its versions (ARN:*), no other function',
    });

    this.billSubscription = new BillingFunction(this, 'BillSubscription', {
      name: consumer.functionName,
      timeout: Duration.seconds(billTimeout),
      memorySize: 1769,
      environment: {
        [billingTable.envVar]: props.billingTable.tableName,
        [usageTable.envVar]: props.usageTable.tableName,
        [deliveryQueue.envVar]: props.deliveryQueue.queueUrl,
        ...dueShards,
      },
      ...root,
    });
    const bill = this.billSubscription.fn;
    bill.addEventSource(
      new SqsEventSource(props.jobsQueue, {
        batchSize: consumer.batchSize,
        ...(consumer.maxBatchingWindowSeconds > 0
          ? { maxBatchingWindow: Duration.seconds(consumer.maxBatchingWindowSeconds) }
          : {}),
        maxConcurrency: consumer.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
    // Events and shard plans: reads only.
    props.usageTable.grant(bill, 'dynamodb:Query', 'dynamodb:GetItem');
    // Catalogue reads, draft upserts, conditional finalization, number claims, cycle moves: no deletes, no scans.
    props.billingTable.grant(
      bill,
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    );
    grantTableKey(props.usageTable, bill);
    grantTableKey(props.billingTable, bill);
    grantSend(props.deliveryQueue, bill);
    props.grantDunning?.(bill);

    new Alarm(this, 'JobsDlqAlarm', {
      alarmDescription: 'a billing job failed maxReceiveCount times: a subscription is not being billed',
      metric: props.jobsDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
