export { type FirstRecords, type FirstRecordsInput, firstRecords } from './appendix-source.js';
export { CachedCatalog, CatalogStore, type CatalogStoreOptions } from './catalog-store.js';
export { createDocumentClient, type TableNames, tableName, tableNames } from './client.js';
export { ClockStore, type ClockStoreOptions, type SettableClock } from './clock-store.js';
export {
  type DeliveryKey,
  type DeliveryRecord,
  type DeliveryState,
  DeliveryStore,
  type DeliveryStoreOptions,
  FINAL_DELIVERY_STATES,
  type SuppressedContact,
} from './delivery-store.js';
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
export {
  type AccountChange,
  type PaymentStatus,
  PaymentStore,
  type PaymentStoreOptions,
  type StoredPayment,
} from './payment-store.js';
export { PlanStore, type PlanStoreOptions, type StorablePlan } from './plan-store.js';
export {
  type ListQuarantineInput,
  ListQuarantineInputSchema,
  type QuarantinedInput,
  type QuarantinePage,
  QuarantineStore,
} from './quarantine-store.js';
export {
  ReportSource,
  type ReportSourcePorts,
  type ReportSourceQuery,
  reportPayments,
  type TableReportSourceOptions,
  tableReportSource,
  usagePoints,
} from './report-source.js';
export {
  type BillingCycle,
  type CycleStage,
  DUE_SHARDS,
  DUE_SHARDS_ENV,
  type DueSubscription,
  dueShard,
  dueShardCount,
  type StorableSubscription,
  type StoredSubscription,
  SubscriptionStore,
  type SubscriptionStoreOptions,
} from './subscription-store.js';
export {
  type AnyArrivedInput,
  AnyArrivedInputSchema,
  eventPk,
  eventSk,
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
