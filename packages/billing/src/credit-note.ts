import {
  CurrencyCodeSchema,
  Decimal,
  DecimalStringSchema,
  formatMinor,
  roundToMinor,
  sum,
} from '@tally/money';
import { z } from 'zod';
import type { TaxSettings } from './customer.js';
import { IssuerSchema } from './customer.js';
import { CreditNoteError } from './errors.js';
import { CustomerSnapshotSchema, type Invoice, TaxLineSchema } from './invoice.js';
import { computeTax } from './tax.js';
import { InstantSchema, inZone, normalizeInstant } from './time.js';

export const CreditNoteLineSchema = z.object({
  key: z.string().min(1),
  /** The invoice line reversed. */
  invoiceLineKey: z.string().min(1),
  description: z.string(),
  /** The reversed amount: the opposite sign of the invoice line's. */
  amount: DecimalStringSchema,
  taxes: z.array(z.object({ rateId: z.string(), amount: DecimalStringSchema })).optional(),
});
export type CreditNoteLine = z.infer<typeof CreditNoteLineSchema>;

/**
 * A credit note: reverses all or part of a finalized (or paid) invoice, which itself never changes. Its
 * amounts are negative (they reduce what the customer owes); whether the money is refunded or kept as
 * balance is the payment side's decision. Numbered like invoices, `<prefix>-CN-<year>-<sequence>`.
 */
export const CreditNoteSchema = z.object({
  id: z.string().min(1),
  number: z.string().min(1),
  invoiceId: z.string().min(1),
  invoiceNumber: z.string().min(1),
  subscriptionId: z.string().min(1),
  issuer: IssuerSchema,
  customer: CustomerSnapshotSchema,
  currency: CurrencyCodeSchema,
  issuedAt: InstantSchema,
  issueDate: z.iso.date(),
  reason: z.string().min(1),
  lines: z.array(CreditNoteLineSchema).min(1),
  tax: z.object({ mode: z.enum(['exclusive', 'inclusive']), lines: z.array(TaxLineSchema) }),
  totals: z.object({ subtotal: DecimalStringSchema, tax: DecimalStringSchema, total: DecimalStringSchema }),
});
export type CreditNote = z.infer<typeof CreditNoteSchema>;

export interface CreateCreditNoteInput {
  readonly invoice: Invoice;
  /**
   * What to reverse: per invoice line key, the part of its amount (same sign as the line, at most what is
   * left after earlier credit notes). Absent: everything left.
   */
  readonly lines?: readonly { readonly key: string; readonly amount: string }[];
  readonly reason: string;
  /** The issuer's next credit-note sequence value (from storage). */
  readonly number: number;
  /** Credit notes already issued for this invoice. */
  readonly previous?: readonly CreditNote[];
  readonly now: string;
}

/**
 * Creates a credit note for a finalized or paid invoice. Tax is recomputed on the reversed amounts with the
 * invoice's rates and rounding mode; a note that leaves nothing to credit takes exactly the invoice's
 * remaining tax, so a series of partial notes never reverses more tax than was charged.
 *
 * @example
 * createCreditNote({ invoice, reason: 'service outage 3–5 May', lines: [{ key: 's0:base:fee', amount: '10.00' }],
 *   number: 7, now })
 */
