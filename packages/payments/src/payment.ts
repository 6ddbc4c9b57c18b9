import { CurrencyCodeSchema, Decimal, DecimalStringSchema, roundToMinor } from '@tally/money';
import { z } from 'zod';

/** Ids of payments, refunds and webhook notifications: they end up in keys and execution names, so no `#`. */
export const PaymentIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'must be 1–128 letters, digits, ".", "_", ":" or "-"');

/** An instant with an offset, normalised to UTC (`2026-03-01T00:00:00.000Z`). */
export const TimestampSchema = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());

/** A positive amount with no more decimals than the currency has (checked against `currency` below). */
const PositiveAmountSchema = DecimalStringSchema.refine((s) => new Decimal(s).gt(0), {
  message: 'must be greater than zero',
});

/**
 * Money received (`kind: 'payment'`) or paid back (`kind: 'refund'`, naming the payment it reverses in
 * `refundOf`). A payment names an invoice (`invoiceId`), or only a customer (it then pays the oldest open
 * invoices), or neither (it stays unapplied until someone applies it). The id is the payment provider's id:
 * the same id twice is one payment.
 */
export const PaymentFieldsSchema = z.object({
  id: PaymentIdSchema,
  kind: z.enum(['payment', 'refund']).default('payment'),
  amount: PositiveAmountSchema,
  currency: CurrencyCodeSchema,
  receivedAt: TimestampSchema,
  customerId: z.string().min(1).optional(),
  invoiceId: z.string().min(1).optional(),
  refundOf: PaymentIdSchema.optional(),
  /** The payer's reference text (bank transfer memo, card charge id). */
  reference: z.string().max(500).optional(),
  source: z.enum(['webhook', 'manual']),
});

/** A payment or refund, with the cross-field rules (amount precision, refundOf). */
export const PaymentSchema = PaymentFieldsSchema.superRefine((p, ctx) => {
  if (!roundToMinor(p.amount, p.currency).eq(p.amount)) {
    ctx.addIssue({
      code: 'custom',
      path: ['amount'],
      message: `${p.amount} has more decimals than ${p.currency} allows`,
    });
  }
  if (p.kind === 'refund' && !p.refundOf) {
    ctx.addIssue({
      code: 'custom',
      path: ['refundOf'],
      message: 'a refund must name the payment it reverses',
    });
  }
  if (p.kind === 'payment' && p.refundOf) {
    ctx.addIssue({ code: 'custom', path: ['refundOf'], message: 'only a refund may name refundOf' });
  }
});
export type Payment = z.infer<typeof PaymentSchema>;
export type PaymentInput = z.input<typeof PaymentSchema>;
