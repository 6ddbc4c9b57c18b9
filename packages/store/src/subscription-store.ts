import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, isConditionFailed } from './errors.js';
import type { DocumentSender } from './invoice-store.js';

/**
 * Subscriptions and where each one stands in its billing cycle, in the billing table.
 *
 * | access pattern                                  | key                                                                  |
 * | ----------------------------------------------- | -------------------------------------------------------------------- |
 * | get / put a subscription                        | pk `SUB#<subscriptionId>`, sk `SUB`                                  |
 * | subscriptions due for billing at `now`          | gsi1 `BILLDUE#<shard 0..n-1>` / `<dueAt, ISO with ms>#<subscriptionId>` |
 * | subscriptions of a customer                     | gsi2 `CUSTSUB#<customerId>` / `<start>#<subscriptionId>`             |
 *
 * `cycle` is the next period to bill and its stage (see {@link CycleStage}). `dueAt` drives
 * the index; a subscription past its end has no cycle and leaves the index. Every move of the cycle is
 * conditional on the cycle it leaves, so a retried or duplicated job moves it at most once.
 *
 * Due subscriptions are spread over n index partitions (TALLY_DUE_SHARDS, set by infra's `dueShards`;
 * default {@link DUE_SHARDS}), so a burst of month-end period closes does not all land on one hot index key;
 * close-periods queries every shard.
 */
export const DUE_SHARDS = 4;

/** The environment variable infra sets from its `dueShards` config; {@link DUE_SHARDS} when absent. */
export const DUE_SHARDS_ENV = 'TALLY_DUE_SHARDS';

/**
 * `opening`: the first period's fees are billed in advance, due at the start; `open`: due at the period end;
 * `draft`: the draft is stored, due at end + the plan's draft grace to be finalized.
 */
export type CycleStage = 'opening' | 'open' | 'draft';

export interface BillingCycle {
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly stage: CycleStage;
  /** When the next step is due (period end while open, end + grace while draft). */
  readonly dueAt: string;
}

/** What the store reads from a subscription; `Subscription` of @tally/billing satisfies it. */
export interface StorableSubscription {
  readonly id: string;
  readonly customerId: string;
  readonly start: string;
}

export interface StoredSubscription<S extends StorableSubscription> {
  readonly subscription: S;
  readonly cycle: BillingCycle | null;
  /** The due instant close-periods last enqueued a job for, and when. */
  readonly enqueued: { readonly dueAt: string; readonly at: string } | null;
  readonly version: number;
}

export interface DueSubscription {
  readonly subscriptionId: string;
  readonly cycle: BillingCycle;
  readonly enqueued: { readonly dueAt: string; readonly at: string } | null;
}

export interface SubscriptionStoreOptions<S extends StorableSubscription> {
  readonly client: DocumentSender;
  readonly tableName: string;
  /** Validates a stored subscription (e.g. `SubscriptionSchema.parse`). Default: trusts the stored JSON. */
  readonly parse?: (data: unknown) => S;
  /** Due-index shards, 1 to 256. Default: TALLY_DUE_SHARDS from the environment, else {@link DUE_SHARDS}. */
  readonly dueShards?: number;
}

const SUB = (id: string) => `SUB#${id}`;
const iso = (t: string) => new Date(t).toISOString();

/** The due-index shard of a subscription: stable, and spread evenly by hashing the id. */
export function dueShard(subscriptionId: string, shards: number = DUE_SHARDS): number {
  return createHash('sha256').update(subscriptionId).digest().readUInt8(0) % shards;
}

/** The due-index shard count from an option or TALLY_DUE_SHARDS; fails naming the bad value. */
export function dueShardCount(option: number | undefined, env: NodeJS.ProcessEnv = process.env): number {
  const raw = option ?? (env[DUE_SHARDS_ENV] ? Number(env[DUE_SHARDS_ENV]) : DUE_SHARDS);
  if (!Number.isInteger(raw) || raw < 1 || raw > 256) {
    const where = option === undefined ? `${DUE_SHARDS_ENV}=${env[DUE_SHARDS_ENV]}` : `dueShards ${option}`;
    throw new RangeError(`${where}: the due-index shard count must be a whole number from 1 to 256`);
  }
  return raw;
}

function dueKeys(subscriptionId: string, cycle: BillingCycle | null, shards: number): Record<string, string> {
  if (cycle === null) return {};
  return {
    gsi1pk: `BILLDUE#${dueShard(subscriptionId, shards)}`,
    gsi1sk: `${iso(cycle.dueAt)}#${subscriptionId}`,
  };
}

/**
 * Subscription adapter: the catalogue side (put / get / list by customer) and the billing cycle that
 * close-periods and bill-subscription move forward.
 */
export class SubscriptionStore<S extends StorableSubscription> {
  readonly #client: DocumentSender;
  readonly #table: string;
  readonly #parse: (data: unknown) => S;
  readonly #dueShards: number;

