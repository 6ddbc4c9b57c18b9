import { Decimal, formatMinor } from '@tally/money';
import { type Account, invoiceBalance, type JournalEntry, type LedgerInvoice } from './account.js';
import { PaymentInputError, RefundError } from './errors.js';
import type { Payment } from './payment.js';

export type RefundOutcome =
  | {
      readonly status: 'applied';
      /** Credit balance taken back. */
      readonly fromCredit: string;
      /** Invoice amounts reversed (the invoices are open again for these amounts). */
      readonly reversed: readonly { invoiceId: string; amount: string }[];
      readonly reopened: readonly string[];
    }
  | { readonly status: 'duplicate' };

function reverse(inv: LedgerInvoice, amount: Decimal, refundId: string, at: string): LedgerInvoice {
  const paid = new Decimal(inv.paid).minus(amount);
  const next: LedgerInvoice = {
    ...inv,
    paid: formatMinor(paid, inv.currency),
    allocations: [
      ...inv.allocations,
      { source: 'payment', paymentId: refundId, amount: formatMinor(amount.neg(), inv.currency), at },
    ],
  };
  const open = invoiceBalance(next).gt(0);
  return { ...next, status: open ? 'open' : 'paid', paidAt: open ? null : inv.paidAt };
}

/**
 * Reverses (part of) an applied payment. The money comes back in this order: first from the credit balance the
 * payment created (money the customer has not used yet), then from the invoices the payment paid, newest
 * allocation first (they open again with that balance), then from invoices that consumed the payment's credit.
 * A refund never reverses more than its payment minus earlier refunds; the same refund id twice counts once.
 */
export function refundPayment(
  account: Account,
  refund: Payment,
): { account: Account; outcome: RefundOutcome } {
  if (refund.kind !== 'refund' || !refund.refundOf) {
    throw new PaymentInputError(`${refund.id} is not a refund`, { paymentId: refund.id });
  }
  if (account.payments[refund.id]) return { account, outcome: { status: 'duplicate' } };
  const paymentId = refund.refundOf;
  const original = account.payments[paymentId];
  if (original?.kind !== 'payment') {
    throw new RefundError(
      refund.id,
      paymentId,
      `no applied payment ${paymentId} on account ${account.customerId}`,
    );
  }
  if (refund.currency !== account.currency) {
    throw new RefundError(
      refund.id,
      paymentId,
      `currency ${refund.currency}, the payment is in ${account.currency}`,
    );
  }
  const refundable = new Decimal(original.amount).minus(original.refunded);
  let left = new Decimal(refund.amount);
  if (left.gt(refundable)) {
    throw new RefundError(
      refund.id,
      paymentId,
      `asks for ${refund.amount} ${refund.currency} but only ${formatMinor(refundable, refund.currency)} is refundable`,
    );
  }
  const earlier = Object.values(account.payments).filter(
    (e) => e.kind === 'refund' && e.refundOf === paymentId,
  );
  const creditTakenBack = earlier.reduce((s, e) => s.minus(e.credit), new Decimal(0));
  const fromCredit = Decimal.max(
    0,
    Decimal.min(
      left,
      new Decimal(original.credit).minus(creditTakenBack),
      new Decimal(account.creditBalance),
    ),
  );
  left = left.minus(fromCredit);

  const invoices = { ...account.invoices };
  const reversed: { invoiceId: string; amount: string }[] = [];
  const reversedBefore = (invoiceId: string) =>
    earlier
      .flatMap((e) => e.allocations)
      .filter((a) => a.invoiceId === invoiceId)
      .reduce((s, a) => s.minus(a.amount), new Decimal(0));
  for (const a of [...original.allocations].reverse()) {
    if (left.lte(0)) break;
    const inv = invoices[a.invoiceId];
    if (!inv) continue;
    const take = Decimal.min(
      left,
      new Decimal(a.amount).minus(reversedBefore(a.invoiceId)),
      new Decimal(inv.paid),
    );
    if (take.lte(0)) continue;
    invoices[inv.id] = reverse(inv, take, refund.id, refund.receivedAt);
    reversed.push({ invoiceId: inv.id, amount: formatMinor(take.neg(), inv.currency) });
    left = left.minus(take);
  }
  // The payment's credit was used by later invoices: the money they were paid with is gone, so they reopen.
  const latestCredit = (inv: LedgerInvoice) =>
    inv.allocations
      .filter((al) => al.source === 'credit')
      .map((al) => al.at)
      .sort()
      .at(-1) ?? '';
  const creditUsers = Object.values(invoices)
    .filter((inv) => latestCredit(inv) !== '')
    .sort((x, y) => (latestCredit(x) < latestCredit(y) ? 1 : latestCredit(x) > latestCredit(y) ? -1 : 0));
  for (const inv of creditUsers) {
    if (left.lte(0)) break;
    const credited = inv.allocations
      .filter((al) => al.source === 'credit')
      .reduce((s, al) => s.plus(al.amount), new Decimal(0));
    const take = Decimal.min(left, credited, new Decimal(inv.paid));
    if (take.lte(0)) continue;
    invoices[inv.id] = reverse(inv, take, refund.id, refund.receivedAt);
    reversed.push({ invoiceId: inv.id, amount: formatMinor(take.neg(), inv.currency) });
    left = left.minus(take);
  }
  if (left.gt(0)) {
    throw new RefundError(
      refund.id,
      paymentId,
      `${formatMinor(left, refund.currency)} cannot be traced to reverse`,
    );
  }
  const reopened = reversed
    .map((r) => r.invoiceId)
    .filter(
      (id, i, all) =>
        all.indexOf(id) === i && account.invoices[id]?.status === 'paid' && invoices[id]?.status === 'open',
    );
  const cur = account.currency;
  const entry: JournalEntry = {
    kind: 'refund',
    amount: refund.amount,
    at: refund.receivedAt,
    allocations: reversed,
    credit: formatMinor(fromCredit.neg(), cur),
    refunded: formatMinor(0, cur),
    refundOf: paymentId,
    effects: [],
  };
  return {
    account: {
      ...account,
      invoices,
      creditBalance: formatMinor(new Decimal(account.creditBalance).minus(fromCredit), cur),
      payments: {
        ...account.payments,
        [paymentId]: {
          ...original,
          refunded: formatMinor(new Decimal(original.refunded).plus(refund.amount), cur),
        },
        [refund.id]: entry,
      },
    },
    outcome: { status: 'applied', fromCredit: formatMinor(fromCredit, cur), reversed, reopened },
  };
}
