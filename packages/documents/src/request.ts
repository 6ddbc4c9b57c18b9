import { DecimalStringSchema } from '@tally/money';
import { z } from 'zod';

const LocalDateSchema = z.iso.date();
const InstantSchema = z.iso.datetime({ offset: true });

export const DOCUMENT_KINDS = [
  'invoice',
  'credit-note',
  'receipt',
  'reminder',
  'final-notice',
  'suspended',
  'restored',
] as const;
export const DocumentKindSchema = z.enum(DOCUMENT_KINDS);
export type DocumentKind = z.infer<typeof DocumentKindSchema>;

/** One credited line: which invoice line it reverses and by how much (negative, as billing issues it). */
export const CreditNoteLineSchema = z.object({
  /** The key of the invoice line reversed; the document shows what that line charged. */
  invoiceLineKey: z.string().min(1),
  description: z.string(),
  /** The credited amount, negative (it reduces what the customer owes). */
  amount: DecimalStringSchema,
});
export type CreditNoteLine = z.infer<typeof CreditNoteLineSchema>;

/**
 * A credit note reversing (part of) an invoice; issued by billing (`createCreditNote`), rendered here. The
 * lines, tax and totals are optional so a summary-only request still renders; {@link creditNoteRequest}
 * fills them from billing's credit note. Fields are billing's, so its credit note parses as it is.
 */
export const CreditNoteSchema = z.object({
  number: z.string().min(1),
  issueDate: LocalDateSchema,
  /** Positive amount credited, in the invoice currency, tax included. */
  amount: DecimalStringSchema,
  reason: z.string().min(1),
  // An invoice has tens of lines; the bound keeps an SQS message far below its 256 KB limit.
  lines: z.array(CreditNoteLineSchema).max(500).optional(),
  tax: z
    .object({
      mode: z.enum(['exclusive', 'inclusive']),
      lines: z
        .array(z.object({ name: z.string(), base: DecimalStringSchema, amount: DecimalStringSchema }))
        .max(50),
    })
    .optional(),
  /** Negative, as billing computes them: subtotal of the lines, tax, and total (tax included). */
  totals: z
    .object({ subtotal: DecimalStringSchema, tax: DecimalStringSchema, total: DecimalStringSchema })
    .optional(),
});
export type CreditNote = z.infer<typeof CreditNoteSchema>;

export const PaymentSchema = z.object({
  amount: DecimalStringSchema,
  paidAt: InstantSchema,
  reference: z.string().min(1),
});
export type Payment = z.infer<typeof PaymentSchema>;

/**
 * What to render about an invoice, by kind; the SQS delivery message carries the same fields. Dates that
 * depend on "today" (`asOf`, `effectiveAt`) are inputs: rendering never reads the clock.
 */
export const DocumentRequestSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('invoice') }),
  z.object({ kind: z.literal('credit-note'), creditNote: CreditNoteSchema }),
  z.object({ kind: z.literal('receipt'), payment: PaymentSchema }),
  z.object({ kind: z.literal('reminder'), asOf: LocalDateSchema }),
  z.object({ kind: z.literal('final-notice'), asOf: LocalDateSchema, suspendOn: LocalDateSchema }),
  z.object({ kind: z.literal('suspended'), effectiveAt: InstantSchema }),
  z.object({ kind: z.literal('restored'), effectiveAt: InstantSchema }),
]);
export type DocumentRequest = z.infer<typeof DocumentRequestSchema>;

/** How the customer pays: printed under "How to pay". The invoice number is always the payment reference. */
export const PayToSchema = z.object({
  accountHolder: z.string().min(1).optional(),
  iban: z.string().min(1).optional(),
  bic: z.string().min(1).optional(),
  /** A payment page; printed as text (mail clients and PDFs link it themselves), never as a tracked link. */
  url: z.url({ protocol: /^https$/ }).optional(),
});
export type PayTo = z.infer<typeof PayToSchema>;

/** One call record of an itemized telephone bill. */
export const CallRecordSchema = z.object({
  at: InstantSchema,
  destination: z.string(),
  durationSeconds: z.int().min(0),
  /** What the call cost, when the source can tell (rating prices calls in groups, not one by one). */
  amount: DecimalStringSchema.optional(),
});
export type CallRecord = z.infer<typeof CallRecordSchema>;

/** One interval reading of a meter (e.g. 15-minute consumption). */
export const IntervalRecordSchema = z.object({
  start: InstantSchema,
  end: InstantSchema,
  quantity: DecimalStringSchema,
});
export type IntervalRecord = z.infer<typeof IntervalRecordSchema>;

/** An itemized appendix a plan asks for; printed after the invoice in the PDF and offered as CSV. */
export const AppendixSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('calls'),
    records: z.array(CallRecordSchema),
    /** How many records the period has when `records` holds only the first of them. */
    total: z.int().min(0).optional(),
  }),
  z.object({
    type: z.literal('intervals'),
    meterId: z.string().min(1),
    unit: z.string().optional(),
    records: z.array(IntervalRecordSchema),
    total: z.int().min(0).optional(),
  }),
]);
export type Appendix = z.infer<typeof AppendixSchema>;

/** What a document needs besides the invoice: payment details, an appendix, the delivery reference. */
export interface RenderOptions {
  readonly payTo?: PayTo;
  readonly appendix?: Appendix;
  /** Printed in the footer so support (and delivery reconciliation) can find the mail. */
  readonly deliveryRef?: string;
}
