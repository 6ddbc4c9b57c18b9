/**
 * The SQS queues of tally with their dead-letter queues and the event source mapping that feeds each
 * queue's consumer Lambda. Read by infra/ (CDK) and by the local stack (fauxqs + the local poller).
 */
export interface ConsumerDefinition {
  /** The folder under functions/ that consumes the queue. */
  readonly functionName: string;
  /** Records per invocation (SQS standard queues allow up to 10,000 with a batching window). */
  readonly batchSize: number;
  /** Seconds the event source mapping waits to fill a batch; required by AWS when batchSize > 10. */
  readonly maxBatchingWindowSeconds: number;
  /** Upper bound of concurrent invocations, protecting DynamoDB from a burst. */
  readonly maxConcurrency: number;
}

export interface QueueDefinition {
  readonly id: string;
  readonly envVar: string;
  /**
   * Seconds a received message stays invisible. AWS advises at least six times the consumer's timeout:
   * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
   */
  readonly visibilityTimeoutSeconds: number;
  readonly retentionSeconds: number;
  readonly deadLetter: { readonly maxReceiveCount: number; readonly retentionSeconds: number };
  readonly consumer?: ConsumerDefinition;
  readonly description: string;
}

const DAY = 86_400;

export const usageQueue: QueueDefinition = {
  id: 'UsageQueue',
  envVar: 'TALLY_USAGE_QUEUE_URL',
  visibilityTimeoutSeconds: 180,
  retentionSeconds: 4 * DAY,
  deadLetter: { maxReceiveCount: 5, retentionSeconds: 14 * DAY },
  consumer: { functionName: 'ingest', batchSize: 1000, maxBatchingWindowSeconds: 1, maxConcurrency: 20 },
  description: 'usage events and meter readings from producers, devices and the HTTP endpoint',
};

export const billingJobsQueue: QueueDefinition = {
  id: 'BillingJobsQueue',
  envVar: 'TALLY_BILLING_JOBS_QUEUE_URL',
  visibilityTimeoutSeconds: 900,
  retentionSeconds: 4 * DAY,
  deadLetter: { maxReceiveCount: 5, retentionSeconds: 14 * DAY },
  consumer: {
    functionName: 'bill-subscription',
    batchSize: 1,
    maxBatchingWindowSeconds: 0,
    maxConcurrency: 10,
  },
  description: 'one message per subscription and period to bill',
};

export const deliveryQueue: QueueDefinition = {
  id: 'DeliveryQueue',
  envVar: 'TALLY_DELIVERY_QUEUE_URL',
  visibilityTimeoutSeconds: 180,
  retentionSeconds: 4 * DAY,
  deadLetter: { maxReceiveCount: 5, retentionSeconds: 14 * DAY },
  consumer: {
    functionName: 'deliver-invoice',
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    maxConcurrency: 5,
  },
  description: 'invoice documents and notices to email',
};

/** SES events of the configuration set (bounces, complaints), from SNS with raw message delivery. */
export const mailFeedbackQueue: QueueDefinition = {
  id: 'MailFeedbackQueue',
  envVar: 'TALLY_MAIL_FEEDBACK_QUEUE_URL',
  visibilityTimeoutSeconds: 60,
  retentionSeconds: 4 * DAY,
  deadLetter: { maxReceiveCount: 5, retentionSeconds: 14 * DAY },
  consumer: { functionName: 'mail-feedback', batchSize: 10, maxBatchingWindowSeconds: 0, maxConcurrency: 2 },
  description: 'SES bounce and complaint events for the mail sent by deliver-invoice',
};

export const queues = [usageQueue, billingJobsQueue, deliveryQueue, mailFeedbackQueue] as const;
