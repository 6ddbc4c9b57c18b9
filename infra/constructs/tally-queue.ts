import type { QueueDefinition } from '@tally/resources';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface TallyQueueProps {
  /** The shared definition (timeouts, retention, redrive) that the local stack creates too. */
  readonly definition: QueueDefinition;
  /** Default RemovalPolicy.RETAIN. */
  readonly removalPolicy?: RemovalPolicy;
  /** A customer-managed key for both queues. Default: SQS-managed SSE (SSE-SQS). */
  readonly encryptionKey?: IKey;
}

/**
 * A queue and its dead-letter queue, both encrypted (SSE-SQS, or the customer-managed key given) and TLS-only,
 * redriving after maxReceiveCount.
 */
export class TallyQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: TallyQueueProps) {
    super(scope, id);
    const { definition: def } = props;
    if (def.deadLetter.maxReceiveCount < 1) {
      throw new RangeError(`${def.id}: maxReceiveCount ${def.deadLetter.maxReceiveCount} must be at least 1`);
    }
    const encryption = props.encryptionKey
      ? { encryption: QueueEncryption.KMS, encryptionMasterKey: props.encryptionKey }
      : { encryption: QueueEncryption.SQS_MANAGED };
    this.deadLetterQueue = new Queue(this, 'Dlq', {
      retentionPeriod: Duration.seconds(def.deadLetter.retentionSeconds),
      ...encryption,
      enforceSSL: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.queue = new Queue(this, 'Queue', {
      visibilityTimeout: Duration.seconds(def.visibilityTimeoutSeconds),
      retentionPeriod: Duration.seconds(def.retentionSeconds),
      ...encryption,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: def.deadLetter.maxReceiveCount },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }
}
