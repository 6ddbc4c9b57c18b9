import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  type QueueDefinition,
  queues as queueDefinitions,
  type TableDefinition,
  tables as tableDefinitions,
} from '@tally/resources';
import { LocalStackStartError } from './errors.js';

/** Names and URLs of the resources created locally, keyed by the definition's environment variable. */
export interface LocalResources {
  readonly env: Readonly<Record<string, string>>;
  readonly tables: Readonly<Record<string, string>>;
  readonly queues: Readonly<Record<string, { url: string; arn: string; dlqUrl: string; dlqArn: string }>>;
}

export function tableInput(def: TableDefinition, tableName: string): CreateTableCommandInput {
  const attrs = new Map<string, 'S' | 'N'>();
  const keys = [
    def.partitionKey,
    def.sortKey,
    ...def.globalIndexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  for (const k of keys) if (k) attrs.set(k.name, k.type);
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attrs].map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType,
    })),
    KeySchema: [
      { AttributeName: def.partitionKey.name, KeyType: 'HASH' },
      ...(def.sortKey ? [{ AttributeName: def.sortKey.name, KeyType: 'RANGE' as const }] : []),
    ],
    ...(def.globalIndexes.length > 0
      ? {
          GlobalSecondaryIndexes: def.globalIndexes.map((i) => ({
            IndexName: i.indexName,
            KeySchema: [
              { AttributeName: i.partitionKey.name, KeyType: 'HASH' as const },
              ...(i.sortKey ? [{ AttributeName: i.sortKey.name, KeyType: 'RANGE' as const }] : []),
            ],
            Projection: { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
  };
}

async function ensureTable(ddb: DynamoDBClient, def: TableDefinition, name: string): Promise<void> {
  try {
    await ddb.send(new CreateTableCommand(tableInput(def, name)));
  } catch (err) {
    // A persisted local stack (npm start) finds its tables already there.
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  await untilTable(ddb, name, 'ACTIVE');
}

/**
 * Waits until a table is ACTIVE, or gone after a DeleteTable. DynamoDB answers CreateTable with CREATING and
 * DeleteTable with DELETING, and so does the local DynamoDB (dynalite, even with its delays at 0 it changes the
 * status on a timer after answering): a write sent at once can find no table, and a create at once can find the
 * old one. Polls every 5 ms (the local stack) up to `timeoutMs`.
 */
export async function untilTable(
  ddb: DynamoDBClient,
  name: string,
  state: 'ACTIVE' | 'gone',
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let status: string | undefined;
  for (;;) {
    try {
      status = (await ddb.send(new DescribeTableCommand({ TableName: name }))).Table?.TableStatus;
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw err;
      status = 'gone';
    }
    if (status === state) return;
    if (Date.now() >= deadline) {
      throw new LocalStackStartError(
        'DynamoDB',
        `table ${name} is ${status}, not ${state}, after ${timeoutMs} ms`,
      );
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function ensureQueue(
  sqs: SQSClient,
  def: QueueDefinition,
  name: string,
): Promise<{ url: string; arn: string; dlqUrl: string; dlqArn: string }> {
  const dlq = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${name}-dlq`,
      Attributes: { MessageRetentionPeriod: String(def.deadLetter.retentionSeconds) },
    }),
  );
  const dlqArn = await queueArn(sqs, dlq.QueueUrl!);
  const q = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(def.visibilityTimeoutSeconds),
        MessageRetentionPeriod: String(def.retentionSeconds),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlqArn,
          maxReceiveCount: def.deadLetter.maxReceiveCount,
        }),
      },
    }),
  );
  return { url: q.QueueUrl!, arn: await queueArn(sqs, q.QueueUrl!), dlqUrl: dlq.QueueUrl!, dlqArn };
}

async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const attrs = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  return attrs.Attributes!.QueueArn!;
}

/**
 * Checks that a persisted table holds the key layout its adapter writes now (`layoutVersion` of the
 * definition), so a local stack never reads old data with new keys and silently finds nothing: a table
 * with that version in its `LAYOUT` item, or an empty one (which gets the item), is fine; anything else
 * (items of an older layout, written before the item existed or under another version) refuses to start.
 * Tables without a `layoutVersion` are not checked. Only for persisted stacks: a table in memory is new.
 *
 * @throws LocalStackStartError naming the folder to delete
 */
export async function checkLayouts(
  ddb: DynamoDBClient,
  resources: LocalResources,
  dataDir: string,
): Promise<void> {
  for (const def of tableDefinitions) {
    const name = resources.tables[def.id];
    if (def.layoutVersion === undefined || name === undefined) continue;
    const key = {
      [def.partitionKey.name]: { S: 'LAYOUT' },
      ...(def.sortKey ? { [def.sortKey.name]: { S: 'LAYOUT' } } : {}),
    };
    const got = await ddb.send(new GetItemCommand({ TableName: name, Key: key, ConsistentRead: true }));
    const version = got.Item?.version?.N;
    if (version === String(def.layoutVersion)) continue;
    if (version === undefined) {
      const any = await ddb.send(new ScanCommand({ TableName: name, Limit: 1 }));
      if ((any.Items ?? []).length === 0) {
        await ddb.send(
          new PutItemCommand({
            TableName: name,
            Item: { ...key, version: { N: String(def.layoutVersion) } },
          }),
        );
        continue;
      }
    }
    throw new LocalStackStartError(
      'DynamoDB',
      `the ${def.id} table in ${dataDir} holds items of key layout ${version ?? '1 (no LAYOUT item)'}, ` +
        `and this version of tally reads layout ${def.layoutVersion}: it would not see them. Delete ` +
        `${dataDir} to start over (npm start does so on every run), or keep it for the version that wrote it.`,
    );
  }
}

/** A resource's local name: the prefix isolates test runs that share one emulator. */
export function localName(prefix: string, id: string): string {
  return `${prefix}${id}`;
}

/**
 * Creates every table and queue of the definitions (idempotently) under `prefix`, and returns the
 * environment variables that point functions at them.
 */
export async function createResources(
  clients: { ddb: DynamoDBClient; sqs: SQSClient },
  prefix = 'tally-',
): Promise<LocalResources> {
  const env: Record<string, string> = {};
  const tables: Record<string, string> = {};
  const queues: Record<string, { url: string; arn: string; dlqUrl: string; dlqArn: string }> = {};
  await Promise.all(
    tableDefinitions.map(async (def) => {
      const name = localName(prefix, def.id);
      await ensureTable(clients.ddb, def, name);
      tables[def.id] = name;
      env[def.envVar] = name;
    }),
  );
  await Promise.all(
    queueDefinitions.map(async (def) => {
      const q = await ensureQueue(clients.sqs, def, localName(prefix, def.id));
      queues[def.id] = q;
      env[def.envVar] = q.url;
    }),
  );
  return { env, tables, queues };
}
