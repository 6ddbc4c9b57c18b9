import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { billingTable, type TableDefinition, usageTable } from '@tally/resources';
import { CachedDocumentClient } from './document-client.js';
import { MissingConfigurationError } from './errors.js';

/**
 * The DynamoDB document client of tally. The endpoint comes from AWS_ENDPOINT_URL_DYNAMODB when set
 * (the local stack), otherwise from the Lambda's region. Numbers are never used for money: amounts are
 * decimal strings, so `wrapNumbers` is not needed; `removeUndefinedValues` lets optional fields be absent.
 * Its middleware is resolved once per command class, not per request (`CachedDocumentClient`); middleware
 * added through `middlewareStack` (e.g. an injected throttle) applies to the requests sent after.
 */
export function createDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient({ maxAttempts: 8, ...config });
  // The SDK's logger middleware filters every request and response for sensitive fields even when nothing
  // logs (the default logger is a no-op): ~1 s of CPU per 100,000 events read. tally logs through Powertools.
  client.middlewareStack.remove('loggerMiddleware');
  return new CachedDocumentClient(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/** A table's name from its environment variable; fails naming the variable when it is missing. */
export function tableName(def: TableDefinition, env: NodeJS.ProcessEnv = process.env): string {
  const name = env[def.envVar];
  if (!name) throw new MissingConfigurationError(def.envVar, `the name of the ${def.id} table`);
  return name;
}

export interface TableNames {
  readonly usage: string;
  readonly billing: string;
}

export function tableNames(env: NodeJS.ProcessEnv = process.env): TableNames {
  return { usage: tableName(usageTable, env), billing: tableName(billingTable, env) };
}
