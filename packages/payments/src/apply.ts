import { Decimal, formatMinor } from '@tally/money';
import {
  type Account,
  allocate,
  invoiceBalance,
  type JournalEntry,
  type LedgerInvoice,
  openInvoicesOldestFirst,
} from './account.js';
import type { Effect } from './effects.js';
import { PaymentInputError } from './errors.js';
import type { Payment } from './payment.js';
import { liftSuspensionIfSettled } from './suspension.js';

export type UnappliedReason = 'no-customer' | 'unknown-customer' | 'unknown-invoice' | 'currency-mismatch';

export type ApplyOutcome =
  | {
      readonly status: 'applied';
      readonly allocations: readonly { invoiceId: string; amount: string }[];
      /** Overpayment added to the credit balance. */
      readonly credit: string;
      /** Invoices this payment settled. */
      readonly settled: readonly string[];
      readonly effects: readonly Effect[];
    }
  | { readonly status: 'duplicate'; readonly effects: readonly Effect[] }
  | { readonly status: 'unapplied'; readonly reason: UnappliedReason };

/**
 * Applies a payment to a customer's account:
 * - naming an invoice: pays that invoice up to its balance; the rest becomes credit balance;
 * - naming only the customer: pays the open invoices oldest first; the rest becomes credit balance;
 * - a partial payment leaves the invoice open with the remaining balance;
 * - the same payment id again changes nothing (`duplicate`, with the original effects to replay);
 * - a payment that cannot be matched (unknown invoice, other currency) is `unapplied`: the caller keeps it
 *   for reconciliation and the account is unchanged.
 * Settling the invoices an account was suspended for restores it (event + mail effects).
 *
 * @example applyPayment(account, payment, now).outcome // { status: 'applied', allocations: [...], credit: '0.00', ... }
 */
export function applyPayment(
  account: Account,
  payment: Payment,
  now: string,
): { account: Account; outcome: ApplyOutcome } {
  if (payment.kind !== 'payment') {
    throw new PaymentInputError(`${payment.id} is a refund: use refundPayment`, { paymentId: payment.id });
  }
  const seen = account.payments[payment.id];
  if (seen)
    return { account, outcome: { status: 'duplicate', effects: seen.effects as unknown as Effect[] } };
  if (payment.customerId !== undefined && payment.customerId !== account.customerId) {
    throw new PaymentInputError(
      `payment ${payment.id} is for ${payment.customerId}, not ${account.customerId}`,
      {
        paymentId: payment.id,
      },
    );
  }
  if (payment.currency !== account.currency) {
    return { account, outcome: { status: 'unapplied', reason: 'currency-mismatch' } };
  }
  let targets: LedgerInvoice[];
  if (payment.invoiceId !== undefined) {
    const inv = account.invoices[payment.invoiceId];
    if (!inv) return { account, outcome: { status: 'unapplied', reason: 'unknown-invoice' } };
    // A payment for an invoice already settled is an overpayment: all of it becomes credit.
    targets = inv.status === 'open' ? [inv] : [];
  } else {
    targets = openInvoicesOldestFirst(account);
  }

  let left = new Decimal(payment.amount);
  const invoices = { ...account.invoices };
  const allocations: { invoiceId: string; amount: string }[] = [];
  const settled: string[] = [];
  const effects: Effect[] = [];
  for (const inv of targets) {
    if (left.lte(0)) break;
    const take = Decimal.min(left, invoiceBalance(inv));
    if (take.lte(0)) continue;
    const amount = formatMinor(take, inv.currency);
    const next = allocate(inv, { source: 'payment', paymentId: payment.id, amount, at: payment.receivedAt });
    invoices[inv.id] = next;
    allocations.push({ invoiceId: inv.id, amount });
    left = left.minus(take);
    if (next.status === 'paid') {
      settled.push(inv.id);
      effects.push({
        type: 'mail',
        kind: 'receipt',
        invoiceId: inv.id,
        requestId: `${inv.id}:receipt:${payment.id}`,
        customerId: account.customerId,
        payment: {
          amount: payment.amount,
          paidAt: payment.receivedAt,
          reference: payment.reference ?? payment.id,
        },
      });
    }
  }
  const credit = formatMinor(left, account.currency);
  let next: Account = {
    ...account,
    invoices,
    creditBalance: formatMinor(new Decimal(account.creditBalance).plus(left), account.currency),
  };
  const restored = liftSuspensionIfSettled(next, payment.id, now);
  next = restored.account;
  effects.push(...restored.effects);
  const entry: JournalEntry = {
    kind: 'payment',
    amount: payment.amount,
    at: payment.receivedAt,
    allocations,
    credit,
    refunded: formatMinor(0, account.currency),
    effects: effects as unknown as JournalEntry['effects'],
  };
  next = { ...next, payments: { ...next.payments, [payment.id]: entry } };
  return { account: next, outcome: { status: 'applied', allocations, credit, settled, effects } };
}
