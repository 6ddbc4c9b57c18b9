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
export { BillingInputError, CreditNoteError, InvoiceStateError } from './errors.js';
export {
  type BillingPeriod,
  billingPeriods,
  nextBillTime,
  periodByIndex,
  periodContaining,
} from './periods.js';
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
export { InstantSchema, type Interval, IntervalSchema } from './time.js';
