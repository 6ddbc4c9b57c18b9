import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type DynamoDBClientConfig, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { amzDate, sdkAuthorization } from '../test-support/sdk-signature.js';
import { isRetryableRequestError, signRequest } from './direct-request.js';
import { InsertBatchCommand } from './insert-batch.js';
import type { EventItem } from './usage-store.js';
import { UsageWriteClient } from './usage-write-client.js';

describe('signRequest', () => {
  it.each([
    ['static credentials', undefined],
    ['a session token', 'token/with+chars=='],
  ])('signs as @smithy/signature-v4 does, with %s', async (_, sessionToken) => {
    const body = Buffer.from('{"Statements":[],"ReturnConsumedCapacity":"TOTAL"}');
    const date = new Date('2026-03-04T05:06:07.890Z');
    const credentials = { accessKeyId: 'AKID', secretAccessKey: 'secret/key', sessionToken };
    const ours = signRequest({
      target: 'DynamoDB_20120810.BatchExecuteStatement',
      host: 'dynamodb.eu-west-1.amazonaws.com',
      body,
      region: 'eu-west-1',
      date,
      ...credentials,
    });
    const theirs = await sdkAuthorization({
      credentials,
      region: 'eu-west-1',
      protocol: 'https:',
      hostname: 'dynamodb.eu-west-1.amazonaws.com',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.BatchExecuteStatement',
        host: 'dynamodb.eu-west-1.amazonaws.com',
      },
      body,
      date,
    });
    expect(ours.authorization).toBe(theirs);
    expect(ours['x-amz-date']).toBe('20260304T050607Z');
    expect(ours['x-amz-security-token']).toBe(sessionToken);
  });

  it('changes the signature with the body (the payload hash is signed)', () => {
    const base = {
      target: 'DynamoDB_20120810.GetItem',
      host: 'h',
      region: 'us-east-1',
      accessKeyId: 'a',
      secretAccessKey: 'b',
      date: new Date('2026-01-01T00:00:00Z'),
    };
    const a = signRequest({ ...base, body: Buffer.from('{"a":1}') });
    const b = signRequest({ ...base, body: Buffer.from('{"a":2}') });
    expect(a.authorization).not.toBe(b.authorization);
  });
});

describe('isRetryableRequestError', () => {
  it.each([
    [{ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }, true],
    [{ name: 'ProvisionedThroughputExceededException' }, true],
    [{ name: 'Whatever', $metadata: { httpStatusCode: 429 } }, true],
    [{ name: 'InternalServerError', $metadata: { httpStatusCode: 500 } }, true],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), true],
    [{ name: 'TimeoutError' }, true],
    [{ name: 'ValidationException', $metadata: { httpStatusCode: 400 } }, false],
    [{ name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }, false],
    ['a string', false],
  ])('%o: %s', (err, retryable) => {
    expect(isRetryableRequestError(err)).toBe(retryable);
  });
});

/** What the test server saw of a request. */
interface Received {
  headers: Record<string, string>;
  body: string;
  /** The client's port: the same for two requests on one kept-alive socket. */
  remotePort: number;
}

/**
 * An HTTP server on 127.0.0.1 that records each request and answers it with the next of `answers`
 * (`'drop'`: destroys the socket; `'silent'`: never answers; `[status, body, chunked]`).
 */
async function server(answers: ('drop' | 'silent' | [number, object, boolean?])[]) {
  const received: Received[] = [];
  const srv = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        headers: req.headers as Record<string, string>,
        body: Buffer.concat(chunks).toString(),
        remotePort: req.socket.remotePort ?? 0,
      });
      const answer = answers[received.length - 1] ?? [500, {}];
      if (answer === 'drop') return void req.socket.destroy();
      if (answer === 'silent') return;
      const [status, json, chunked] = answer;
      const text = JSON.stringify(json);
      res.statusCode = status;
      res.setHeader('content-type', 'application/x-amz-json-1.0');
      res.setHeader('x-amzn-requestid', `req-${received.length}`);
      if (chunked) {
        // No content length: node frames the answer in chunks.
        res.write(text.slice(0, 5));
        setTimeout(() => res.end(text.slice(5)), 5);
      } else {
        res.setHeader('content-length', Buffer.byteLength(text));
        res.end(text);
      }
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  return {
    received,
    endpoint: `http://127.0.0.1:${port}`,
    close: () => {
      srv.closeAllConnections();
      return new Promise<void>((resolve) => srv.close(() => resolve()));
    },
  };
}

/** A usage write client on `endpoint` with the SDK's default HTTP handler; `handled` counts its `handle` calls. */
function clientOn(endpoint: string, config: Partial<DynamoDBClientConfig> = {}) {
  const client = new UsageWriteClient({
    region: 'eu-west-1',
    endpoint,
    credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
    maxAttempts: 3,
    ...config,
  });
  const handler = client.config.requestHandler as unknown as { handle(...a: unknown[]): Promise<unknown> };
  const counter = { handled: 0 };
  const handle = handler.handle.bind(handler);
  handler.handle = (...a: unknown[]) => {
    counter.handled++;
    return handle(...a);
  };
  return { client, counter };
}

