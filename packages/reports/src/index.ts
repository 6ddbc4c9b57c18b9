export {
  AGING_BUCKETS,
  type AgingBucket,
  type AgingBuckets,
  type AgingCurrency,
  type AgingCustomer,
  type AgingInvoice,
  type AgingReport,
  agingBucket,
  agingReport,
  sumBuckets,
} from './aging.js';
export {
  type CeiReport,
  type CeiRow,
  ceiReport,
  type DsoReport,
  type DsoRow,
  dsoReport,
  type ReceivablesFlow,
  receivablesFlow,
} from './collection.js';
export { ReportInputError } from './errors.js';
export {
  type ReportCreditNote,
  ReportCreditNoteSchema,
  type ReportData,
  type ReportInvoice,
  type ReportPayment,
  ReportPaymentSchema,
  type ReportWindow,
  ReportWindowSchema,
  type UsagePoint,
  UsagePointSchema,
} from './inputs.js';
export {
  type AccuracyInvoice,
  type AccuracyReport,
  accuracyReport,
  type TimelinessInvoice,
  type TimelinessReport,
  timelinessReport,
} from './quality.js';
export { type RevenueCurrency, type RevenueEntry, type RevenueReport, revenueReport } from './revenue.js';
export {
  type UsageTrend,
  type UsageTrendPoint,
  type UsageTrendsReport,
  usageTrendsReport,
} from './usage-trends.js';
