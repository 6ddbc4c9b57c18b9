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
  buildReport,
  REPORT_NAMES,
  type ReportName,
  ReportNameSchema,
  type ReportOptions,
  ReportOptionsSchema,
} from './build.js';
export { renderChartSvg, vegaLiteSpec } from './charts.js';
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
export type {
  ChartSpec,
  ColumnKind,
  ReportColumn,
  ReportDocument,
  ReportRow,
  ReportSection,
} from './document.js';
export { ReportInputError } from './errors.js';
export {
  type ReportCreditNote,
  ReportCreditNoteSchema,
  type ReportData,
  type ReportInput,
  ReportInputSchema,
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
export { csvField, renderCsv } from './render-csv.js';
export { escapeHtml, renderHtml } from './render-html.js';
export { renderTable, sanitizeForTerminal } from './render-table.js';
export { type RevenueCurrency, type RevenueEntry, type RevenueReport, revenueReport } from './revenue.js';
export {
  type UsageTrend,
  type UsageTrendPoint,
  type UsageTrendsReport,
  usageTrendsReport,
} from './usage-trends.js';
