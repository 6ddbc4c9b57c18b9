export { createDocumentClient, type TableNames, tableName, tableNames } from './client.js';
export {
  ConflictError,
  isConditionFailed,
  isRetryable,
  MissingConfigurationError,
  NotFoundError,
  RetryableStoreError,
} from './errors.js';