const items: EventItem[] = [
  {
    pk: 'U#c#t#2026-01#0',
    sk: '2026-01-01#["s","1"]',
    t: '2026-01-01T00:00:00.000Z',
    h: 'h1',
    m: 'm1',
    r: '2026-01-02T00:00:00.000Z',
    s: 'c',
    d: '{"n":1}',
    expiresAt: 1_800_000_000,
  },
];
const ok: [number, object] = [200, { Responses: [{}], ConsumedCapacity: [{ CapacityUnits: 1 }] }];

describe('DirectRequester with the SDK default HTTP handler', () => {
  it('sends later requests on the handler kept-alive socket, with the SDK body and headers and a valid signature', async () => {
    const s = await server([ok, ok, ok]);
    const { client, counter } = clientOn(s.endpoint);
    try {
      await client.send(new InsertBatchCommand('usage', items));
      const second = await client.send(new InsertBatchCommand('usage', items));
      await client.send(new InsertBatchCommand('usage', items));
      // Only the first went through the handler's handle.
      expect(counter.handled).toBe(1);
      expect(s.received).toHaveLength(3);
      const [sdk, ours, third] = s.received as [Received, Received, Received];
      // One socket for all three: the handler's keep-alive agent.
      expect(new Set([sdk.remotePort, ours.remotePort, third.remotePort]).size).toBe(1);
      expect(ours.body).toBe(sdk.body);
      for (const h of ['content-type', 'x-amz-target', 'host', 'content-length']) {
        expect(ours.headers[h], h).toBe(sdk.headers[h]);
      }
      const theirs = await sdkAuthorization({
        credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
        region: 'eu-west-1',
        protocol: 'http:',
        hostname: '127.0.0.1',
        headers: {
          'content-type': ours.headers['content-type']!,
          'x-amz-target': ours.headers['x-amz-target']!,
          host: ours.headers.host!,
        },
        body: Buffer.from(ours.body),
        date: amzDate(ours.headers['x-amz-date']!),
      });
      expect(ours.headers.authorization).toBe(theirs);
      expect(second).toMatchObject({
        Responses: [{}],
        ConsumedCapacity: [{ CapacityUnits: 1 }],
        $metadata: { httpStatusCode: 200, requestId: 'req-2', attempts: 1 },
      });
    } finally {
      client.destroy();
      await s.close();
    }
  });

  it('reads a chunked answer whole', async () => {
    const answer = { Responses: [{ Error: { Code: 'DuplicateItem', Item: { h: { S: 'old' } } } }] };
    const s = await server([ok, [200, answer, true]]);
    const { client } = clientOn(s.endpoint);
    try {
      await client.send(new InsertBatchCommand('usage', items));
      const res = await client.send(new InsertBatchCommand('usage', items));
      expect(res.Responses).toEqual(answer.Responses);
    } finally {
      client.destroy();
      await s.close();
    }
  });

  it('raises the SDK typed exception of a refused request', async () => {
    const throttled: [number, object] = [
      400,
      { __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message: 'x' },
    ];
    const s = await server([ok, throttled]);
    const { client } = clientOn(s.endpoint, { maxAttempts: 1 });
    try {
      await client.send(new InsertBatchCommand('usage', items));
      const err = await client.send(new InsertBatchCommand('usage', items)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProvisionedThroughputExceededException);
      expect(err).toMatchObject({ $metadata: { httpStatusCode: 400, requestId: 'req-2' } });
    } finally {
      client.destroy();
      await s.close();
    }
  });

  it('sends the request again when the server drops the connection', async () => {
    const s = await server([ok, 'drop', ok]);
    const { client } = clientOn(s.endpoint);
    try {
      await client.send(new InsertBatchCommand('usage', items));
      const res = await client.send(new InsertBatchCommand('usage', items));
      expect(res.$metadata.attempts).toBe(2);
      expect(s.received.map((r) => r.body)).toEqual(Array(3).fill(s.received[0]!.body));
    } finally {
      client.destroy();
      await s.close();
    }
  });

  it("fails with a TimeoutError when the socket idles longer than the handler's socket timeout", async () => {
    const s = await server([ok, 'silent']);
    const { client } = clientOn(s.endpoint, { maxAttempts: 1, requestHandler: { socketTimeout: 100 } });
    try {
      await client.send(new InsertBatchCommand('usage', items));
      const t0 = Date.now();
      const err = await client.send(new InsertBatchCommand('usage', items)).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'TimeoutError' });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(90);
    } finally {
      client.destroy();
      await s.close();
    }
  });

  it.each([
    ['a request timeout', { requestTimeout: 5_000 }],
    ['a connection timeout', { connectionTimeout: 5_000 }],
  ])('leaves every request to the handler when it has %s', async (_, handlerOptions) => {
    const s = await server([ok, ok]);
    const { client, counter } = clientOn(s.endpoint, { requestHandler: handlerOptions });
    try {
      await client.send(new InsertBatchCommand('usage', items));
      const res = await client.send(new InsertBatchCommand('usage', items));
      expect(counter.handled).toBe(2);
      expect(res.$metadata.attempts).toBe(1);
    } finally {
      client.destroy();
      await s.close();
    }
  });
});
