import { Decimal, formatMinor } from '@tally/money';
import { type Account, invoiceBalance } from './account.js';
import type { Payment } from './payment.js';

/** One customer's line of the reconciliation report: invoices against payments, all in the account currency. */
export interface ReconciliationRow {
  readonly customerId: string;
  readonly currency: string;
  /** Σ amount due + late fees of the account's invoices. */
  readonly invoiced: string;
  /** Σ received (payments) − Σ refunded. */
  readonly receivedNet: string;
  /** Σ paid on invoices (payments and credit). */
  readonly applied: string;
  /** Σ open balances. */
  readonly outstanding: string;
  readonly creditBalance: string;
  /** Σ unapplied payments naming this customer (not in receivedNet). */
  readonly unapplied: string;
  readonly openInvoices: number;
  /** receivedNet = applied + creditBalance: every unit of money received is on an invoice or in credit. */
  readonly balanced: boolean;
}

/** Customer id of the report row that collects unapplied payments naming no known customer. */
export const UNMATCHED = '(unmatched)';

/**
 * The reconciliation report: one row per customer account, plus rows for unapplied payments whose customer has
 * no account (under their customer id, or {@link UNMATCHED}). Rows sorted by customer id, then currency.
 */
export function reconciliationReport(
  accounts: readonly Account[],
  unapplied: readonly Payment[],
): ReconciliationRow[] {
  const rows = new Map<string, ReconciliationRow>();
  for (const a of accounts) {
    const cur = a.currency;
    const invs = Object.values(a.invoices);
    const invoiced = invs.reduce((s, i) => s.plus(i.amountDue).plus(i.fees), new Decimal(0));
    const applied = invs.reduce((s, i) => s.plus(i.paid), new Decimal(0));
    const outstanding = invs
      .filter((i) => i.status === 'open')
      .reduce((s, i) => s.plus(invoiceBalance(i)), new Decimal(0));
    const receivedNet = Object.values(a.payments).reduce(
      (s, p) => (p.kind === 'payment' ? s.plus(p.amount) : s.minus(p.amount)),
      new Decimal(0),
    );
    rows.set(`${a.customerId}|${cur}`, {
      customerId: a.customerId,
      currency: cur,
      invoiced: formatMinor(invoiced, cur),
      receivedNet: formatMinor(receivedNet, cur),
      applied: formatMinor(applied, cur),
      outstanding: formatMinor(outstanding, cur),
      creditBalance: formatMinor(a.creditBalance, cur),
      unapplied: formatMinor(0, cur),
      openInvoices: invs.filter((i) => i.status === 'open').length,
      balanced: receivedNet.eq(applied.plus(a.creditBalance)),
    });
  }
  for (const p of unapplied) {
    const customerId = p.customerId ?? UNMATCHED;
    const key = `${customerId}|${p.currency}`;
    const zero = formatMinor(0, p.currency);
    const row = rows.get(key) ?? {
      customerId,
      currency: p.currency,
      invoiced: zero,
      receivedNet: zero,
      applied: zero,
      outstanding: zero,
      creditBalance: zero,
      unapplied: zero,
      openInvoices: 0,
      balanced: true,
    };
    rows.set(key, {
      ...row,
      unapplied: formatMinor(new Decimal(row.unapplied).plus(p.kind === 'refund' ? 0 : p.amount), p.currency),
    });
  }
  return [...rows.values()].sort((x, y) =>
    x.customerId === y.customerId
      ? x.currency.localeCompare(y.currency)
      : x.customerId < y.customerId
        ? -1
        : 1,
  );
}
