import type { BatchGetItemCommand, BatchStatementResponse } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EventToStore } from '@tally/ingest';
import { describe, expect, it, vi } from 'vitest';
import { InsertBatchCommand } from './insert-batch.js';
import { type EventWriteClient, UsageStore } from './usage-store.js';

// The batching and retry rules of putEvents, which the local stack cannot provoke (it never throttles a
// statement): a scripted write client stands in for DynamoDB here. Dedupe and conflicts against the real
// emulator are in test/ingest*.test.ts.

function input(n: number, origin = `msg-${n}.0`): EventToStore {
  return {
    customerId: 'cust-1',
    event: {
      specversion: '1.0',
      id: `e-${n}`,
      source: 'urn:test',
      type: 'tally.call.completed',
      subject: 'cust-1',
      time: '2026-01-09T10:00:00.000Z',
      data: { seconds: n },
    },
    hash: `hash-${n}`,
    receivedAt: '2026-01-09T10:00:01.000Z',
    origin,
  } as EventToStore;
}

type Script = (statements: { id: string }[], call: number) => BatchStatementResponse[];

/** A client that answers each BatchExecuteStatement by `script`, records the ids it was sent, serves BatchGetItem from `stored`. */
function scriptedClient(script: Script, stored = new Map<string, { h: string; m: string }>()) {
  const calls: string[][] = [];
  const gets: number[] = [];
  const client = {
    async send(command: InsertBatchCommand | BatchGetItemCommand) {
      if (command instanceof InsertBatchCommand) {
        // sk: <yyyy-mm-dd>#["<source>","<id>"]
        const ids = command.items.map((item) => JSON.parse(item.sk.slice(11))[1] as string);
        calls.push(ids);
        return {
          Responses: script(
            ids.map((id) => ({ id })),
            calls.length - 1,
          ),
          $metadata: {},
        };
      }
      const keys = Object.values(command.input.RequestItems!)[0]!.Keys!;
      gets.push(keys.length);
      return {
        Responses: {
          t: keys.flatMap((k) => {
            const id = JSON.parse(k.sk!.S!.slice(11))[1] as string;
            const s = stored.get(id);
            return s ? [{ pk: k.pk!, sk: k.sk!, h: { S: s.h }, m: { S: s.m } }] : [];
          }),
        },
        $metadata: {},
      };
    },
  } as unknown as EventWriteClient;
  return { client, calls, gets };
}

function store(writeClient: EventWriteClient): UsageStore {
  // The shard plan read goes through the document client: none stored, so one shard.
  const doc = { send: async () => ({ $metadata: {} }) } as unknown as DynamoDBDocumentClient;
  return new UsageStore({ doc, writeClient, tableName: 't' });
}

