import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  ExecuteStatementCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  FinalizeHandler,
  FinalizeHandlerArguments,
  FinalizeHandlerOutput,
  HttpRequest,
} from '@smithy/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { amzDate, sdkAuthorization } from '../test-support/sdk-signature.js';
import { createDocumentClient } from './client.js';

/** What a request handler saw: the wire request, and the body it answered with. */
interface Exchange {
  readonly target: string;
  readonly body: string;
  readonly headers: Record<string, string>;
  readonly hostname: string;
}

/** Operations the document client sends below the SDK's pipeline once the SDK has sent one request. */
const DIRECT = new Set(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query']);

/** The authorization `@smithy/signature-v4` computes for a request's signed headers, body and date. */
function sdkSignature(e: Exchange): Promise<string> {
  const { authorization: _, 'content-length': _l, 'x-amz-date': _d, ...signed } = e.headers;
  return sdkAuthorization({
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    region: 'eu-central-1',
    protocol: 'https:',
    hostname: e.hostname,
    headers: signed,
    body: e.body,
    date: amzDate(e.headers['x-amz-date']!),
  });
}

/**
 * A client config whose request handler records each request and answers with `reply(target)` (a DynamoDB
 * JSON body), so two clients can be compared request for request without a server.
 */
function recording(reply: (target: string) => unknown) {
  const seen: Exchange[] = [];
  const config = {
    region: 'eu-central-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    // A fixed clock: both clients then sign identically, and the whole request can be compared.
    systemClockOffset: 0,
    requestHandler: {
      handle: async (request: HttpRequest) => {
        const target = String(request.headers['x-amz-target']);
        const body =
          typeof request.body === 'string'
            ? request.body
            : Buffer.from(request.body as Uint8Array).toString();
        seen.push({
          target,
          body,
          headers: { ...request.headers } as Record<string, string>,
          hostname: request.hostname,
        });
        const payload = Buffer.from(JSON.stringify(reply(target)));
        return {
          response: {
            statusCode: 200,
            reason: 'OK',
            headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'r1' },
            body: payload,
          },
        };
      },
      updateHttpClientConfig: () => {},
      httpHandlerConfigs: () => ({}),
    },
  };
  return { seen, config };
}

/** The SDK's own document client with the options createDocumentClient uses. */
function sdkDocumentClient(config: object): DynamoDBDocumentClient {
  const client = new DynamoDBClient({ maxAttempts: 8, ...config });
  client.middlewareStack.remove('loggerMiddleware');
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/** Headers that differ between any two requests (time, signature, invocation id), not between clients. */
const VOLATILE = new Set(['x-amz-date', 'authorization', 'amz-sdk-invocation-id', 'amz-sdk-request']);
const stable = (h: Record<string, string>) =>
  Object.fromEntries(Object.entries(h).filter(([k]) => !VOLATILE.has(k.toLowerCase())));

// Attribute values a store may write: strings, numbers, booleans, null, binary, sets, nested lists and maps,
// and undefined (dropped by removeUndefinedValues).
const scalar = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }),
  fc.boolean(),
  fc.constant(null),
  fc.uint8Array({ minLength: 1, maxLength: 8 }),
  fc.constant(undefined),
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), tie('value'), { maxKeys: 3 }),
    fc
      .uniqueArray(fc.string({ minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 3 })
      .map((a) => new Set(a)),
  ),
}));
const key = fc.record({
  pk: fc.string({ minLength: 1, maxLength: 12 }),
  sk: fc.string({ minLength: 1, maxLength: 12 }),
});
const item = fc
  .tuple(key, fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), value, { maxKeys: 6 }))
  .map(([k, rest]) => ({ ...rest, ...k }));
const table = fc.constantFrom('tally-Billing', 'tally-Usage');

