export {
  type AssembleInvoiceInput,
  assembleInvoice,
  type PlanInvoiceInput,
  roundingStatement,
  type WithOptionalRate,
} from './assemble.js';
export {
  type CreateCreditNoteInput,
  type CreditNote,
  type CreditNoteLine,
  CreditNoteLineSchema,
  CreditNoteSchema,
  createCreditNote,
} from './credit-note.js';
export { type AppliedCredit, applyCredits, type CreditGrant, CreditGrantSchema } from './credits.js';
export {
  type Address,
  AddressSchema,
  type Customer,
  type CustomerInput,
  CustomerSchema,
  type Issuer,
  IssuerSchema,
  type TaxRate,
  TaxRateSchema,
  type TaxRounding,
  type TaxSettings,
  TaxSettingsSchema,
  TimeZoneSchema,
} from './customer.js';
export { type Coupon, CouponSchema, couponCovers } from './discounts.js';
export { BillingInputError, CreditNoteError, InvoiceStateError } from './errors.js';
export {
  type CustomerSnapshot,
  CustomerSnapshotSchema,
  type Invoice,
  type InvoiceLine,
  type InvoiceLineKind,
  InvoiceLineKindSchema,
  InvoiceLineSchema,
  InvoiceSchema,
  type InvoiceStatus,
  InvoiceStatusSchema,
  type InvoiceTotals,
  InvoiceTotalsSchema,
  invoiceIdFor,
  type ProrationInfo,
  ProrationInfoSchema,
  type TaxLine,
  TaxLineSchema,
} from './invoice.js';
export {
  type ClassifyLateEventOptions,
  classifyLateEvent,
  LATE_EVENT_REASON,
  type LateEventClass,
  type LateUsageInput,
  lateUsageAdjustment,
  OUTSIDE_SUBSCRIPTION_REASON,
} from './late-usage.js';
export {
  finalizeAt,
  finalizeInvoice,
  formatInvoiceNumber,
  INVOICE_TRANSITIONS,
  markInvoicePaid,
  voidInvoice,
} from './lifecycle.js';
export {
  type BillingPeriod,
  billingPeriods,
  nextBillTime,
  periodByIndex,
  periodContaining,
} from './periods.js';
export type { BillingPlan, BillingPlanTerms, BillingUsageRecord, RateFn } from './plan-port.js';
export { type ProrationBasis, type ProrationFactor, prorateAmount, prorationFactor } from './proration.js';
export {
  type Alignment,
  AlignmentSchema,
  type BillingInterval,
  BillingIntervalSchema,
  type Subscription,
  type SubscriptionInput,
  type SubscriptionPhase,
  SubscriptionPhaseSchema,
  SubscriptionSchema,
} from './subscription.js';
export { computeTax, type TaxResult } from './tax.js';
export { InstantSchema, type Interval, IntervalSchema } from './time.js';
