import { Decimal, ZERO } from '@tally/money';
import { ReportInputError } from './errors.js';
import type { ReportCreditNote, ReportInvoice, ReportPayment } from './inputs.js';
import { ms } from './time.js';

/**
 * The receivables ledger as reports see it: for each invoice, the payments, refunds and credit notes that
 * reference it, in time order. Built once per report run; every "as of" question is answered from it without
 * reading a clock.
 */
export interface Ledger {
  readonly invoices: readonly ReportInvoice[];
  /** Movements per invoice id. */
  readonly movements: ReadonlyMap<string, readonly Movement[]>;
  /** Payments and refunds not applied to any invoice (customer balance), per currency. */
  readonly unapplied: readonly Movement[];
}

/** A signed change of an invoice's open amount: payments and credit notes reduce it, refunds raise it again. */
export interface Movement {
  readonly atMs: number;
  readonly currency: string;
  /** Signed: negative reduces the open amount. */
  readonly delta: Decimal;
  readonly source: 'payment' | 'refund' | 'credit-note';
}

/**
 * Indexes payments and credit notes by invoice.
 * @throws ReportInputError when a payment is in another currency than the invoice it is applied to, or names an
 *   invoice that is not in the input (amounts are never converted or silently dropped).
 */
export function buildLedger(
  invoices: readonly ReportInvoice[],
  payments: readonly ReportPayment[],
  creditNotes: readonly ReportCreditNote[],
): Ledger {
  const byId = new Map(invoices.map((i) => [i.id, i]));
  const movements = new Map<string, Movement[]>();
  const unapplied: Movement[] = [];
  const push = (invoiceId: string, m: Movement) => {
    const list = movements.get(invoiceId) ?? [];
    list.push(m);
    movements.set(invoiceId, list);
  };
  for (const p of payments) {
    const delta = p.kind === 'payment' ? new Decimal(p.amount).neg() : new Decimal(p.amount);
    const m: Movement = { atMs: ms(p.receivedAt), currency: p.currency, delta, source: p.kind };
    if (p.invoiceId === undefined) {
      unapplied.push(m);
      continue;
    }
    const invoice = byId.get(p.invoiceId);
    if (invoice === undefined) {
      throw new ReportInputError(
        `${p.kind} ${p.id} is applied to invoice ${p.invoiceId}, which is not in the input`,
        {
          paymentId: p.id,
          invoiceId: p.invoiceId,
        },
      );
    }
    if (invoice.currency !== p.currency) {
      throw new ReportInputError(
        `${p.kind} ${p.id} is in ${p.currency} but invoice ${invoice.id} is in ${invoice.currency}: reports never convert currencies`,
        { paymentId: p.id, invoiceId: invoice.id },
      );
    }
    push(invoice.id, m);
  }
  for (const c of creditNotes) {
    const invoice = byId.get(c.invoiceId);
    if (invoice === undefined) {
      throw new ReportInputError(
        `a credit note references invoice ${c.invoiceId}, which is not in the input`,
        {
          invoiceId: c.invoiceId,
        },
      );
    }
    push(invoice.id, {
      atMs: ms(c.issuedAt),
      currency: invoice.currency,
      delta: new Decimal(c.amount).neg(),
      source: 'credit-note',
    });
  }
  return { invoices, movements, unapplied };
}

/**
 * The open amount of an invoice counting everything that happened strictly before `beforeMs`, or null when the
 * invoice was not a receivable then (not yet finalized, or already void).
 *
 * open = amountDue − payments + refunds − credit notes, kept within [0, amountDue]: an overpayment is customer
 * balance, not a negative receivable, and a refund cannot make an invoice owe more than it billed. An invoice
 * marked paid before `beforeMs` is closed even when its payment records are not in the input.
 */
export function openAmountBefore(ledger: Ledger, invoice: ReportInvoice, beforeMs: number): Decimal | null {
  if (invoice.finalizedAt === null || ms(invoice.finalizedAt) >= beforeMs) return null;
  if (invoice.voidedAt !== null && ms(invoice.voidedAt) < beforeMs) return null;
  if (invoice.paidAt !== null && ms(invoice.paidAt) < beforeMs) return ZERO;
  const due = new Decimal(invoice.totals.amountDue);
  let open = due;
  for (const m of ledger.movements.get(invoice.id) ?? []) if (m.atMs < beforeMs) open = open.plus(m.delta);
  return Decimal.min(due, Decimal.max(ZERO, open));
}

/** Unapplied cash (payments minus refunds without an invoice) before `beforeMs`, per currency. */
export function unappliedBefore(ledger: Ledger, beforeMs: number): Map<string, Decimal> {
  const out = new Map<string, Decimal>();
  for (const m of ledger.unapplied) {
    if (m.atMs >= beforeMs) continue;
    out.set(m.currency, (out.get(m.currency) ?? ZERO).minus(m.delta));
  }
  return out;
}

/** Adds `value` to the entry `key` of a map of decimals. */
export function addTo<K>(map: Map<K, Decimal>, key: K, value: Decimal): void {
  map.set(key, (map.get(key) ?? ZERO).plus(value));
}