describe('UsageStore.putEvents: INSERT batches', () => {
  it('sends 25 statements a request: 60 events in 3 requests (25 + 25 + 10)', async () => {
    const { client, calls } = scriptedClient((s) => s.map(() => ({})));
    const out = await store(client).putEvents(Array.from({ length: 60 }, (_, i) => input(i)));
    expect(calls.map((c) => c.length).sort((a, b) => b - a)).toEqual([25, 25, 10]);
    expect(out.every((o) => o.status === 'stored')).toBe(true);
  });

  it.each([
    // 1,000 statements in flight by default: 1,000 events = 40 requests, all out at once.
    [undefined, 1_000, 40],
    // 1,100 events: 44 requests, at most 40 of them at once.
    [undefined, 1_100, 40],
    // concurrency 200 = 200 / 25 = 8 requests at once.
    [200, 1_000, 8],
  ])(
    'with concurrency %s, sends %i events with at most %i requests in flight',
    async (concurrency, n, most) => {
      let inFlight = 0;
      let peak = 0;
      const client = {
        async send(command: InsertBatchCommand) {
          inFlight++;
          peak = Math.max(peak, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 1));
          inFlight--;
          return { Responses: command.items.map(() => ({})), $metadata: {} };
        },
      } as unknown as EventWriteClient;
      const doc = { send: async () => ({ $metadata: {} }) } as unknown as DynamoDBDocumentClient;
      const usage = new UsageStore({
        doc,
        writeClient: client,
        tableName: 't',
        ...(concurrency !== undefined ? { concurrency } : {}),
      });
      const out = await usage.putEvents(Array.from({ length: n }, (_, i) => input(i)));
      expect(peak).toBe(most);
      expect(out.filter((o) => o.status === 'stored')).toHaveLength(n);
    },
  );

  it('never puts one key twice in a request: the second copy goes in a later wave and finds the first', async () => {
    const seen = new Set<string>();
    const { client, calls } = scriptedClient((s) =>
      s.map(({ id }) => {
        if (seen.has(id))
          return { Error: { Code: 'DuplicateItem', Item: { h: { S: 'hash-1' }, m: { S: 'x' } } } };
        seen.add(id);
        return {};
      }),
    );
    const out = await store(client).putEvents([input(1), input(2), input(1, 'msg-9.0')]);
    expect(calls).toEqual([['e-1', 'e-2'], ['e-1']]);
    expect(out.map((o) => o.status)).toEqual(['stored', 'stored', 'exists']);
    // Written by another input ('x'): no writtenBy
    expect(out[2]).toEqual({ status: 'exists', hash: 'hash-1' });
  });

  it('sends throttled statements again, only those, until they land', async () => {
    const { client, calls } = scriptedClient((s, call) =>
      s.map(({ id }) => (call < 2 && id === 'e-2' ? { Error: { Code: 'ThrottlingError' } } : {})),
    );
    const out = await store(client).putEvents([input(1), input(2), input(3)]);
    expect(calls).toEqual([['e-1', 'e-2', 'e-3'], ['e-2'], ['e-2']]);
    expect(out.map((o) => o.status)).toEqual(['stored', 'stored', 'stored']);
  });

  it('gives up on a statement throttled 8 times: that input is an error, the others are stored', async () => {
    const { client, calls } = scriptedClient((s) =>
      s.map(({ id }) => (id === 'e-2' ? { Error: { Code: 'ProvisionedThroughputExceeded' } } : {})),
    );
    const out = await store(client).putEvents([input(1), input(2)]);
    expect(calls.length).toBe(8);
    expect(out.map((o) => o.status)).toEqual(['stored', 'error']);
  });

  it('reads the stored hash of refused INSERTs that did not return the item, in one BatchGetItem', async () => {
    const stored = new Map([
      ['e-1', { h: 'hash-1', m: 'other' }],
      ['e-2', { h: 'changed', m: 'other' }],
    ]);
    const { client, gets } = scriptedClient(
      (s) => s.map(({ id }) => (id === 'e-3' ? {} : { Error: { Code: 'DuplicateItem' } })),
      stored,
    );
    const out = await store(client).putEvents([input(1), input(2), input(3)]);
    expect(gets).toEqual([2]);
    expect(out).toEqual([
      { status: 'exists', hash: 'hash-1' },
      { status: 'exists', hash: 'changed' },
      { status: 'stored' },
    ]);
  });

  it('gives up on reads DynamoDB leaves unprocessed after 8 attempts: those inputs are errors', async () => {
    let reads = 0;
    const client = {
      async send(command: InsertBatchCommand | BatchGetItemCommand) {
        if (command instanceof InsertBatchCommand) {
          return { Responses: command.items.map(() => ({ Error: { Code: 'DuplicateItem' } })) };
        }
        reads++;
        // Nothing read, every key left for later.
        return { Responses: { t: [] }, UnprocessedKeys: command.input.RequestItems };
      },
    } as unknown as EventWriteClient;
    vi.useFakeTimers();
    try {
      const out = store(client).putEvents([input(1), input(2)]);
      await vi.runAllTimersAsync();
      expect((await out).map((o) => o.status)).toEqual(['error', 'error']);
      expect(reads).toBe(8);
    } finally {
      vi.useRealTimers();
    }
  });

  it('makes a refused INSERT whose item cannot be read an error (never a silent duplicate)', async () => {
    const { client } = scriptedClient((s) => s.map(() => ({ Error: { Code: 'DuplicateItem' } })));
    const [out] = await store(client).putEvents([input(1)]);
    expect(out?.status).toBe('error');
  });

  it('makes every input of a request that fails as a whole an error (the message is retried)', async () => {
    const client = {
      send: async () => {
        throw new Error('connection reset');
      },
    } as unknown as EventWriteClient;
    const out = await store(client).putEvents([input(1), input(2)]);
    expect(out.map((o) => o.status)).toEqual(['error', 'error']);
  });
});
