export { DEFAULT_MAX_BATCH_BYTES, MAX_BATCH_ENTRIES, planBatches } from './batches.js';
export { type FailedMessage, QueueConfigurationError, QueueSendError } from './errors.js';
export {
  createSqsClient,
  SEND_ID_ATTRIBUTE,
  SEND_ID_BYTES,
  type SendMessageBatchClient,
  type SendOptions,
  SqsSender,
  type SqsSenderOptions,
  SqsSenderOptionsSchema,
} from './sqs-sender.js';
