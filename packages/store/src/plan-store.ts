import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, isConditionFailed } from './errors.js';
import type { DocumentSender } from './invoice-store.js';

/**
 * Plan versions in the billing table. Versions are immutable: a version is written once, and writing it
 * again with other content is a conflict (a change is a new version).
 *
 * | access pattern                 | key                                                  |
 * | ------------------------------ | ---------------------------------------------------- |
 * | get a plan version             | pk `PLAN#<planId>`, sk `V#<version, 6 digits>`       |
 * | every version of a plan        | Query pk `PLAN#<planId>`, sk begins_with `V#`        |
 *
 * Because a stored version never changes, `get` keeps the versions it found in a small per-store cache (a warm
 * Lambda bills and mails many invoices of the same few plans): no staleness to bound. A version not found is
 * never cached, so one written later is seen on the next `get`. The cached plans are frozen, as a caller
 * changing one would change it for every later reader.
 */
export interface StorablePlan {
  readonly id: string;
  readonly version: number;
}

export interface PlanStoreOptions<P extends StorablePlan> {
  readonly client: DocumentSender;
  readonly tableName: string;
  /** Validates a stored plan (e.g. `PlanSchema.parse`). Default: trusts the stored JSON. */
  readonly parse?: (data: unknown) => P;
  /** Plan versions kept in memory (least recently used dropped first); 0 turns the cache off. Default 256. */
  readonly cacheSize?: number;
}

/** Freezes a parsed plan and everything in it (plans are plain JSON data). */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const key = (id: string, version: number) => ({
  pk: `PLAN#${id}`,
  sk: `V#${String(version).padStart(6, '0')}`,
});

export class PlanStore<P extends StorablePlan> {
  readonly #client: DocumentSender;
  readonly #table: string;
  readonly #parse: (data: unknown) => P;
  readonly #cacheSize: number;
  /** Found versions (and reads in flight, so concurrent gets of one version share one request). */
  readonly #cache = new Map<string, Promise<P | null>>();

  constructor(options: PlanStoreOptions<P>) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#parse = options.parse ?? ((d) => d as P);
    this.#cacheSize = options.cacheSize ?? 256;
  }

  /**
   * Writes a plan version once. Writing the same content again is a no-op.
   * @throws ConflictError when the version exists with other content.
   */
  async put(plan: P): Promise<void> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...key(plan.id, plan.version), data: plan },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      const stored = await this.get(plan.id, plan.version);
      if (JSON.stringify(stored) !== JSON.stringify(this.#parse(plan))) {
        throw new ConflictError(
          'plan',
          `${plan.id} v${plan.version}`,
          'exists with other content: publish a new version',
        );
      }
    }
  }

  /** A plan version, or null when it was never written. Versions found are cached (see above). */
  async get(planId: string, version: number): Promise<P | null> {
    if (this.#cacheSize <= 0) return this.#read(planId, version);
    const id = `${planId}\u0000${version}`;
    const hit = this.#cache.get(id);
    if (hit !== undefined) {
      // Map order is insertion order: re-inserting marks it most recently used.
      this.#cache.delete(id);
      this.#cache.set(id, hit);
      return hit;
    }
    const read = this.#read(planId, version).then((p) => (p === null ? null : deepFreeze(p)));
    this.#cache.set(id, read);
    if (this.#cache.size > this.#cacheSize) this.#cache.delete(this.#cache.keys().next().value!);
    read.then(
      (p) => {
        if (p === null && this.#cache.get(id) === read) this.#cache.delete(id);
      },
      () => {
        if (this.#cache.get(id) === read) this.#cache.delete(id);
      },
    );
    return read;
  }

  async #read(planId: string, version: number): Promise<P | null> {
    const res = await this.#client.send(
      new GetCommand({ TableName: this.#table, Key: key(planId, version) }),
    );
    return res.Item === undefined ? null : this.#parse(res.Item.data);
  }

  async versions(planId: string): Promise<P[]> {
    const res = await this.#client.send(
      new QueryCommand({
        TableName: this.#table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
        ExpressionAttributeValues: { ':pk': `PLAN#${planId}`, ':v': 'V#' },
      }),
    );
    return (res.Items ?? []).map((i) => this.#parse(i.data));
  }
}
