export {
  billingJobsQueue,
  type ConsumerDefinition,
  deliveryQueue,
  mailFeedbackQueue,
  type QueueDefinition,
  queues,
  usageQueue,
} from './queues.js';
export {
  billingTable,
  type GlobalIndexDefinition,
  type KeyAttribute,
  type TableDefinition,
  tables,
  usageTable,
} from './tables.js';
