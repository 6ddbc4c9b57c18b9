import { CurrencyCodeSchema, Decimal, DecimalStringSchema, formatMinor } from '@tally/money';
import { z } from 'zod';
import { PaymentInputError } from './errors.js';
import { PaymentIdSchema } from './payment.js';

const LocalDateSchema = z.iso.date();

/** One amount put on an invoice: from a payment (`paymentId`) or from the customer's credit balance. */
export const AllocationSchema = z.object({
  source: z.enum(['payment', 'credit']),
  /** For `credit`, the payment whose processing used the credit (or the registering/dunning step id). */
  paymentId: z.string().min(1),
  amount: DecimalStringSchema,
  at: z.string(),
});
export type Allocation = z.infer<typeof AllocationSchema>;

/** One dunning step done for an invoice, with the effects it asked for (replayed if a retry finds it done). */
export const DunningRecordSchema = z.object({
  step: z.int().min(0),
  action: z.string().min(1),
  at: z.string(),
  effects: z.array(z.record(z.string(), z.unknown())),
});
export type DunningRecord = z.infer<typeof DunningRecordSchema>;

/**
 * An invoice as the receivables ledger sees it: what was billed (`amountDue` from the finalized invoice), late
 * fees added by dunning, what was paid, and how far dunning got. `balance = amountDue + fees − paid`.
 */
export const LedgerInvoiceSchema = z.object({
  id: z.string().min(1),
  number: z.string().nullable(),
  currency: CurrencyCodeSchema,
  amountDue: DecimalStringSchema,
  fees: DecimalStringSchema,
  paid: DecimalStringSchema,
  /** Local date in `timeZone`. */
  dueDate: LocalDateSchema,
  timeZone: z.string().min(1),
  status: z.enum(['open', 'paid']),
  paidAt: z.string().nullable(),
  allocations: z.array(AllocationSchema),
  dunning: z.object({ stepsDone: z.int().min(0), history: z.array(DunningRecordSchema) }),
});
export type LedgerInvoice = z.infer<typeof LedgerInvoiceSchema>;

/** What the ledger keeps of each applied payment or refund: enough to be idempotent and to reverse it. */
export const JournalEntrySchema = z.object({
  kind: z.enum(['payment', 'refund']),
  amount: DecimalStringSchema,
  at: z.string(),
  /** Invoice allocations made by this payment (refunds: the reversals, negative). */
  allocations: z.array(z.object({ invoiceId: z.string(), amount: DecimalStringSchema })),
  /** Credit balance this payment created (refunds: credit taken back, negative). */
  credit: DecimalStringSchema,
  /** Payments: total refunded so far. */
  refunded: DecimalStringSchema,
  refundOf: PaymentIdSchema.optional(),
  effects: z.array(z.record(z.string(), z.unknown())),
});
export type JournalEntry = z.infer<typeof JournalEntrySchema>;

/**
 * A customer's receivables account: open and paid invoices, the credit balance (overpayments, used by the next
 * invoice), the journal of applied payments, and the suspension state. It is stored as ONE item and changed
 * with a version check, so a payment and a dunning step on the same customer are serialised without
 * transactions (dynalite has none), and "still unpaid?" and "record reminder sent" are one atomic write.
 */
export const AccountSchema = z.object({
  customerId: z.string().min(1),
  currency: CurrencyCodeSchema,
  creditBalance: DecimalStringSchema,
  invoices: z.record(z.string(), LedgerInvoiceSchema),
  payments: z.record(z.string(), JournalEntrySchema),
  suspended: z.object({ since: z.string(), invoiceIds: z.array(z.string()).min(1) }).nullable(),
  /** Optimistic-concurrency version, bumped by the store on every write. */
  version: z.int().min(0),
});
export type Account = z.infer<typeof AccountSchema>;

/**
 * The fields of a finalized invoice (`@tally/billing` `Invoice`) the ledger needs; an `Invoice` fits it.
 */
export const PayableInvoiceSchema = z.object({
  id: z.string().min(1),
  number: z.string().nullable(),
  status: z.enum(['draft', 'finalized', 'paid', 'void']),
  customer: z.object({ id: z.string().min(1), timeZone: z.string().min(1) }),
  currency: CurrencyCodeSchema,
  dueDate: LocalDateSchema.nullable(),
  totals: z.object({ amountDue: DecimalStringSchema }),
});
export type PayableInvoice = z.infer<typeof PayableInvoiceSchema>;

