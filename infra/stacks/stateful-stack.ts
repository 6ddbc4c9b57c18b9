import { billingTable, queues, tables, usageTable } from '@tally/resources';
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { TallyConfig } from '../config.js';
import { DataKey } from '../constructs/data-key.js';
import { TallyQueue } from '../constructs/tally-queue.js';
import { TallyTable } from '../constructs/tally-table.js';
import { queueOutputKey, STATEFUL_OUTPUTS, tableOutputKey } from '../stack-outputs.js';

export interface StatefulStackProps extends StackProps {
  readonly config: TallyConfig;
}

/** What holds data: tables and queues. Kept apart so the stateless stack can be replaced freely. */
export class StatefulStack extends Stack {
  readonly usageTable: ITable;
  readonly billingTable: ITable;
  /** Queues and their DLQs by definition id (UsageQueue, BillingJobsQueue, DeliveryQueue). */
  readonly queues: Readonly<Record<string, { queue: IQueue; deadLetterQueue: IQueue }>>;
  /** The customer-managed key of the tables and queues (`encryption: 'customer-managed'` only). */
  readonly dataKey: IKey | undefined;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { config } = props;
    const removalPolicy = config.removal === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.dataKey =
      config.encryption === 'customer-managed'
        ? new DataKey(this, 'DataKey', { alias: `${config.stackPrefix}-data`, removalPolicy }).key
        : undefined;
    const encryptionKey = this.dataKey ? { encryptionKey: this.dataKey } : {};
    const tableByDefinition = new Map<string, ITable>();
    for (const def of tables) {
      const { table } = new TallyTable(this, def.id, { definition: def, removalPolicy, ...encryptionKey });
      tableByDefinition.set(def.id, table);
      this.#output(tableOutputKey(def), table.tableName);
    }
    this.usageTable = tableByDefinition.get(usageTable.id)!;
    this.billingTable = tableByDefinition.get(billingTable.id)!;
    const q: Record<string, { queue: IQueue; deadLetterQueue: IQueue }> = {};
    for (const def of queues) {
      const tq = new TallyQueue(this, def.id, { definition: def, removalPolicy, ...encryptionKey });
      q[def.id] = { queue: tq.queue, deadLetterQueue: tq.deadLetterQueue };
      this.#output(queueOutputKey(def), tq.queue.queueUrl);
    }
    this.queues = q;
    // Every writer and reader of the due index must agree on the count: the CLI's `tally bill` included.
    this.#output('DueShards', String(config.dueShards));
  }

  #output(key: string, value: string): void {
    const def = STATEFUL_OUTPUTS.find((o) => o.key === key);
    if (!def)
      throw new Error(`StatefulStack: output ${key} is not in STATEFUL_OUTPUTS (infra/stack-outputs.ts)`);
    new CfnOutput(this, key, { value, description: def.description });
  }
}