  constructor(options: SubscriptionStoreOptions<S>) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#parse = options.parse ?? ((d) => d as S);
    this.#dueShards = dueShardCount(options.dueShards);
  }

  /**
   * Creates a subscription with its first cycle, or replaces its terms (a plan change, a cancellation)
   * keeping the cycle it is in. Pass `cycle: null` for a subscription that has nothing to bill.
   */
  async put(subscription: S, firstCycle: BillingCycle | null): Promise<void> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            pk: SUB(subscription.id),
            sk: 'SUB',
            data: subscription,
            customerId: subscription.customerId,
            cycle: firstCycle,
            version: 1,
            gsi2pk: `CUSTSUB#${subscription.customerId}`,
            gsi2sk: `${subscription.start}#${subscription.id}`,
            ...dueKeys(subscription.id, firstCycle, this.#dueShards),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return;
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
    }
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk: SUB(subscription.id), sk: 'SUB' },
        UpdateExpression: 'SET #data = :data, customerId = :cust ADD version :one',
        ExpressionAttributeNames: { '#data': 'data' },
        ExpressionAttributeValues: { ':data': subscription, ':cust': subscription.customerId, ':one': 1 },
      }),
    );
  }

  async get(subscriptionId: string): Promise<StoredSubscription<S> | null> {
    const res = await this.#client.send(
      new GetCommand({
        TableName: this.#table,
        Key: { pk: SUB(subscriptionId), sk: 'SUB' },
        ConsistentRead: true,
      }),
    );
    return res.Item === undefined ? null : this.#fromItem(res.Item);
  }

  async listByCustomer(customerId: string): Promise<StoredSubscription<S>[]> {
    const out: StoredSubscription<S>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk',
          ExpressionAttributeValues: { ':pk': `CUSTSUB#${customerId}` },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of res.Items ?? []) out.push(this.#fromItem(item));
      start = res.LastEvaluatedKey;
    } while (start !== undefined);
    return out;
  }

  /**
   * Subscriptions whose next step is due at or before `now`, across every shard, oldest due first within a
   * shard. Reads the index only (no table scan). The index is eventually consistent: a cycle moved a moment
   * ago may still show; bill-subscription re-reads the item and finds nothing to do.
   */
  async *due(now: string, pageSize = 100): AsyncGenerator<DueSubscription> {
    // The shards are read in parallel, a page at a time each, and yielded as pages arrive.
    const shards = Array.from({ length: this.#dueShards }, (_, shard) =>
      this.#duePages(shard, now, pageSize),
    );
    const pending = new Map<number, Promise<{ i: number; r: IteratorResult<DueSubscription[]> }>>();
    const pull = (i: number) =>
      pending.set(
        i,
        shards[i]!.next().then((r) => ({ i, r })),
      );
    for (let i = 0; i < shards.length; i++) pull(i);
    while (pending.size > 0) {
      const { i, r } = await Promise.race(pending.values());
      if (r.done) {
        pending.delete(i);
        continue;
      }
      pull(i);
      yield* r.value;
    }
  }

  async *#duePages(shard: number, now: string, pageSize: number): AsyncGenerator<DueSubscription[]> {
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk <= :to',
          ExpressionAttributeValues: { ':pk': `BILLDUE#${shard}`, ':to': `${iso(now)}#\uffff` },
          ExclusiveStartKey: start,
          Limit: pageSize,
        }),
      );
      const page: DueSubscription[] = [];
      for (const item of res.Items ?? []) {
        const cycle = item.cycle as BillingCycle | null | undefined;
        if (cycle === null || cycle === undefined) continue;
        page.push({
          subscriptionId: String(item.pk).slice('SUB#'.length),
          cycle,
          enqueued: (item.enqueued as DueSubscription['enqueued']) ?? null,
        });
      }
      yield page;
      start = res.LastEvaluatedKey;
    } while (start !== undefined);
  }

  /**
   * Records that a job was enqueued for the cycle due at `dueAt`. Returns false when the cycle has moved
   * on meanwhile (the job is then a harmless no-op).
   */
  async markEnqueued(subscriptionId: string, dueAt: string, at: string): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: SUB(subscriptionId), sk: 'SUB' },
          UpdateExpression: 'SET enqueued = :e',
          ConditionExpression: '#cycle.dueAt = :due',
          ExpressionAttributeNames: { '#cycle': 'cycle' },
          ExpressionAttributeValues: { ':e': { dueAt, at }, ':due': dueAt },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }

  /**
   * Moves the cycle from `from` (compared by period end and stage) to `to` (null: the subscription has
   * nothing left to bill). Returns false when the cycle had already left `from` (a retry or a duplicate
   * job got there first): the move happens at most once.
   */
  async moveCycle(
    subscriptionId: string,
    from: Pick<BillingCycle, 'periodEnd' | 'stage'>,
    to: BillingCycle | null,
  ): Promise<boolean> {
    const keys = dueKeys(subscriptionId, to, this.#dueShards);
    const set = ['#cycle = :to', ...Object.keys(keys).map((k) => `${k} = :${k}`)].join(', ');
    const remove = to === null ? ' REMOVE gsi1pk, gsi1sk, enqueued' : ' REMOVE enqueued';
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: SUB(subscriptionId), sk: 'SUB' },
          UpdateExpression: `SET ${set} ADD version :one${remove}`,
          ConditionExpression: '#cycle.periodEnd = :end AND #cycle.stage = :stage',
          ExpressionAttributeNames: { '#cycle': 'cycle' },
          ExpressionAttributeValues: {
            ':to': to,
            ':end': from.periodEnd,
            ':stage': from.stage,
            ':one': 1,
            ...Object.fromEntries(Object.entries(keys).map(([k, v]) => [`:${k}`, v])),
          },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }

  /** Like {@link moveCycle}, but a lost race is an error. */
  async moveCycleOrThrow(
    subscriptionId: string,
    from: Pick<BillingCycle, 'periodEnd' | 'stage'>,
    to: BillingCycle | null,
  ): Promise<void> {
    if (!(await this.moveCycle(subscriptionId, from, to))) {
      throw new ConflictError(
        'subscription',
        subscriptionId,
        `its cycle is no longer ${from.stage} ${from.periodEnd}`,
      );
    }
  }

  #fromItem(item: Record<string, unknown>): StoredSubscription<S> {
    return {
      subscription: this.#parse(item.data),
      cycle: (item.cycle as BillingCycle | null | undefined) ?? null,
      enqueued: (item.enqueued as StoredSubscription<S>['enqueued'] | undefined) ?? null,
      version: Number(item.version ?? 0),
    };
  }
}
