/**
 * The DynamoDB tables of tally: one definition, read by the CDK app (infra/) to declare them and by the
 * local stack to create them in dynalite, so the two cannot drift (test/resource-parity.test.ts checks it).
 *
 * Key attributes are generic (`pk`, `sk`, `gsi1pk`, ...): the adapters in packages/store own what goes in
 * them and document their access patterns beside the key builders.
 */
export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N';
}

export interface GlobalIndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
}

export interface TableDefinition {
  /** CDK construct id and the local table's name suffix. */
  readonly id: string;
  /** The environment variable that carries the table name to every function and tool. */
  readonly envVar: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly globalIndexes: readonly GlobalIndexDefinition[];
  /** Attribute holding an epoch-seconds expiry; TTL is enabled in AWS only (dynalite has no TTL). */
  readonly ttlAttribute?: string;
  readonly description: string;
  /**
   * The version of the key layout its adapter writes, for a table whose layout has changed: bump it with
   * the keys. A persisted local stack keeps it in a `LAYOUT` item and refuses a table of another layout
   * (packages/local-stack/src/resources.ts). Deployed tables are not checked.
   */
  readonly layoutVersion?: number;
}

const S = (name: string): KeyAttribute => ({ name, type: 'S' });

/** Raw usage events and meter readings: high write volume, one item per stored event. */
export const usageTable: TableDefinition = {
  id: 'Usage',
  envVar: 'TALLY_USAGE_TABLE',
  partitionKey: S('pk'),
  sortKey: S('sk'),
  globalIndexes: [],
  ttlAttribute: 'expiresAt',
  description: 'raw usage events and meter readings, keyed by customer·meter·period·shard',
  // 2: a partition per UTC month, the day first in the sort key (packages/store/src/usage-store.ts);
  // before it (no LAYOUT item): a partition per UTC day.
  layoutVersion: 2,
};

/**
 * Everything else, in one table: customers, devices, plans, subscriptions, invoices, counters, payments,
 * quarantine, delivery records. Two overloaded GSIs serve the secondary access patterns (next bill time,
 * open invoices by due date, quarantine by day and reason, payments of an invoice).
 */
export const billingTable: TableDefinition = {
  id: 'Billing',
  envVar: 'TALLY_BILLING_TABLE',
  partitionKey: S('pk'),
  sortKey: S('sk'),
  globalIndexes: [
    { indexName: 'gsi1', partitionKey: S('gsi1pk'), sortKey: S('gsi1sk') },
    { indexName: 'gsi2', partitionKey: S('gsi2pk'), sortKey: S('gsi2sk') },
  ],
  ttlAttribute: 'expiresAt',
  description: 'customers, catalog, subscriptions, invoices, payments, quarantine',
};

export const tables = [usageTable, billingTable] as const;