type Build = () => unknown;
// Every document command the stores send, with random items, keys and expression values.
const command: fc.Arbitrary<{ name: string; build: Build }> = fc.oneof(
  fc.record({ t: table, k: key }).map(({ t, k }) => ({
    name: 'Get',
    build: () => new GetCommand({ TableName: t, Key: k, ConsistentRead: true }),
  })),
  fc.record({ t: table, it: item }).map(({ t, it }) => ({
    name: 'Put',
    build: () => new PutCommand({ TableName: t, Item: it, ConditionExpression: 'attribute_not_exists(pk)' }),
  })),
  fc.record({ t: table, k: key, v: value, n: fc.integer() }).map(({ t, k, v, n }) => ({
    name: 'Update',
    build: () =>
      new UpdateCommand({
        TableName: t,
        Key: k,
        UpdateExpression: 'SET #a = :v ADD n :n',
        ExpressionAttributeNames: { '#a': 'a' },
        ExpressionAttributeValues: { ':v': v ?? null, ':n': n },
        ReturnValues: 'ALL_NEW',
      }),
  })),
  fc.record({ t: table, pk: fc.string(), from: value }).map(({ t, pk, from }) => ({
    name: 'Query',
    build: () =>
      new QueryCommand({
        TableName: t,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ExclusiveStartKey: from === undefined ? undefined : { pk, sk: 'x', from },
      }),
  })),
  fc.record({ t: table, k: key }).map(({ t, k }) => ({
    name: 'Delete',
    build: () => new DeleteCommand({ TableName: t, Key: k }),
  })),
  fc.record({ t: table, ks: fc.array(key, { minLength: 1, maxLength: 3 }) }).map(({ t, ks }) => ({
    name: 'BatchGet',
    build: () => new BatchGetCommand({ RequestItems: { [t]: { Keys: ks } } }),
  })),
  fc
    .record({ t: table, its: fc.array(item, { minLength: 1, maxLength: 3 }), k: key })
    .map(({ t, its, k }) => ({
      name: 'BatchWrite',
      build: () =>
        new BatchWriteCommand({
          RequestItems: {
            [t]: [...its.map((i) => ({ PutRequest: { Item: i } })), { DeleteRequest: { Key: k } }],
          },
        }),
    })),
  fc.record({ t: table, ps: fc.array(value, { maxLength: 3 }) }).map(({ t, ps }) => ({
    name: 'ExecuteStatement',
    build: () =>
      new ExecuteStatementCommand({
        Statement: `SELECT * FROM "${t}"`,
        Parameters: ps.map((p) => p ?? null),
      }),
  })),
  fc.record({ t: table, it: item, k: key }).map(({ t, it, k }) => ({
    name: 'TransactWrite',
    build: () =>
      new TransactWriteCommand({
        // Fixed: the SDK fills a random idempotency token otherwise.
        ClientRequestToken: 'token-1',
        TransactItems: [
          { Put: { TableName: t, Item: it } },
          { ConditionCheck: { TableName: t, Key: k, ConditionExpression: 'attribute_exists(pk)' } },
        ],
      }),
  })),
);

/** A reply for each operation that carries items back (DynamoDB JSON), so unmarshalling is compared too. */
function replyWith(stored: Record<string, unknown>) {
  return (target: string) => {
    const op = target.split('.')[1];
    if (op === 'GetItem') return { Item: stored };
    if (op === 'Query') return { Items: [stored, stored], Count: 2, LastEvaluatedKey: { pk: { S: 'p' } } };
    if (op === 'UpdateItem' || op === 'DeleteItem') return { Attributes: stored };
    if (op === 'BatchGetItem') return { Responses: { 'tally-Billing': [stored] }, UnprocessedKeys: {} };
    if (op === 'ExecuteStatement') return { Items: [stored] };
    return {};
  };
}

const STORED = {
  pk: { S: 'INV#1' },
  amount: { S: '12.50' },
  n: { N: '7' },
  tags: { SS: ['a', 'b'] },
  lines: { L: [{ M: { q: { N: '1.5' }, ok: { BOOL: true }, none: { NULL: true } } }] },
  raw: { B: 'AAEC' },
};

