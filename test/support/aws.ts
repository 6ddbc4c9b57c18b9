import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { inject } from 'vitest';

/** The local stack's environment, applied to this worker's process.env (idempotent). */
export function localEnv(): Record<string, string> {
  const { env } = inject('localStack');
  Object.assign(process.env, env);
  return env;
}

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export function localClients(): { ddb: DynamoDBClient; sqs: SQSClient } {
  const { endpoints } = inject('localStack');
  localEnv();
  return {
    ddb: new DynamoDBClient({ region: 'us-east-1', credentials, endpoint: endpoints.dynamodb }),
    sqs: new SQSClient({ region: 'us-east-1', credentials, endpoint: endpoints.sqs }),
  };
}

/** A short unique prefix, so tests sharing the emulators never see each other's resources. */
export function uniquePrefix(label: string): string {
  return `t-${label}-${Math.random().toString(36).slice(2, 8)}-`;
}
