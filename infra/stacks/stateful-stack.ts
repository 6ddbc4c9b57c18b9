import { billingTable, queues, usageTable } from '@tally/resources';
import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { TallyConfig } from '../config.js';
import { TallyQueue } from '../constructs/tally-queue.js';
import { TallyTable } from '../constructs/tally-table.js';

export interface StatefulStackProps extends StackProps {
  readonly config: TallyConfig;
}

/** What holds data: tables and queues. Kept apart so the stateless stack can be replaced freely. */
export class StatefulStack extends Stack {
  readonly usageTable: ITable;
  readonly billingTable: ITable;
  /** Queues and their DLQs by definition id (UsageQueue, BillingJobsQueue, DeliveryQueue). */
  readonly queues: Readonly<Record<string, { queue: IQueue; deadLetterQueue: IQueue }>>;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const removalPolicy = props.config.removal === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.usageTable = new TallyTable(this, usageTable.id, { definition: usageTable, removalPolicy }).table;
    this.billingTable = new TallyTable(this, billingTable.id, {
      definition: billingTable,
      removalPolicy,
    }).table;
    const q: Record<string, { queue: IQueue; deadLetterQueue: IQueue }> = {};
    for (const def of queues) {
      const tq = new TallyQueue(this, def.id, { definition: def, removalPolicy });
      q[def.id] = { queue: tq.queue, deadLetterQueue: tq.deadLetterQueue };
    }
    this.queues = q;
  }
}
