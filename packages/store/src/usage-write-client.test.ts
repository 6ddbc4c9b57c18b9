import { Readable } from 'node:stream';
import { type DynamoDBClientConfig, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { InsertBatchCommand, insertBatchBody } from './insert-batch.js';
import type { EventItem } from './usage-store.js';
import { ReadHashesCommand, UsageWriteClient } from './usage-write-client.js';

const items: EventItem[] = [1, 2].map((n) => ({
  pk: `U#c#t#2026-01#0`,
  sk: `2026-01-0${n}#["s","${n}"]`,
  t: `2026-01-0${n}T00:00:00.000Z`,
  h: `h${n}`,
  m: `m${n}`,
  r: '2026-01-09T00:00:00.000Z',
  s: 'c',
  d: '{"n":1}',
  expiresAt: 1_800_000_000,
}));

interface Seen {
  headers: Record<string, string>;
  body: string;
  hostname: string;
  port?: number;
  protocol: string;
  path: string;
}

/** A write client whose HTTP handler records each request and answers it with the next of `answers`. */
function answering(answers: [number, object][], config: DynamoDBClientConfig = {}) {
  const seen: Seen[] = [];
  const client = new UsageWriteClient({
    region: 'eu-west-1',
    endpoint: 'http://127.0.0.1:4567',
    credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
    cacheMiddleware: true,
    ...config,
    requestHandler: {
      async handle(request: Seen & { body: Uint8Array }) {
        seen.push({
          ...request,
          headers: { ...request.headers },
          body: new TextDecoder().decode(request.body),
        });
        const [statusCode, body] = answers[seen.length - 1] ?? [500, {}];
        return {
          response: {
            statusCode,
            headers: {
              'content-type': 'application/x-amz-json-1.0',
              'x-amzn-requestid': `req-${seen.length}`,
            },
            body: Readable.from([Buffer.from(JSON.stringify(body))]),
          },
        };
      },
    },
  });
  return { client, seen };
}

const ok: [number, object] = [200, { Responses: [{}, {}], ConsumedCapacity: [{ CapacityUnits: 2 }] }];

describe('UsageWriteClient', () => {
  it('sends the first batch through the SDK and later ones itself, to the same endpoint with the same body', async () => {
    const { client, seen } = answering([ok, ok]);
    const first = await client.send(new InsertBatchCommand('usage', items));
    const second = await client.send(new InsertBatchCommand('usage', items));
    expect(second.Responses).toEqual(first.Responses);
    expect(second.ConsumedCapacity).toEqual([{ CapacityUnits: 2 }]);
    expect(second.$metadata).toMatchObject({ httpStatusCode: 200, requestId: 'req-2', attempts: 1 });
    const [sdk, ours] = seen as [Seen, Seen];
    expect(ours.body).toBe(insertBatchBody('usage', items));
    expect(ours.body).toBe(sdk.body);
    expect({ ...ours, headers: undefined, body: undefined }).toEqual({
      ...sdk,
      headers: undefined,
      body: undefined,
      method: 'POST',
      query: {},
    });
    for (const h of ['content-type', 'x-amz-target', 'host', 'content-length']) {
      expect(ours.headers[h], h).toBe(sdk.headers[h]);
    }
    // The SDK signs more headers (user agent, invocation id); ours signs what DynamoDB requires.
    expect(ours.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKID\/\d{8}\/eu-west-1\/dynamodb\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=[0-9a-f]{64}$/,
    );
  });

  it('sends the same body again after a throttle, then answers', async () => {
    const throttle: [number, object] = [
      400,
      { __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'slow down' },
    ];
    const { client, seen } = answering([ok, throttle, [500, { __type: 'InternalServerError' }], ok], {
      maxAttempts: 3,
    });
    await client.send(new InsertBatchCommand('usage', items));
    const res = await client.send(new InsertBatchCommand('usage', items));
    expect(res.$metadata.attempts).toBe(3);
    expect(seen.map((s) => s.body)).toEqual(Array(4).fill(insertBatchBody('usage', items)));
  });

  it('raises the SDK exception of a throttled request once its attempts are spent', async () => {
    const throttled: [number, object] = [
      400,
      {
        __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
        message: 'too much',
      },
    ];
    const { client, seen } = answering([ok, throttled, throttled], { maxAttempts: 2 });
    await client.send(new InsertBatchCommand('usage', items));
    const err = await client.send(new InsertBatchCommand('usage', items)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(seen).toHaveLength(3);
  });

  it('does not retry a request DynamoDB refuses as invalid', async () => {
    const invalid: [number, object] = [
      400,
      { __type: 'com.amazon.coral.validate#ValidationException', message: 'bad statement' },
    ];
    const { client, seen } = answering([ok, invalid, ok], { maxAttempts: 5 });
    await client.send(new InsertBatchCommand('usage', items));
    const err = await client.send(new InsertBatchCommand('usage', items)).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
    expect(seen).toHaveLength(2);
  });
});

describe('UsageWriteClient reads of stored hashes', () => {
  const keys = [{ pk: { S: 'U#c#t#2026-01#0' }, sk: { S: '2026-01-01#["s","1"]' } }];
  const found: [number, object] = [
    200,
    {
      Responses: { usage: [{ pk: keys[0]!.pk, sk: keys[0]!.sk, h: { S: 'h1' }, m: { S: 'm1' } }] },
      UnprocessedKeys: {},
      ConsumedCapacity: [{ TableName: 'usage', CapacityUnits: 1 }],
    },
  ];

  it('sends ReadHashesCommand itself after the first, with the body and target the SDK sends, and reads the answer', async () => {
    const { client, seen } = answering([found, found]);
    const first = await client.send(new ReadHashesCommand('usage', keys, 'pk, sk, h, m'));
    const second = await client.send(new ReadHashesCommand('usage', keys, 'pk, sk, h, m'));
    const [sdk, ours] = seen as [Seen, Seen];
    expect(JSON.parse(ours.body)).toEqual(JSON.parse(sdk.body));
    expect(ours.headers['x-amz-target']).toBe('DynamoDB_20120810.BatchGetItem');
    expect(ours.headers['x-amz-target']).toBe(sdk.headers['x-amz-target']);
    expect(ours.headers.authorization).toContain('SignedHeaders=content-type;host;x-amz-date;x-amz-target');
    expect(second.Responses).toEqual(first.Responses);
    expect(second.Responses?.usage?.[0]?.h).toEqual({ S: 'h1' });
    expect(second.ConsumedCapacity).toEqual(first.ConsumedCapacity);
  });

  it('sends the same read again after a throttle', async () => {
    const throttle: [number, object] = [
      400,
      { __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message: 'x' },
    ];
    const { client, seen } = answering([found, throttle, found], { maxAttempts: 2 });
    await client.send(new ReadHashesCommand('usage', keys, 'pk, sk, h, m'));
    const res = await client.send(new ReadHashesCommand('usage', keys, 'pk, sk, h, m'));
    expect(res.$metadata.attempts).toBe(2);
    expect(seen[2]!.body).toBe(seen[1]!.body);
  });
});
