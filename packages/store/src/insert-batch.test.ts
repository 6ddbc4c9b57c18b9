import { Readable } from 'node:stream';
import {
  BatchExecuteStatementCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InsertBatchCommand, insertBatchBody } from './insert-batch.js';
import { type EventItem, insertStatement } from './usage-store.js';

const config: DynamoDBClientConfig = {
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:1',
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
};

interface Sent {
  headers: Record<string, string>;
  body: string;
}

/** The request a client would send, taken at the end of the build step (signing and sending skipped). */
async function captured(
  command: BatchExecuteStatementCommand,
  clientConfig: DynamoDBClientConfig = {},
): Promise<Sent> {
  const client = new DynamoDBClient({ ...config, ...clientConfig });
  client.middlewareStack.add(
    () => async (args: { request?: unknown }) => {
      throw Object.assign(new Error('captured'), { request: args.request });
    },
    { step: 'build', priority: 'low', name: 'captureMiddleware' },
  );
  try {
    await client.send(command);
  } catch (err) {
    const request = (err as { request?: { headers: Record<string, string>; body: unknown } }).request;
    if (request === undefined) throw err;
    const body = request.body;
    return {
      headers: request.headers,
      body: typeof body === 'string' ? body : new TextDecoder().decode(body as Uint8Array),
    };
  }
  throw new Error('the request was sent');
}

// Any text, including quotes, backslashes, control characters, non-BMP characters and lone surrogates.
const text = fc.string({ unit: 'binary', maxLength: 40 });
const item: fc.Arbitrary<EventItem> = fc.record(
  {
    pk: text,
    sk: text,
    t: text,
    h: text,
    m: text,
    r: text,
    s: text,
    d: fc.string({ unit: 'binary', maxLength: 600 }),
    z: fc.uint8Array({ maxLength: 300 }),
    x: text,
    expiresAt: fc.integer({ min: 0, max: 2 ** 40 }),
  },
  { requiredKeys: ['pk', 'sk', 't', 'h', 'm', 'r', 's', 'expiresAt'] },
);

