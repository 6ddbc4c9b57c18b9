import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { DocumentSender } from './invoice-store.js';
import { PlanStore } from './plan-store.js';

interface TestPlan {
  readonly id: string;
  readonly version: number;
  readonly charges: { readonly fee: string }[];
}

/** A client over an in-memory table that counts the GetItem requests it serves. */
function fakeClient(items: Record<string, unknown>) {
  const calls = { gets: 0 };
  const client: DocumentSender = {
    send: (async (cmd: unknown) => {
      if (!(cmd instanceof GetCommand)) throw new Error('unexpected command');
      calls.gets++;
      const k = cmd.input.Key as { pk: string; sk: string };
      const data = items[`${k.pk}|${k.sk}`];
      return data === undefined ? {} : { Item: { ...k, data: structuredClone(data) } };
    }) as DocumentSender['send'],
  };
  return { client, calls };
}

const plan = (id: string, version: number): TestPlan => ({ id, version, charges: [{ fee: '10.00' }] });
const row = (p: TestPlan) => [`PLAN#${p.id}|V#${String(p.version).padStart(6, '0')}`, p] as const;

describe('PlanStore.get cache', () => {
  it('reads a found plan version once, however often and however concurrently it is asked for', async () => {
    const { client, calls } = fakeClient(Object.fromEntries([row(plan('basic', 1))]));
    const store = new PlanStore<TestPlan>({ client, tableName: 't' });
    const [a, b] = await Promise.all([store.get('basic', 1), store.get('basic', 1)]);
    const c = await store.get('basic', 1);
    expect(calls.gets).toBe(1);
    expect(a).toEqual(plan('basic', 1));
    expect(b).toBe(a);
    expect(c).toBe(a);
  });

  it('never caches a missing version: one written later is found', async () => {
    const items: Record<string, unknown> = {};
    const { client, calls } = fakeClient(items);
    const store = new PlanStore<TestPlan>({ client, tableName: 't' });
    expect(await store.get('basic', 2)).toBeNull();
    const [k, v] = row(plan('basic', 2));
    items[k] = v;
    expect(await store.get('basic', 2)).toEqual(plan('basic', 2));
    expect(calls.gets).toBe(2);
  });

  it('hands out frozen plans, so no caller can change the cached one', async () => {
    const { client } = fakeClient(Object.fromEntries([row(plan('basic', 1))]));
    const store = new PlanStore<TestPlan>({ client, tableName: 't' });
    const p = await store.get('basic', 1);
    expect(() => {
      (p!.charges[0] as { fee: string }).fee = '0';
    }).toThrow(TypeError);
  });

  it('drops the least recently used version beyond cacheSize', async () => {
    const { client, calls } = fakeClient(
      Object.fromEntries([row(plan('a', 1)), row(plan('b', 1)), row(plan('c', 1))]),
    );
    const store = new PlanStore<TestPlan>({ client, tableName: 't', cacheSize: 2 });
    await store.get('a', 1); // read 1
    await store.get('b', 1); // read 2
    await store.get('a', 1); // hit: a is now the most recent
    await store.get('c', 1); // read 3, drops b
    await store.get('a', 1); // hit
    await store.get('b', 1); // read 4
    expect(calls.gets).toBe(4);
  });

  it('reads every time with cacheSize 0', async () => {
    const { client, calls } = fakeClient(Object.fromEntries([row(plan('a', 1))]));
    const store = new PlanStore<TestPlan>({ client, tableName: 't', cacheSize: 0 });
    await store.get('a', 1);
    await store.get('a', 1);
    expect(calls.gets).toBe(2);
  });
});
