export {
  type AccountEventDetail,
  EventBridgePublisher,
  executionNameFor,
  SfnDunningStarter,
  SqsMailSender,
  toDetail,
} from './adapters.js';
export {
  type ClosePeriodsDeps,
  type ClosePeriodsResult,
  closePeriods,
} from './close-periods.js';
export {
  billingInvoiceStore,
  closePeriodsDepsFromEnv,
  dunningStarterFromEnv,
  invoiceStoreFromEnv,
  policiesFromEnv,
  receivablesFromEnv,
  storesFromEnv,
} from './defaults.js';
export { EVENT_SOURCE, WORKFLOW_ENV } from './env.js';
export { WorkflowAdapterError } from './errors.js';
export { invoiceSourceFromStore } from './invoice-source.js';
export type { Clock, DunningStarter, EventPublisher, InvoiceSource, MailSender } from './ports.js';
export {
  type ActResult,
  DunningExecutionInputSchema,
  type DunningTaskInput,
  Receivables,
  type ReceivablesDeps,
  type RecordResult,
} from './receivables.js';
export { webhookSecretsFromEnv } from './secrets.js';