export function createCreditNote(input: CreateCreditNoteInput): CreditNote {
  const { invoice } = input;
  const currency = invoice.currency;
  if (invoice.status !== 'finalized' && invoice.status !== 'paid') {
    throw new CreditNoteError(
      `invoice ${invoice.id} is ${invoice.status}: only finalized or paid invoices take credit notes (a draft is re-assembled, a void one is void)`,
      invoice.id,
    );
  }
  if (input.reason.trim() === '') throw new CreditNoteError('a credit note needs a reason', invoice.id);
  const previous = input.previous ?? [];
  const credited = new Map<string, Decimal>();
  for (const note of previous) {
    for (const l of note.lines) {
      credited.set(l.invoiceLineKey, (credited.get(l.invoiceLineKey) ?? new Decimal(0)).minus(l.amount));
    }
  }
  const left = (key: string): Decimal => {
    const line = invoice.lines.find((l) => l.key === key);
    if (line === undefined) {
      throw new CreditNoteError(`invoice ${invoice.id} has no line "${key}"`, invoice.id, { key });
    }
    return new Decimal(line.amount).minus(credited.get(key) ?? 0);
  };

  const requested = input.lines ?? invoice.lines.map((l) => ({ key: l.key, amount: left(l.key).toFixed() }));
  const chosen = requested.filter((r) => !new Decimal(r.amount).isZero());
  for (const r of chosen) {
    const rest = left(r.key);
    const amount = new Decimal(r.amount);
    if (!amount.eq(roundToMinor(amount, currency))) {
      throw new CreditNoteError(`credit for line ${r.key} has more decimals than ${currency}`, invoice.id, r);
    }
    if (amount.isNegative() !== rest.isNegative() || amount.abs().gt(rest.abs())) {
      throw new CreditNoteError(
        `cannot credit ${r.amount} ${currency} of line ${r.key}: ${formatMinor(rest, currency)} is left to credit`,
        invoice.id,
        { key: r.key, requested: r.amount, left: rest.toFixed() },
      );
    }
  }
  if (chosen.length === 0)
    throw new CreditNoteError(`nothing left to credit on invoice ${invoice.id}`, invoice.id);

  const noteLines = chosen.map((r) => ({
    key: r.key,
    amount: formatMinor(new Decimal(r.amount).negated(), currency),
  }));
  // The invoice's own rates and rounding, even if the customer's tax settings changed since.
  const settings: TaxSettings = {
    mode: invoice.tax.mode,
    rounding: invoice.tax.rounding,
    rates: invoice.tax.lines.map((t) => ({ id: t.rateId, name: t.name, rate: t.rate })),
    ...(invoice.tax.exemption === undefined ? {} : { exemption: invoice.tax.exemption }),
  };
  const tax = computeTax(noteLines, settings, currency, invoice.roundingRule.lines);
  // Cap by rate at what is still uncredited; the note that credits the last of the lines takes the rest exactly.
  const creditedTax = (rateId: string) =>
    sum(previous.flatMap((n) => n.tax.lines.filter((t) => t.rateId === rateId).map((t) => t.amount)));
  const closesInvoice = invoice.lines.every((l) => {
    const r = chosen.find((c) => c.key === l.key);
    return left(l.key)
      .minus(r?.amount ?? 0)
      .isZero();
  });
  const taxLines = invoice.tax.lines.map((t) => {
    const remaining = new Decimal(t.amount).plus(creditedTax(t.rateId)); // previous amounts are negative
    const computed = tax.lines.find((c) => c.rateId === t.rateId);
    let amount = computed === undefined ? new Decimal(0) : new Decimal(computed.amount);
    if (closesInvoice || amount.abs().gt(remaining.abs())) amount = remaining.negated();
    return { ...t, base: computed?.base ?? formatMinor(0, currency), amount: formatMinor(amount, currency) };
  });
  const subtotal = sum(noteLines.map((l) => l.amount));
  const taxTotal = sum(taxLines.map((t) => t.amount));
  const total = invoice.tax.mode === 'exclusive' ? subtotal.plus(taxTotal) : subtotal;
  const seq = previous.length + 1;
  const issuedAt = normalizeInstant(input.now);
  return {
    id: `cn_${invoice.id}_${seq}`,
    number: `${invoice.issuer.numberPrefix}-CN-${inZone(issuedAt, invoice.issuer.timeZone).year}-${String(input.number).padStart(6, '0')}`,
    invoiceId: invoice.id,
    invoiceNumber: invoice.number!,
    subscriptionId: invoice.subscriptionId,
    issuer: invoice.issuer,
    customer: invoice.customer,
    currency,
    issuedAt,
    issueDate: inZone(issuedAt, invoice.customer.timeZone).toISODate()!,
    reason: input.reason,
    lines: noteLines.map((l, i) => {
      const src = invoice.lines.find((x) => x.key === l.key)!;
      return {
        key: `cn${seq}:${l.key}`,
        invoiceLineKey: l.key,
        description: src.description,
        amount: l.amount,
        ...(tax.perLine === undefined ? {} : { taxes: tax.perLine[i]! }),
      };
    }),
    tax: { mode: invoice.tax.mode, lines: taxLines },
    totals: {
      subtotal: formatMinor(subtotal, currency),
      tax: formatMinor(taxTotal, currency),
      total: formatMinor(total, currency),
    },
  };
}
