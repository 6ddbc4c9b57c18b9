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
}

const key = (id: string, version: number) => ({
  pk: `PLAN#${id}`,
  sk: `V#${String(version).padStart(6, '0')}`,
});

export class PlanStore<P extends StorablePlan> {
  readonly #client: DocumentSender;
  readonly #table: string;
  readonly #parse: (data: unknown) => P;

  constructor(options: PlanStoreOptions<P>) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#parse = options.parse ?? ((d) => d as P);
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

  async get(planId: string, version: number): Promise<P | null> {
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
