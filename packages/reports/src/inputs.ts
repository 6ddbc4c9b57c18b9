import { type Invoice, InvoiceSchema } from '@tally/billing';
import { CurrencyCodeSchema, DecimalStringSchema, NonNegativeDecimalStringSchema } from '@tally/money';
import { z } from 'zod';

/**
 * The inputs a report reads. Reports do not depend on @tally/payments: they declare the few fields they need,
 * so any payment ledger (or a CSV export) can be mapped onto them.
 */

const InstantSchema = z.iso.datetime({ offset: true });

/** A payment received or a refund paid out, optionally applied to one invoice. */
export const ReportPaymentSchema = z.object({
  id: z.string().min(1),
  customerId: z.string().min(1),
  /** The invoice the money was applied to; absent for unapplied cash (customer balance). */
  invoiceId: z.string().min(1).optional(),
  /** Positive, in `currency`; a refund is a positive amount with `kind: 'refund'`. */
  amount: NonNegativeDecimalStringSchema,
  currency: CurrencyCodeSchema,
  receivedAt: InstantSchema,
  kind: z.enum(['payment', 'refund']),
});
export type ReportPayment = z.infer<typeof ReportPaymentSchema>;

/** A credit note reducing what an invoice asks for (in the invoice's currency). */
export const ReportCreditNoteSchema = z.object({
  invoiceId: z.string().min(1),
  amount: NonNegativeDecimalStringSchema,
  issuedAt: InstantSchema,
});
export type ReportCreditNote = z.infer<typeof ReportCreditNoteSchema>;

/** Aggregated usage of one customer and meter in one billing period (a metering `UsageRecord` total). */
export const UsagePointSchema = z.object({
  customerId: z.string().min(1),
  meterId: z.string().min(1),
  periodStart: InstantSchema,
  quantity: DecimalStringSchema,
  unit: z.string().min(1),
});
export type UsagePoint = z.infer<typeof UsagePointSchema>;

/** A half-open window [from, to) of UTC instants. */
export const ReportWindowSchema = z
  .object({ from: InstantSchema, to: InstantSchema })
  .refine((w) => Date.parse(w.from) < Date.parse(w.to), { message: '`from` must be before `to`' });
export type ReportWindow = z.infer<typeof ReportWindowSchema>;

/**
 * The fields of a billing `Invoice` that reports read. Every report takes real invoices; naming the subset keeps
 * the reports honest about what they use and lets tests build small fixtures.
 */
export type ReportInvoice = Pick<
  Invoice,
  | 'id'
  | 'kind'
  | 'status'
  | 'number'
  | 'currency'
  | 'period'
  | 'finalizedAt'
  | 'dueDate'
  | 'paidAt'
  | 'voidedAt'
  | 'lines'
> & {
  readonly customer: Pick<Invoice['customer'], 'id' | 'legalName' | 'timeZone'>;
  readonly totals: Pick<Invoice['totals'], 'amountDue' | 'subtotal'>;
};

/** Everything a report may read. */
export interface ReportData {
  readonly invoices: readonly ReportInvoice[];
  readonly payments: readonly ReportPayment[];
  readonly creditNotes: readonly ReportCreditNote[];
  readonly usage: readonly UsagePoint[];
}

/**
 * The input file of `tally report --input`: billing invoices as stored, plus payments, credit notes and usage
 * totals. Every part but the invoices may be left out.
 */
export const ReportInputSchema = z.object({
  invoices: z.array(InvoiceSchema),
  payments: z.array(ReportPaymentSchema).default([]),
  creditNotes: z.array(ReportCreditNoteSchema).default([]),
  usage: z.array(UsagePointSchema).default([]),
});
export type ReportInput = z.infer<typeof ReportInputSchema>;
