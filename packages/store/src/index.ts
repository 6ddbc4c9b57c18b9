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