/** A new, empty account. */
export function emptyAccount(customerId: string, currency: string): Account {
  return {
    customerId,
    currency,
    creditBalance: formatMinor(0, currency),
    invoices: {},
    payments: {},
    suspended: null,
    version: 0,
  };
}

/** amountDue + fees − paid; negative never happens (payments stop at the balance). */
export function invoiceBalance(inv: LedgerInvoice): Decimal {
  return new Decimal(inv.amountDue).plus(inv.fees).minus(inv.paid);
}

/** Open invoices, oldest first: by due date, then number, then id (the order payments without an invoice pay). */
export function openInvoicesOldestFirst(account: Account): LedgerInvoice[] {
  const key = (i: LedgerInvoice) => `${i.dueDate}|${i.number ?? ''}|${i.id}`;
  return Object.values(account.invoices)
    .filter((i) => i.status === 'open')
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Puts `amount` on an invoice (never above its balance; the caller checks) and closes it when settled. */
export function allocate(inv: LedgerInvoice, alloc: Allocation): LedgerInvoice {
  const paid = new Decimal(inv.paid).plus(alloc.amount);
  const next: LedgerInvoice = {
    ...inv,
    paid: formatMinor(paid, inv.currency),
    allocations: [...inv.allocations, alloc],
  };
  const settled = invoiceBalance(next).lte(0);
  return { ...next, status: settled ? 'paid' : 'open', paidAt: settled ? (inv.paidAt ?? alloc.at) : null };
}

/**
 * Adds a finalized invoice to the customer's account (creating the account on its first invoice) and pays it
 * from the credit balance as far as that goes: "overpayments become a credit balance used by the next
 * invoice". Registering an invoice twice changes nothing.
 */
export function registerInvoice(
  account: Account | undefined,
  invoice: PayableInvoice,
  now: string,
): { account: Account; creditUsed: string } {
  if (invoice.status === 'draft' || invoice.dueDate === null) {
    throw new PaymentInputError(`invoice ${invoice.id} is a draft: only finalized invoices can be paid`, {
      invoiceId: invoice.id,
    });
  }
  const base = account ?? emptyAccount(invoice.customer.id, invoice.currency);
  if (base.customerId !== invoice.customer.id) {
    throw new PaymentInputError(
      `invoice ${invoice.id} belongs to customer ${invoice.customer.id}, not ${base.customerId}`,
      { invoiceId: invoice.id },
    );
  }
  if (base.currency !== invoice.currency) {
    throw new PaymentInputError(
      `invoice ${invoice.id} is in ${invoice.currency}, the account of ${base.customerId} in ${base.currency}`,
      { invoiceId: invoice.id },
    );
  }
  if (base.invoices[invoice.id] || invoice.status === 'void') {
    return { account: base, creditUsed: formatMinor(0, base.currency) };
  }
  const inv: LedgerInvoice = {
    id: invoice.id,
    number: invoice.number,
    currency: invoice.currency,
    amountDue: invoice.totals.amountDue,
    fees: formatMinor(0, invoice.currency),
    paid: formatMinor(0, invoice.currency),
    dueDate: invoice.dueDate,
    timeZone: invoice.customer.timeZone,
    // An invoice billing already marked paid (or with nothing due) is not chased.
    status: invoice.status === 'finalized' && new Decimal(invoice.totals.amountDue).gt(0) ? 'open' : 'paid',
    paidAt: invoice.status === 'finalized' && new Decimal(invoice.totals.amountDue).gt(0) ? null : now,
    allocations: [],
    dunning: { stepsDone: 0, history: [] },
  };
  const registered = { ...base, invoices: { ...base.invoices, [inv.id]: inv } };
  return applyCredit(registered, inv.id, `register:${inv.id}`, now);
}

/** Pays an open invoice from the credit balance, as far as both go. */
export function applyCredit(
  account: Account,
  invoiceId: string,
  by: string,
  now: string,
): { account: Account; creditUsed: string } {
  const inv = account.invoices[invoiceId];
  const credit = new Decimal(account.creditBalance);
  if (inv?.status !== 'open' || credit.lte(0)) {
    return { account, creditUsed: formatMinor(0, account.currency) };
  }
  const take = Decimal.min(credit, invoiceBalance(inv));
  const next = allocate(inv, {
    source: 'credit',
    paymentId: by,
    amount: formatMinor(take, inv.currency),
    at: now,
  });
  return {
    account: {
      ...account,
      creditBalance: formatMinor(credit.minus(take), account.currency),
      invoices: { ...account.invoices, [inv.id]: next },
    },
    creditUsed: formatMinor(take, account.currency),
  };
}
