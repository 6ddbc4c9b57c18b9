import {
  BatchExecuteStatementCommand,
  type BatchStatementRequest,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { untilTable } from '../packages/local-stack/src/index.js';
import { localClients, uniquePrefix } from './support/aws.js';

// The local stack answers PartiQL BatchExecuteStatement INSERTs (dynalite has no PartiQL): ingestion's
// batched conditional writes. These tests hold the emulator to DynamoDB's documented behaviour for them.
describe('local DynamoDB: BatchExecuteStatement INSERT', () => {
  const { ddb } = localClients();
  const table = `${uniquePrefix('pq')}events`;
  const insert = (pk: string, sk: string, v: string): BatchStatementRequest => ({
    Statement: `INSERT INTO "${table}" VALUE {'pk': ?, 'sk': ?, 'v': ?}`,
    Parameters: [{ S: pk }, { S: sk }, { N: v }],
  });
  const get = async (pk: string, sk: string) =>
    (await ddb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: pk }, sk: { S: sk } } }))).Item;

  beforeAll(async () => {
    await ddb.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
    await untilTable(ddb, table, 'ACTIVE');
  });

  it('inserts new items, one response per statement in order, and reports the write units', async () => {
    const res = await ddb.send(
      new BatchExecuteStatementCommand({
        Statements: [insert('a', '1', '10'), insert('a', '2', '20'), insert('b', '1', '30')],
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    expect(res.Responses?.map((r) => r.Error)).toEqual([undefined, undefined, undefined]);
    // Three items of well under 1 KB: one write unit each.
    expect(res.ConsumedCapacity).toEqual([{ TableName: table, CapacityUnits: 3 }]);
    expect(await get('a', '2')).toEqual({ pk: { S: 'a' }, sk: { S: '2' }, v: { N: '20' } });
  });

  it('refuses an INSERT of an existing key with DuplicateItem, keeps the stored item, and lands the others', async () => {
    await ddb.send(new BatchExecuteStatementCommand({ Statements: [insert('c', '1', '1')] }));
    const res = await ddb.send(
      new BatchExecuteStatementCommand({ Statements: [insert('c', '1', '999'), insert('c', '2', '2')] }),
    );
    expect(res.Responses?.[0]?.Error?.Code).toBe('DuplicateItem');
    expect(res.Responses?.[1]?.Error).toBeUndefined();
    expect((await get('c', '1'))?.v).toEqual({ N: '1' });
    expect((await get('c', '2'))?.v).toEqual({ N: '2' });
  });

  it('answers a refused INSERT that asks for ALL_OLD with the stored item, as DynamoDB does', async () => {
    await ddb.send(new BatchExecuteStatementCommand({ Statements: [insert('old', '1', '7')] }));
    const res = await ddb.send(
      new BatchExecuteStatementCommand({
        Statements: [{ ...insert('old', '1', '8'), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }],
      }),
    );
    expect(res.Responses?.[0]?.Error).toEqual({
      Code: 'DuplicateItem',
      Message: 'Duplicate primary key exists in table',
      Item: { pk: { S: 'old' }, sk: { S: '1' }, v: { N: '7' } },
    });
    // Without ALL_OLD the refusal carries no item; a statement that lands has no error.
    const plain = await ddb.send(
      new BatchExecuteStatementCommand({
        Statements: [
          insert('old', '1', '9'),
          { ...insert('old', '2', '2'), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' },
        ],
      }),
    );
    expect(plain.Responses?.[0]?.Error?.Code).toBe('DuplicateItem');
    expect(plain.Responses?.[0]?.Error?.Item).toBeUndefined();
    expect(plain.Responses?.[1]?.Error).toBeUndefined();
    expect((await get('old', '1'))?.v).toEqual({ N: '7' });
    // Any other value than ALL_OLD or NONE refuses the whole request, as DynamoDB's validation does.
    await expect(
      ddb.send(
        new BatchExecuteStatementCommand({
          Statements: [
            {
              ...insert('old', '3', '3'),
              ReturnValuesOnConditionCheckFailure: 'ALL_NEW' as 'ALL_OLD',
            },
          ],
        }),
      ),
    ).rejects.toThrow(/ReturnValuesOnConditionCheckFailure must be ALL_OLD or NONE/);
    expect(await get('old', '3')).toBeUndefined();
  });

  it('answers an invalid item with a ValidationError for that statement only', async () => {
    const res = await ddb.send(
      new BatchExecuteStatementCommand({
        Statements: [
          { Statement: `INSERT INTO "${table}" VALUE {'pk': ?}`, Parameters: [{ S: 'd' }] },
          insert('d', '1', '4'),
        ],
      }),
    );
    expect(res.Responses?.[0]?.Error?.Code).toBe('ValidationError');
    expect(res.Responses?.[0]?.Error?.Message).toMatch(/sk/);
    expect(res.Responses?.[1]?.Error).toBeUndefined();
  });

  it.each([
    ['more than 25 statements', Array.from({ length: 26 }, (_, i) => insert('e', String(i), '1')), /25/],
    ['a statement outside the supported subset', [{ Statement: `SELECT * FROM "${table}"` }], /INSERT INTO/],
    [
      'a parameter count that does not match',
      [{ Statement: `INSERT INTO "${table}" VALUE {'pk': ?, 'sk': ?}`, Parameters: [{ S: 'f' }] }],
      /2 placeholders but 1 parameters/,
    ],
    ['the same key twice', [insert('g', '1', '1'), insert('g', '1', '2')], /duplicates/],
  ])('refuses the whole request for %s', async (_, statements, message) => {
    await expect(
      ddb.send(new BatchExecuteStatementCommand({ Statements: statements as BatchStatementRequest[] })),
    ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(message) });
  });

  it('answers ResourceNotFoundException for a missing table', async () => {
    await expect(
      ddb.send(
        new BatchExecuteStatementCommand({
          Statements: [
            { Statement: `INSERT INTO "no-such-table" VALUE {'pk': ?}`, Parameters: [{ S: 'x' }] },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('keeps answering the operations dynalite serves itself', async () => {
    expect(await get('a', '1')).toEqual({ pk: { S: 'a' }, sk: { S: '1' }, v: { N: '10' } });
  });
});

// The emulator keeps table definitions in memory after the first read (dynalite reads one from disk for every
// request): a table deleted and created again under the same name must be seen with its new definition.
describe('local DynamoDB: table definitions after a delete and re-create', () => {
  const { ddb } = localClients();
  const table = `${uniquePrefix('tc')}defs`;
  const create = async (hashKey: string) => {
    await ddb.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: hashKey, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: hashKey, KeyType: 'HASH' }],
      }),
    );
    await untilTable(ddb, table, 'ACTIVE');
  };
  const put = (item: Record<string, string>) =>
    ddb.send(
      new PutItemCommand({
        TableName: table,
        Item: Object.fromEntries(Object.entries(item).map(([k, v]) => [k, { S: v }])),
      }),
    );

  it('validates writes against the new key schema, not the cached old one', async () => {
    await create('a');
    await put({ a: '1' });
    await ddb.send(new DeleteTableCommand({ TableName: table }));
    await untilTable(ddb, table, 'gone');
    await create('b');
    // Under the old definition (hash key a) this item would be refused for missing its key; under the new one
    // it is stored, and an item without b is refused.
    await put({ b: '2' });
    await expect(put({ a: '3' })).rejects.toThrow(/key/i);
    const got = await ddb.send(new GetItemCommand({ TableName: table, Key: { b: { S: '2' } } }));
    expect(got.Item).toEqual({ b: { S: '2' } });
    const described = await ddb.send(new DescribeTableCommand({ TableName: table }));
    expect(described.Table?.KeySchema).toEqual([{ AttributeName: 'b', KeyType: 'HASH' }]);
  });
});
