/**
 * The parts of @tally/billing the billing run uses. The package's index does not export the invoice API yet
 * (its author is still writing it), so this one file reaches into its sources; when the index exports them,
 * replace the deep imports below by `from '@tally/billing'` and nothing else changes.
 */
export { assembleInvoice } from '../../packages/billing/src/assemble.js';
export {
  type Invoice,
  type InvoiceLine,
  InvoiceSchema,
  invoiceIdFor,
} from '../../packages/billing/src/invoice.js';
export { lateUsageAdjustment } from '../../packages/billing/src/late-usage.js';
export { finalizeAt, finalizeInvoice } from '../../packages/billing/src/lifecycle.js';
