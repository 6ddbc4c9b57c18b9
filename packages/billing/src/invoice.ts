import { CurrencyCodeSchema, DecimalStringSchema, RoundingModeSchema } from '@tally/money';
import type { RatedLine } from '@tally/rating';
import { z } from 'zod';
import { AddressSchema, IssuerSchema, TaxSettingsSchema, TimeZoneSchema } from './customer.js';
import { InstantSchema, IntervalSchema, parseInstant } from './time.js';

const LocalDateSchema = z.iso.date();

/**
 * Kinds of invoice lines. The first four come from rating; billing adds:
 * `commitment` (top-up to the plan's minimum commitment), `discount` (a coupon, negative) and
 * `adjustment` (late usage of an already finalized period, naming the invoice it corrects).
 */
export const InvoiceLineKindSchema = z.enum([
  'usage',
  'fixed',
  'minimum',
  'allowance',
  'commitment',
  'discount',
  'adjustment',
]);
export type InvoiceLineKind = z.infer<typeof InvoiceLineKindSchema>;

export const ProrationInfoSchema = z.object({
  basis: z.enum(['by-day', 'by-second', 'none']),
  numerator: z.number().nonnegative(),
  denominator: z.number().positive(),
  factor: DecimalStringSchema,
  /** The full period the fee is priced for. */
  fullPeriod: IntervalSchema,
  /** The unprorated fee for the full period and one unit of quantity, unrounded. */
  fullPrecise: DecimalStringSchema,
  /** True for a credit of unused time already billed in advance (the line is negative). */
  credit: z.boolean(),
});
export type ProrationInfo = z.infer<typeof ProrationInfoSchema>;

/**
 * One invoice line: the fields of a rating `RatedLine` (so every line traces to its charge, meter, plan id and
 * version, and service period, with quantity and tier breakdown) plus what billing adds.
 */
export const InvoiceLineSchema = z.object({
  /** Unique and deterministic within the invoice. */
  key: z.string().min(1),
  chargeId: z.string().min(1),
  kind: InvoiceLineKindSchema,
  description: z.string(),
  meterId: z.string().optional(),
  planId: z.string().min(1),
  planVersion: z.int().min(1),
  /** The service period the line covers (for an adjustment: the corrected period). */
  period: IntervalSchema,
  quantity: DecimalStringSchema,
  unit: z.string().optional(),
  unitPrice: DecimalStringSchema.optional(),
  flatAmount: DecimalStringSchema.optional(),
  tier: z
    .object({ index: z.int().min(0), from: DecimalStringSchema, upTo: DecimalStringSchema.nullable() })
    .optional(),
  dimensions: z.record(z.string(), z.string()).optional(),
  currency: CurrencyCodeSchema,
  precise: DecimalStringSchema,
  amount: DecimalStringSchema,
  rounding: RoundingModeSchema,
  /** Fixed fees: whether this line is billed ahead of its service period or after it. */
  timing: z.enum(['advance', 'arrears']).optional(),
  /** Fixed fees: subscription quantity (seats) the fee was multiplied by. */
  subscriptionQuantity: DecimalStringSchema.optional(),
  proration: ProrationInfoSchema.optional(),
  /** Adjustments: the finalized invoice and period this line corrects. */
  adjusts: z
    .object({
      invoiceId: z.string().min(1),
      invoiceNumber: z.string().nullable(),
      period: IntervalSchema,
      reason: z.literal('late-usage'),
      /** Kind of the corrected line in the original period. */
      originalKind: InvoiceLineKindSchema,
    })
    .optional(),
  discount: z
    .object({
      couponId: z.string().min(1),
      code: z.string().optional(),
      type: z.enum(['percent', 'amount']),
      /** Percent off ("10" for 10 %) or amount off. */
      value: DecimalStringSchema,
      /** The amount the discount was computed on. */
      base: DecimalStringSchema,
    })
    .optional(),
  /** Per-line tax rounding only: each rate's tax on this line. */
  taxes: z.array(z.object({ rateId: z.string(), amount: DecimalStringSchema })).optional(),
});
export type InvoiceLine = z.infer<typeof InvoiceLineSchema>;

// A RatedLine is an invoice line as it stands (compile-time check that the schemas agree).
type _RatedLineFits = RatedLine extends Omit<InvoiceLine, 'kind' | 'period'> & {
  period: { start: string; end: string };
}
  ? true
  : never;
const _ratedLineFits: _RatedLineFits = true;
void _ratedLineFits;

export const TaxLineSchema = z.object({
  rateId: z.string().min(1),
  name: z.string().min(1),
  rate: DecimalStringSchema,
  /** The amount taxed (for inclusive tax: the subtotal net of tax). */
  base: DecimalStringSchema,
  amount: DecimalStringSchema,
  rounding: z.enum(['per-line', 'per-invoice']),
});
export type TaxLine = z.infer<typeof TaxLineSchema>;

export const InvoiceStatusSchema = z.enum(['draft', 'finalized', 'paid', 'void']);
export type InvoiceStatus = z.infer<typeof InvoiceStatusSchema>;

