import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBillingTable, localDocumentClient } from '../../../test/support/billing-table.js';

const ours = localDocumentClient();
const sdk = DynamoDBDocumentClient.from(
  new DynamoDBClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB, maxAttempts: 8 }),
  { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false } },
);
let table = '';

beforeAll(async () => {
  table = await createBillingTable('doc');
});

const field = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
  fc.uint8Array({ minLength: 1, maxLength: 16 }),
);
const fields = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'amount', 'state'), field, { maxKeys: 5 });

describe('createDocumentClient against dynalite', () => {
  it('writes and reads what the SDK document client reads and writes, interleaving commands', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fields, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 5 }),
        async (items, n) => {
          const pk = `DOC#${Math.random().toString(36).slice(2)}`;
          // Ours writes the odd items and the SDK's the even ones; both read everything back.
          for (const [i, f] of items.entries()) {
            const doc = i % 2 === 0 ? sdk : ours;
            await doc.send(new PutCommand({ TableName: table, Item: { ...f, pk, sk: `I#${i}` } }));
          }
          await ours.send(
            new UpdateCommand({
              TableName: table,
              Key: { pk, sk: 'I#0' },
              UpdateExpression: 'ADD hits :n',
              ExpressionAttributeValues: { ':n': n },
            }),
          );
          const query = () =>
            new QueryCommand({
              TableName: table,
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': pk },
            });
          const [a, b] = [await sdk.send(query()), await ours.send(query())];
          expect(b.Items).toEqual(a.Items);
          // By hand: item 0 got `hits` = n, the others are as written.
          expect(b.Items?.find((x) => x.sk === 'I#0')).toEqual({ ...items[0], pk, sk: 'I#0', hits: n });
          const keys = items.map((_, i) => ({ pk, sk: `I#${i}` }));
          const got = await ours.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: keys } } }));
          expect(got.Responses?.[table]?.length).toBe(items.length);
          const last = items.length - 1;
          const one = await ours.send(new GetCommand({ TableName: table, Key: { pk, sk: `I#${last}` } }));
          expect(one.Item).toEqual({
            ...items[last],
            pk,
            sk: `I#${last}`,
            ...(last === 0 ? { hits: n } : {}),
          });
          if (keys.length > 1) {
            await ours.send(
              new BatchWriteCommand({
                RequestItems: { [table]: keys.slice(1).map((Key) => ({ DeleteRequest: { Key } })) },
              }),
            );
          }
          await ours.send(new DeleteCommand({ TableName: table, Key: keys[0]! }));
          expect((await sdk.send(query())).Items).toEqual([]);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('raises a failed condition as the SDK does', async () => {
    const Item = { pk: 'COND#1', sk: 'X', v: 1 };
    await ours.send(new PutCommand({ TableName: table, Item }));
    const put = (doc: DynamoDBDocumentClient) =>
      doc
        .send(
          new PutCommand({
            TableName: table,
            Item,
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        )
        .then(
          () => undefined,
          (err: unknown) => err as ConditionalCheckFailedException,
        );
    const [a, b] = [await put(sdk), await put(ours)];
    expect(b).toBeInstanceOf(ConditionalCheckFailedException);
    expect([b?.name, b?.message, b?.$metadata.httpStatusCode, b?.Item]).toEqual([
      a?.name,
      a?.message,
      a?.$metadata.httpStatusCode,
      a?.Item,
    ]);
    // dynalite returns no item on a failed PutItem condition (DynamoDB does): both see none here.
  });
});
