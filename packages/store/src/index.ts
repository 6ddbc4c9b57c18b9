export { createDocumentClient, type TableNames, tableName, tableNames } from './client.js';
export {
  ConflictError,
  isConditionFailed,
  isRetryable,
  MissingConfigurationError,
  NotFoundError,
  RetryableStoreError,
} from './errors.js';
export {
  type DocumentSender,
  type DraftWrite,
  InvoiceStore,
  type InvoiceStoreOptions,
  type NumberClaim,
  type StorableInvoice,
  type StoredInvoice,
} from './invoice-store.js';
export { CachedCatalog, CatalogStore, type CatalogStoreOptions } from './catalog-store.js';
export {
  type ListQuarantineInput,
  ListQuarantineInputSchema,
  type QuarantinedInput,
  type QuarantinePage,
  QuarantineStore,
} from './quarantine-store.js';
export {
  eventPk,
  type QueryEventsInput,
  QueryEventsInputSchema,
  type ShardStep,
  ShardStepSchema,
  type StoredEvent,
  shardCountOn,
  UsageStore,
  type UsageStoreOptions,
  type UsageStoreStats,
} from './usage-store.js';
