export {
  type Account,
  AccountSchema,
  type Allocation,
  applyCredit,
  type DunningRecord,
  emptyAccount,
  invoiceBalance,
  type JournalEntry,
  type LedgerInvoice,
  LedgerInvoiceSchema,
  openInvoicesOldestFirst,
  type PayableInvoice,
  PayableInvoiceSchema,
  registerInvoice,
} from './account.js';
export { type ApplyOutcome, applyPayment, type UnappliedReason } from './apply.js';
export type { AccountEventType, BusEffect, Effect, MailEffect, MailKind } from './effects.js';
export { PaymentInputError, RefundError, type WebhookRejection, WebhookSignatureError } from './errors.js';
export {
  type Payment,
  PaymentIdSchema,
  type PaymentInput,
  PaymentSchema,
  TimestampSchema,
} from './payment.js';
export { type ReconciliationRow, reconciliationReport, UNMATCHED } from './reconcile.js';
export { type RefundOutcome, refundPayment } from './refund.js';
export { liftSuspensionIfSettled } from './suspension.js';
export {
  DEFAULT_TOLERANCE_SECONDS,
  paymentFromNotification,
  SIGNATURE_HEADER,
  signWebhook,
  verifyWebhookSignature,
  type WebhookNotification,
  WebhookNotificationSchema,
} from './webhook.js';
