import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { type DynamoProcess, startDynamo, untilTable } from '../packages/local-stack/src/index.js';

// A persisted dynalite keeps its data in memory and mirrors every write to its LevelDB folder: what a stack
// wrote is there after a restart, whatever the kind of write, including writes made just before the stop.

const folders: string[] = [];
afterAll(() => {
  for (const f of folders) rmSync(f, { recursive: true, force: true });
});

const client = (endpoint: string) =>
  new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
  });

async function withDynamo<T>(path: string, proc: DynamoProcess, fn: (ddb: DynamoDBClient) => Promise<T>) {
  const dynamo = await startDynamo({ path, process: proc });
  const ddb = client(dynamo.endpoint);
  try {
    return await fn(ddb);
  } finally {
    ddb.destroy();
    await dynamo.stop();
  }
}

describe.each<DynamoProcess>(['child', 'inline'])('persisted dynalite (%s)', (proc) => {
  it('finds after a restart every put, update, delete and batch write, the last ones made just before the stop', async () => {
    const path = mkdtempSync(join(tmpdir(), 'tally-dyn-'));
    folders.push(path);
    const TableName = 'persisted';
    await withDynamo(path, proc, async (ddb) => {
      await ddb.send(
        new CreateTableCommand({
          TableName,
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await untilTable(ddb, TableName, 'ACTIVE');
      await ddb.send(
        new PutItemCommand({ TableName, Item: { pk: { S: 'a' }, sk: { S: '1' }, v: { N: '1' } } }),
      );
      await ddb.send(
        new PutItemCommand({ TableName, Item: { pk: { S: 'a' }, sk: { S: '2' }, v: { N: '2' } } }),
      );
      await ddb.send(
        new UpdateItemCommand({
          TableName,
          Key: { pk: { S: 'a' }, sk: { S: '1' } },
          UpdateExpression: 'SET v = v + :one',
          ExpressionAttributeValues: { ':one': { N: '10' } },
        }),
      );
      await ddb.send(new DeleteItemCommand({ TableName, Key: { pk: { S: 'a' }, sk: { S: '2' } } }));
      // 100 items in 4 batch requests, not awaited one by one: the stop follows the last answer at once.
      await Promise.all(
        Array.from({ length: 4 }, (_, b) =>
          ddb.send(
            new BatchWriteItemCommand({
              RequestItems: {
                [TableName]: Array.from({ length: 25 }, (_, i) => ({
                  PutRequest: { Item: { pk: { S: 'b' }, sk: { S: String(b * 25 + i).padStart(3, '0') } } },
                })),
              },
            }),
          ),
        ),
      );
    });
    await withDynamo(path, proc, async (ddb) => {
      const a1 = await ddb.send(new GetItemCommand({ TableName, Key: { pk: { S: 'a' }, sk: { S: '1' } } }));
      // 1 + 10
      expect(a1.Item?.v).toEqual({ N: '11' });
      const a2 = await ddb.send(new GetItemCommand({ TableName, Key: { pk: { S: 'a' }, sk: { S: '2' } } }));
      expect(a2.Item).toBeUndefined();
      const b = await ddb.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'pk = :b',
          ExpressionAttributeValues: { ':b': { S: 'b' } },
        }),
      );
      expect(b.Count).toBe(100);
      expect(b.Items?.at(-1)?.sk).toEqual({ S: '099' });
      // And it still writes after the restart
      await ddb.send(new PutItemCommand({ TableName, Item: { pk: { S: 'a' }, sk: { S: '3' } } }));
    });
    await withDynamo(path, proc, async (ddb) => {
      const a3 = await ddb.send(new GetItemCommand({ TableName, Key: { pk: { S: 'a' }, sk: { S: '3' } } }));
      expect(a3.Item?.pk).toEqual({ S: 'a' });
    });
  });
});