export const CustomerSnapshotSchema = z.object({
  id: z.string().min(1),
  legalName: z.string().min(1),
  billingEmails: z.array(z.email()).min(1),
  locale: z.string().min(2),
  timeZone: TimeZoneSchema,
  address: AddressSchema.optional(),
  taxId: z.string().optional(),
});
export type CustomerSnapshot = z.infer<typeof CustomerSnapshotSchema>;

/**
 * Totals, all decimal strings in the invoice currency with exactly its minor-unit decimals.
 * Invariants: Σ lines = subtotal = charges + discounts; with exclusive tax subtotal + tax − credits = total;
 * with inclusive tax (tax already inside the lines) subtotal − credits = total. amountDue = max(total, 0);
 * a negative total becomes customer balance (`creditBalanceCreated`).
 */
export const InvoiceTotalsSchema = z.object({
  /** Σ of all non-discount lines. */
  charges: DecimalStringSchema,
  /** Σ of the discount lines (zero or negative). */
  discounts: DecimalStringSchema,
  subtotal: DecimalStringSchema,
  tax: DecimalStringSchema,
  /** Prepaid credit applied (zero or positive, subtracted). */
  credits: DecimalStringSchema,
  total: DecimalStringSchema,
  amountDue: DecimalStringSchema,
  creditBalanceCreated: DecimalStringSchema,
});
export type InvoiceTotals = z.infer<typeof InvoiceTotalsSchema>;

/**
 * An invoice: the document stored (DynamoDB item as JSON), rendered (HTML, PDF) and emailed. It carries
 * everything a document needs, so rendering never looks anything else up.
 *
 * - `kind: 'opening'` bills fixed fees in advance for the first period; `kind: 'period'` closes `period`:
 *   its usage and arrears fees, true-ups of fees billed in advance for it, late-usage adjustments of earlier
 *   periods, and the advance fees of the next period.
 * - State machine: draft → finalized → paid | void (see README). `number`, `issueDate`, `dueDate` are null
 *   while draft.
 */
export const InvoiceSchema = z.object({
  id: z.string().min(1),
  kind: z.enum(['opening', 'period']),
  status: InvoiceStatusSchema,
  number: z.string().nullable(),
  subscriptionId: z.string().min(1),
  issuer: IssuerSchema,
  customer: CustomerSnapshotSchema,
  currency: CurrencyCodeSchema,
  period: IntervalSchema,
  periodIndex: z.int().min(0),
  /** The `now` the draft was assembled at. */
  createdAt: InstantSchema,
  finalizedAt: InstantSchema.nullable(),
  /** Local dates in the customer's zone. */
  issueDate: LocalDateSchema.nullable(),
  dueDate: LocalDateSchema.nullable(),
  paymentTermsDays: z.int().min(0),
  lines: z.array(InvoiceLineSchema),
  tax: z.object({
    mode: TaxSettingsSchema.shape.mode,
    rounding: z.enum(['per-line', 'per-invoice']),
    exemption: z.object({ reason: z.string(), certificateId: z.string().optional() }).optional(),
    lines: z.array(TaxLineSchema),
  }),
  creditsApplied: z.array(z.object({ creditId: z.string().min(1), amount: DecimalStringSchema })),
  totals: InvoiceTotalsSchema,
  /** The rounding rule, stated for the reader, e.g. "Each line is rounded once to 0.01 EUR, half-up; …". */
  roundingRule: z.object({
    lines: RoundingModeSchema,
    tax: z.enum(['per-line', 'per-invoice']),
    statement: z.string(),
  }),
  paidAt: InstantSchema.nullable(),
  paymentReference: z.string().nullable(),
  voidedAt: InstantSchema.nullable(),
  voidReason: z.string().nullable(),
  /**
   * The level of each time-weighted meter at the period's end, as the events that had arrived by the draft's
   * cutoff set it: meter id → group → level (decimal string). The group is `name=value,…` in the charge's
   * `groupBy` order, "" for the meter as a whole. The next period of a meter fed by level changes
   * (`timeWeighted.input: 'delta'`) opens from it, since its level is the sum of every change since the
   * subscription started, which no bounded read of the events recovers.
   */
  closingLevels: z.record(z.string(), z.record(z.string(), DecimalStringSchema)).optional(),
});
export type Invoice = z.infer<typeof InvoiceSchema>;

/**
 * The invoice id: deterministic from the subscription and the period start, so a re-run of a billing job
 * upserts the same invoice. `inv_<subscription id>_<period start as yyyyMMddTHHmmssZ>`, with `_open` for the
 * opening invoice that bills the first period's fees in advance.
 *
 * @example invoiceIdFor('sub-42', '2026-03-01T00:00:00Z') // 'inv_sub-42_20260301T000000Z'
 */
export function invoiceIdFor(
  subscriptionId: string,
  periodStart: string,
  kind: Invoice['kind'] = 'period',
): string {
  const stamp = parseInstant(periodStart).toUTC().toFormat("yyyyMMdd'T'HHmmss'Z'");
  return `inv_${subscriptionId}_${stamp}${kind === 'opening' ? '_open' : ''}`;
}