describe('insertBatchBody', () => {
  it('writes the body the SDK writes for the same INSERT statements', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(item, { minLength: 1, maxLength: 25 }),
        fc.string({ minLength: 1, maxLength: 20 }),
        async (items, table) => {
          const sdk = await captured(
            new BatchExecuteStatementCommand({
              Statements: items.map((i) => insertStatement(table, i)),
              ReturnConsumedCapacity: 'TOTAL',
            }),
          );
          expect(JSON.parse(insertBatchBody(table, items))).toEqual(JSON.parse(sdk.body));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('writes a binary attribute as base64 and the TTL as a number string', () => {
    const body = JSON.parse(
      insertBatchBody('usage', [
        {
          pk: 'p',
          sk: 's',
          t: 't',
          h: 'h',
          m: 'm',
          r: 'r',
          s: 'c',
          z: new Uint8Array([1, 2, 255]),
          expiresAt: 42,
        },
      ]),
    );
    // bytes 01 02 FF = 000000 010000 001011 111111 = A Q L /
    expect(body.Statements[0].Parameters.slice(7)).toEqual([{ N: '42' }, { B: 'AQL/' }]);
    expect(body.Statements[0].Statement).toBe(
      `INSERT INTO "usage" VALUE {'pk': ?, 'sk': ?, 't': ?, 'h': ?, 'm': ?, 'r': ?, 's': ?, 'expiresAt': ?, 'z': ?}`,
    );
  });
});

const items: EventItem[] = [
  {
    pk: 'U#c#t#2026-01-09#0',
    sk: '["s","1"]',
    t: 't',
    h: 'h1',
    m: 'm1',
    r: 'r',
    s: 'c',
    d: '{}',
    expiresAt: 1,
  },
  {
    pk: 'U#c#t#2026-01-09#0',
    sk: '["s","2"]',
    t: 't',
    h: 'h2',
    m: 'm2',
    r: 'r',
    s: 'c',
    d: '{"a":1}',
    expiresAt: 1,
  },
];

describe('InsertBatchCommand', () => {
  it('sends the request the SDK sends for the same statements, with our body', async () => {
    const sdk = await captured(
      new BatchExecuteStatementCommand({
        Statements: items.map((i) => insertStatement('usage', i)),
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    const ours = await captured(new InsertBatchCommand('usage', items));
    expect(ours.body).toBe(insertBatchBody('usage', items));
    const { 'content-length': oursLength, ...oursHeaders } = ours.headers;
    const { 'content-length': sdkLength, ...sdkHeaders } = sdk.headers;
    expect(oursHeaders).toEqual(sdkHeaders);
    expect(oursHeaders['x-amz-target']).toBe('DynamoDB_20120810.BatchExecuteStatement');
    // Both bodies are compact JSON of the same object without characters to escape: the same length.
    expect(oursLength).toBe(String(Buffer.byteLength(ours.body)));
    expect(oursLength).toBe(sdkLength);
  });

  it('keeps each command its own body when the client caches the resolved middleware', async () => {
    const a = await captured(new InsertBatchCommand('usage', items.slice(0, 1)), { cacheMiddleware: true });
    const b = await captured(new InsertBatchCommand('usage', items.slice(1)), { cacheMiddleware: true });
    expect(JSON.parse(a.body).Statements[0].Parameters[1]).toEqual({ S: '["s","1"]' });
    expect(JSON.parse(b.body).Statements[0].Parameters[1]).toEqual({ S: '["s","2"]' });
  });
});

/** A client whose HTTP handler answers each request with the next of `answers` (status, JSON body). */
function answering(answers: [number, object][], clientConfig: DynamoDBClientConfig = {}) {
  const bodies: string[] = [];
  const client = new DynamoDBClient({
    ...config,
    cacheMiddleware: true,
    ...clientConfig,
    requestHandler: {
      async handle(request: { body: Uint8Array }) {
        bodies.push(new TextDecoder().decode(request.body));
        const [statusCode, body] = answers[bodies.length - 1] ?? [500, {}];
        return {
          response: {
            statusCode,
            headers: {
              'content-type': 'application/x-amz-json-1.0',
              'x-amzn-requestid': `req-${bodies.length}`,
            },
            body: Readable.from([Buffer.from(JSON.stringify(body))]),
          },
        };
      },
    },
  });
  return { client, bodies };
}

describe('InsertBatchCommand answers', () => {
  it('reads per-statement errors, the refused item (binary decoded) and the consumed capacity', async () => {
    const { client } = answering([
      [
        200,
        {
          Responses: [
            { TableName: 'usage' },
            {
              TableName: 'usage',
              Error: {
                Code: 'DuplicateItem',
                Message: 'Duplicate primary key exists in table',
                Item: { h: { S: 'h0' }, m: { S: 'm0' }, z: { B: 'AQL/' }, expiresAt: { N: '1' } },
              },
            },
          ],
          ConsumedCapacity: [{ TableName: 'usage', CapacityUnits: 1 }],
        },
      ],
    ]);
    const res = await client.send(new InsertBatchCommand('usage', items));
    expect(res.Responses?.[0]?.Error).toBeUndefined();
    expect(res.Responses?.[1]?.Error?.Code).toBe('DuplicateItem');
    expect(res.Responses?.[1]?.Error?.Item).toEqual({
      h: { S: 'h0' },
      m: { S: 'm0' },
      z: { B: new Uint8Array([1, 2, 255]) },
      expiresAt: { N: '1' },
    });
    expect(res.ConsumedCapacity).toEqual([{ TableName: 'usage', CapacityUnits: 1 }]);
    expect(res.$metadata).toMatchObject({ httpStatusCode: 200, requestId: 'req-1', attempts: 1 });
  });

  it('raises the SDK exception of a throttled request once its attempts are spent', async () => {
    const throttled: [number, object] = [
      400,
      {
        __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
        message: 'The level of configured provisioned throughput for the table was exceeded.',
      },
    ];
    const { client, bodies } = answering([throttled], { maxAttempts: 1 });
    const err = await client.send(new InsertBatchCommand('usage', items)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(err).toMatchObject({ $metadata: { httpStatusCode: 400 } });
    expect(bodies).toHaveLength(1);
  });

  it.each([
    [
      'a throttle',
      400,
      { __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'slow down' },
    ],
    ['a 500', 500, { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'oops' }],
  ])('sends the same body again after %s (the SDK retries it)', async (_, status, error) => {
    const { client, bodies } = answering(
      [
        [status, error],
        [200, { Responses: [{}, {}] }],
      ],
      { maxAttempts: 2 },
    );
    const res = await client.send(new InsertBatchCommand('usage', items));
    expect(res.Responses).toEqual([{}, {}]);
    expect(res.$metadata.attempts).toBe(2);
    expect(bodies).toEqual([insertBatchBody('usage', items), insertBatchBody('usage', items)]);
  });
});
