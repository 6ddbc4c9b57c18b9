import { type QueueDefinition, queues, type TableDefinition, tables } from '@tally/resources';
import { DUE_SHARDS_ENV } from '@tally/store';
import { WORKFLOW_ENV } from '@tally/workflow';

/**
 * The CloudFormation outputs of tally's stacks: a contract with the `tally` CLI, whose `--stack <prefix>` reads
 * them (DescribeStacks) and sets the environment variable each one names, the same variables the functions and
 * the local stack use. Keys are stack-level logical ids, so they never carry a construct hash: renaming one
 * breaks every CLI pointed at an older deployment (infra/stack-outputs.test.ts pins them).
 *
 * This file holds no CDK code, so the CLI can import it without loading aws-cdk-lib.
 */
export interface StackOutputDefinition {
  /** The output's key (its logical id in the template). */
  readonly key: string;
  /** The environment variable the CLI sets from it; absent for outputs that are for people only. */
  readonly envVar?: string;
  readonly description: string;
}

/** `UsageTableName`, `BillingTableName`. */
export const tableOutputKey = (def: TableDefinition): string => `${def.id}TableName`;
/** `UsageQueueUrl`, `BillingJobsQueueUrl`, `DeliveryQueueUrl`, `MailFeedbackQueueUrl`. */
export const queueOutputKey = (def: QueueDefinition): string => `${def.id}Url`;

/** Outputs of `<prefix>Stateful`: every table's name, every queue's URL, the due-index shard count. */
export const STATEFUL_OUTPUTS: readonly StackOutputDefinition[] = [
  ...tables.map((def) => ({
    key: tableOutputKey(def),
    envVar: def.envVar,
    description: `name of the ${def.id} table`,
  })),
  ...queues.map((def) => ({
    key: queueOutputKey(def),
    envVar: def.envVar,
    description: `URL of the ${def.id}: ${def.description}`,
  })),
  {
    key: 'DueShards',
    envVar: DUE_SHARDS_ENV,
    description: 'partitions of the due-for-billing index (config dueShards)',
  },
];

/** Outputs of `<prefix>Stateless`. */
export const STATELESS_OUTPUTS: readonly StackOutputDefinition[] = [
  {
    key: 'EventBusName',
    envVar: WORKFLOW_ENV.eventBusName,
    description: 'name of the EventBridge bus provisioning events go to',
  },
  {
    key: 'DunningStateMachineArn',
    envVar: WORKFLOW_ENV.dunningStateMachineArn,
    description: 'ARN of the dunning state machine',
  },
  { key: 'IngestUrl', description: 'HTTP usage ingest endpoint (POST, x-api-key)' },
  { key: 'WebhookUrl', description: 'payment provider webhook endpoint (POST, signed)' },
];

/** The two stack names of a deployment. */
export function stackNames(prefix: string): { stateful: string; stateless: string } {
  return { stateful: `${prefix}Stateful`, stateless: `${prefix}Stateless` };
}
