import { spawn } from 'node:child_process';
import http from 'node:http';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { createSqsClient } from '@tally/queue';
import { billingTable } from '@tally/resources';
import { createDocumentClient } from '@tally/store';
import { createTable, startDynaliteChild } from './dynalite-child.js';
import { type BenchRow, benchScale } from './types.js';

// Main-thread CPU per DynamoDB request through the document client as the stores use it (GetItem, Query,
// PutItem, UpdateItem), for tally's `createDocumentClient` beside the SDK's `DynamoDBDocumentClient` over
// the same low-level client settings (what `createDocumentClient` returned before its handlers were cached),
// and a floor: the same GetItem as a raw node:http POST (no signing, no SDK). dynalite runs in a child
// process, so this process's CPU is the client's. Rounds alternate the clients; each figure is the median.
// Then the SQS requests of the local event source and the senders (fauxqs in a child process), through a
// default `SQSClient` and through `createSqsClient` (cacheMiddleware, no logger middleware).
const FULL = 3_000;
const ROUNDS = 3;
const CONCURRENCY = 4;
const TABLE = 'reqcost';

type Doc = Pick<DynamoDBDocumentClient, 'send'>;

/** An invoice-like item: 40 string attributes, a list and a map (what the billing stores read back). */
function item(pk: string, sk: string): Record<string, unknown> {
  const it: Record<string, unknown> = { pk, sk, gsi1pk: 'CUST#c1', gsi1sk: `INV#${sk}` };
  for (let i = 0; i < 40; i++) it[`f${i}`] = `value-${'x'.repeat(20)}${i}`;
  it.lines = [
    { meter: 'calls', quantity: '120.5', amount: '12.05' },
    { meter: 'sms', quantity: '40', amount: '0.40' },
  ];
  it.totals = { subtotal: '12.45', tax: '2.37', total: '14.82', currency: 'EUR' };
  it.version = 3;
  return it;
}

const cases: [string, (doc: Doc, i: number) => Promise<unknown>][] = [
  ['GetItem', (doc) => doc.send(new GetCommand({ TableName: TABLE, Key: { pk: 'INV#1', sk: 'INV' } }))],
  [
    'Query (4 items)',
    (doc) =>
      doc.send(
        new QueryCommand({
          TableName: TABLE,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
          ExpressionAttributeValues: { ':pk': 'CUST#q', ':p': 'LINE#' },
        }),
      ),
  ],
  [
    'PutItem (conditional)',
    (doc, i) =>
      doc.send(
        new PutCommand({
          TableName: TABLE,
          Item: item(`PUT#${i}`, 'P'),
          ConditionExpression: 'attribute_not_exists(pk) OR version <= :v',
          ExpressionAttributeValues: { ':v': 3 },
        }),
      ),
  ],
  [
    'UpdateItem',
    (doc, i) =>
      doc.send(
        new UpdateCommand({
          TableName: TABLE,
          Key: { pk: `UPD#${i % 50}`, sk: 'U' },
          UpdateExpression: 'SET #s = :s, updatedAt = :t ADD attempts :one',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: { ':s': 'sent', ':t': '2026-01-10T12:00:00.000Z', ':one': 1 },
          ReturnValues: 'ALL_NEW',
        }),
      ),
  ],
];

async function cpuPerRequest(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const u0 = process.cpuUsage();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < n; i = next++) await fn(i);
    }),
  );
  const u = process.cpuUsage(u0);
  return (u.user + u.system) / n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A GetItem as a bare HTTP POST (unsigned: dynalite does not check signatures), the floor. */
function rawGet(endpoint: string): () => Promise<unknown> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
  const u = new URL(endpoint);
  const body = JSON.stringify({ TableName: TABLE, Key: { pk: { S: 'INV#1' }, sk: { S: 'INV' } } });
  const headers = {
    'content-type': 'application/x-amz-json-1.0',
    'x-amz-target': 'DynamoDB_20120810.GetItem',
    authorization:
      'AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=abc',
    'x-amz-date': '20260101T000000Z',
    'content-length': Buffer.byteLength(body),
  };
  return () =>
    new Promise((resolve, reject) => {
      const r = http.request(
        { host: u.hostname, port: u.port, method: 'POST', path: '/', agent, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString())));
        },
      );
      r.on('error', reject);
      r.end(body);
    });
}

/** fauxqs in a child process on a free 127.0.0.1 port. */
async function startFauxqsChild() {
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "import { buildApp } from 'fauxqs'; const app = buildApp({ logger: false }); " +
        "await app.listen({ host: '127.0.0.1', port: 0 }); console.log(app.server.address().port);",
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
    child.once('exit', (code) => reject(new Error(`fauxqs exited with ${code}`)));
  });
  return { endpoint: `http://127.0.0.1:${port}`, child };
}