describe('createDocumentClient', () => {
  it('sends the same requests and returns the same outputs as the SDK document client, command after command', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 12 }), async (commands) => {
        const a = recording(replyWith(STORED));
        const b = recording(replyWith(STORED));
        const sdk = sdkDocumentClient(a.config);
        const ours = createDocumentClient(b.config);
        for (const c of commands) {
          // A fresh command for each client: lib-dynamodb commands are not meant to be sent twice.
          const [outA, outB] = [
            await sdk.send(c.build() as GetCommand),
            await ours.send(c.build() as GetCommand),
          ];
          expect(outB).toEqual(outA);
        }
        // The same operations with the same bodies (as JSON: the SDK writes members in its schema's order).
        const wire = (seen: Exchange[]) => seen.map((e) => [e.target, JSON.parse(e.body)]);
        expect(wire(b.seen)).toEqual(wire(a.seen));
        // The first request goes through the SDK (it shows the endpoint), and so does any other operation:
        // the same headers. Later single-item and query requests carry only what SigV4 signs, signed as
        // @smithy/signature-v4 signs them, and the content length.
        for (const [i, e] of b.seen.entries()) {
          if (i === 0 || !DIRECT.has(e.target.split('.')[1]!)) {
            expect(stable(e.headers)).toEqual(stable(a.seen[i]!.headers));
            continue;
          }
          expect(Object.keys(e.headers).sort()).toEqual([
            'authorization',
            'content-length',
            'content-type',
            'host',
            'x-amz-date',
            'x-amz-target',
          ]);
          expect(e.headers['content-length']).toBe(String(Buffer.byteLength(e.body)));
          expect(e.headers.authorization).toBe(await sdkSignature(e));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('sends each command its own input when commands of one class follow each other', async () => {
    const r = recording(() => ({}));
    const doc = createDocumentClient(r.config);
    await doc.send(new GetCommand({ TableName: 't', Key: { pk: 'first' } }));
    await Promise.all([
      doc.send(new GetCommand({ TableName: 't', Key: { pk: 'second' } })),
      doc.send(new GetCommand({ TableName: 't', Key: { pk: 'third' } })),
    ]);
    expect(r.seen.map((e) => JSON.parse(e.body).Key.pk.S)).toEqual(['first', 'second', 'third']);
  });

  it('applies middleware added after the first send, after the retry middleware (throttle injection)', async () => {
    const r = recording(() => ({}));
    const doc = createDocumentClient({ ...r.config, maxAttempts: 3 });
    await doc.send(new GetCommand({ TableName: 't', Key: { pk: 'before' } }));
    let throttled = 0;
    doc.middlewareStack.addRelativeTo(
      <I extends object, O extends object>(next: FinalizeHandler<I, O>) =>
        async (args: FinalizeHandlerArguments<I>): Promise<FinalizeHandlerOutput<O>> => {
          // The first attempt of each request is throttled: the SDK retries it, so 2 attempts per request.
          if (throttled++ % 2 === 0) {
            throw new ProvisionedThroughputExceededException({ message: 'injected', $metadata: {} });
          }
          return next(args);
        },
      { name: 'testThrottle', relation: 'after', toMiddleware: 'retryMiddleware', override: true },
    );
    await doc.send(new GetCommand({ TableName: 't', Key: { pk: 'after' } }));
    // 1 request before + 1 after (its throttled first attempt never reached the handler) = 2 on the wire;
    // 2 attempts after the change went through the injected middleware.
    expect(r.seen.length).toBe(2);
    expect(throttled).toBe(2);
  });

  it('retries a throttled request and raises a refused one as the SDK does, below its pipeline too', async () => {
    /** A client whose handler answers in turn: a throttle, then 200, then a failed condition with the item. */
    const scripted = (seen: string[], first: [number, object][] = []) => {
      const answers: [number, object][] = [
        ...first,
        [
          400,
          {
            __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
            message: 'slow down',
          },
        ],
        [200, { Item: { pk: { S: 'x' }, raw: { B: 'AAE=' } } }],
        [
          400,
          {
            __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
            message: 'The conditional request failed',
            Item: { pk: { S: 'x' } },
          },
        ],
      ];
      return {
        region: 'eu-central-1',
        credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
        requestHandler: {
          handle: async (request: HttpRequest) => {
            seen.push(String(request.headers['amz-sdk-invocation-id'] === undefined ? 'direct' : 'sdk'));
            const [statusCode, body] = answers.shift() ?? [200, {}];
            return {
              response: {
                statusCode,
                headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'r' },
                body: Buffer.from(JSON.stringify(body)),
              },
            };
          },
          updateHttpClientConfig: () => {},
          httpHandlerConfigs: () => ({}),
        },
      };
    };
    const run = async (doc: DynamoDBDocumentClient) => {
      const get = await doc.send(new GetCommand({ TableName: 't', Key: { pk: 'x' } }));
      const put = await doc
        .send(
          new PutCommand({
            TableName: 't',
            Item: { pk: 'x' },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        )
        .catch((err: unknown) => err as ConditionalCheckFailedException);
      return { get, put };
    };
    const sdkSeen: string[] = [];
    const oursSeen: string[] = [];
    const sdk = await run(sdkDocumentClient(scripted(sdkSeen)));
    const ours = createDocumentClient(scripted(oursSeen, [[200, {}]]));
    // A first request through the SDK shows the endpoint; the scripted answers start after it.
    await ours.send(new DeleteCommand({ TableName: 't', Key: { pk: 'first' } }));
    oursSeen.length = 0;
    const direct = await run(ours);
    expect(oursSeen).toEqual(['direct', 'direct', 'direct']);
    expect(sdkSeen).toEqual(['sdk', 'sdk', 'sdk']);
    // The throttled Get was sent twice and answered; binary decoded to a Uint8Array.
    expect(direct.get.Item).toEqual({ pk: 'x', raw: new Uint8Array([0, 1]) });
    expect(direct.get.Item).toEqual(sdk.get.Item);
    expect(direct.get.$metadata.attempts).toBe(2);
    expect(sdk.get.$metadata.attempts).toBe(2);
    const refused = direct.put as ConditionalCheckFailedException;
    expect(refused).toBeInstanceOf(ConditionalCheckFailedException);
    const theirs = sdk.put as ConditionalCheckFailedException;
    expect([refused.name, refused.message, refused.Item, refused.$metadata.httpStatusCode]).toEqual([
      theirs.name,
      theirs.message,
      theirs.Item,
      400,
    ]);
  });

  it('sends with per-request options (abort signal) through the SDK path', async () => {
    const r = recording(() => ({ Item: { pk: { S: 'x' } } }));
    const doc = createDocumentClient(r.config);
    const out = await doc.send(new GetCommand({ TableName: 't', Key: { pk: 'x' } }), {
      abortSignal: new AbortController().signal,
    });
    expect(out.Item).toEqual({ pk: 'x' });
  });
});
