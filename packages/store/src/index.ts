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
export { ClockStore, type ClockStoreOptions, type SettableClock } from './clock-store.js';
export { PlanStore, type PlanStoreOptions, type StorablePlan } from './plan-store.js';
export {
  type BillingCycle,
  type CycleStage,
  DUE_SHARDS,
  type DueSubscription,
  dueShard,
  type StorableSubscription,
  type StoredSubscription,
  SubscriptionStore,
  type SubscriptionStoreOptions,
} from './subscription-store.js';