async function sqsRows(n: number): Promise<BenchRow[]> {
  const { endpoint, child } = await startFauxqsChild();
  try {
    const config = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'b', secretAccessKey: 'b' } };
    const clients: [string, SQSClient][] = [
      ['SQSClient', new SQSClient(config)],
      ['createSqsClient', createSqsClient(config)],
    ];
    const { QueueUrl: full } = await clients[0]![1].send(new CreateQueueCommand({ QueueName: 'full' }));
    const { QueueUrl: empty } = await clients[0]![1].send(new CreateQueueCommand({ QueueName: 'empty' }));
    const ten = <T>(f: (k: number) => T) => Array.from({ length: 10 }, (_, k) => f(k));
    const sqsCases: [string, (c: SQSClient, i: number) => Promise<unknown>][] = [
      [
        'GetQueueAttributes',
        (c) =>
          c.send(
            new GetQueueAttributesCommand({
              QueueUrl: full,
              AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
            }),
          ),
      ],
      [
        'ReceiveMessage (empty queue)',
        (c) =>
          c.send(new ReceiveMessageCommand({ QueueUrl: empty, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 })),
      ],
      [
        'SendMessageBatch (10 × 300 B)',
        (c, i) =>
          c.send(
            new SendMessageBatchCommand({
              QueueUrl: full,
              Entries: ten((k) => ({
                Id: `m${k}`,
                MessageBody: JSON.stringify({ i, k, pad: 'x'.repeat(280) }),
              })),
            }),
          ),
      ],
      [
        'DeleteMessageBatch (10)',
        (c) =>
          c.send(
            new DeleteMessageBatchCommand({
              QueueUrl: empty,
              Entries: ten((k) => ({ Id: `m${k}`, ReceiptHandle: `rh-${k}` })),
            }),
          ),
      ],
    ];
    for (const [, c] of clients) for (const [, fn] of sqsCases) await cpuPerRequest(200, (i) => fn(c, i));
    const samples = new Map<string, number[]>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const [label, fn] of sqsCases) {
        const order = round % 2 === 0 ? clients : [...clients].reverse();
        for (const [client, c] of order) {
          const k = `${client}\u0000${label}`;
          samples.set(k, [...(samples.get(k) ?? []), await cpuPerRequest(n, (i) => fn(c, i))]);
        }
      }
    }
    return sqsCases.flatMap(([label]) => {
      const before = median(samples.get(`SQSClient\u0000${label}`)!);
      const after = median(samples.get(`createSqsClient\u0000${label}`)!);
      return [
        {
          area: 'requests',
          name: `main CPU per request: SQS ${label}, SQSClient`,
          value: before,
          unit: 'µs',
        },
        {
          area: 'requests',
          name: `main CPU per request: SQS ${label}, createSqsClient`,
          value: after,
          unit: 'µs',
          baseline: before,
          ratio: after / before,
        },
      ];
    });
  } finally {
    child.kill();
  }
}

export async function run(): Promise<BenchRow[]> {
  const n = Math.max(50, Math.round(FULL * benchScale()));
  const { endpoint, child } = await startDynaliteChild();
  try {
    const config: DynamoDBClientConfig = {
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    };
    // What createDocumentClient built before: the SDK's document client, logger middleware removed.
    const low = new DynamoDBClient({ maxAttempts: 8, ...config });
    low.middlewareStack.remove('loggerMiddleware');
    const sdk = DynamoDBDocumentClient.from(low, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
    const tally = createDocumentClient(config);
    await createTable(low, billingTable, TABLE);
    await sdk.send(new PutCommand({ TableName: TABLE, Item: item('INV#1', 'INV') }));
    for (let i = 0; i < 4; i++) {
      await sdk.send(new PutCommand({ TableName: TABLE, Item: item('CUST#q', `LINE#${i}`) }));
    }
    const raw = rawGet(endpoint);
    const clients: [string, Doc][] = [
      ['SDK DynamoDBDocumentClient', sdk],
      ['createDocumentClient', tally],
    ];
    const samples = new Map<string, number[]>();
    const add = (k: string, v: number) => samples.set(k, [...(samples.get(k) ?? []), v]);
    // Warm-up: JIT, sockets, credentials.
    for (const [, doc] of clients) for (const [, fn] of cases) await cpuPerRequest(200, (i) => fn(doc, i));
    await cpuPerRequest(200, raw);
    for (let round = 0; round < ROUNDS; round++) {
      add('raw', await cpuPerRequest(n, raw));
      for (const [label, fn] of cases) {
        const order = round % 2 === 0 ? clients : [...clients].reverse();
        for (const [client, doc] of order)
          add(`${client}\u0000${label}`, await cpuPerRequest(n, (i) => fn(doc, i)));
      }
    }
    const rows: BenchRow[] = [
      {
        area: 'requests',
        name: 'main CPU per request: GetItem as a raw HTTP POST (floor)',
        value: median(samples.get('raw')!),
        unit: 'µs',
      },
    ];
    for (const [label] of cases) {
      const before = median(samples.get(`${clients[0]![0]}\u0000${label}`)!);
      const after = median(samples.get(`${clients[1]![0]}\u0000${label}`)!);
      rows.push(
        {
          area: 'requests',
          name: `main CPU per request: ${label}, SDK DynamoDBDocumentClient`,
          value: before,
          unit: 'µs',
        },
        {
          area: 'requests',
          name: `main CPU per request: ${label}, createDocumentClient`,
          value: after,
          unit: 'µs',
          baseline: before,
          ratio: after / before,
        },
      );
    }
    child.kill();
    return [...rows, ...(await sqsRows(n))];
  } finally {
    child.kill();
  }
}
