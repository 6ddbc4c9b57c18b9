import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { billingTable, deliveryQueue } from '@tally/resources';
import { describe, expect, it } from 'vitest';
import { localEnv } from './support/aws.js';

// Handlers build their clients with no endpoint (`new SQSClient({})`), as in Lambda: the local stack must be
// reachable through AWS_ENDPOINT_URL_<SERVICE> and the resource names alone.
describe('local stack environment', () => {
  const env = localEnv();

  it('gives queue URLs whose host resolves (the SQS client sends to the queue URL)', async () => {
    const url = env[deliveryQueue.envVar]!;
    expect(new URL(url).hostname).toBe('127.0.0.1');
    const sqs = new SQSClient({});
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'ping' }));
    const got = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }),
    );
    const ping = got.Messages?.find((m) => m.Body === 'ping');
    expect(ping).toBeDefined();
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: ping!.ReceiptHandle! }));
  });

  it('lets a DynamoDB client with no endpoint reach the tables by their variable names', async () => {
    const table = await new DynamoDBClient({}).send(
      new DescribeTableCommand({ TableName: env[billingTable.envVar] }),
    );
    expect(table.Table?.TableStatus).toBe('ACTIVE');
  });
});
