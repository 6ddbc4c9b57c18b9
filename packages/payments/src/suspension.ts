import type { Account } from './account.js';
import type { Effect } from './effects.js';

/**
 * Lifts the suspension of an account once every invoice it was suspended for is settled, and returns the
 * restore effects: the `tally.account.restored` event for provisioning and the "service restored" mail.
 * `by` names what settled it (a payment id, a dunning step), so replays produce the same ids.
 */
export function liftSuspensionIfSettled(
  account: Account,
  by: string,
  now: string,
): { account: Account; effects: Effect[] } {
  const s = account.suspended;
  if (!s) return { account, effects: [] };
  const stillOpen = s.invoiceIds.filter((id) => account.invoices[id]?.status === 'open');
  if (stillOpen.length > 0) {
    return stillOpen.length === s.invoiceIds.length
      ? { account, effects: [] }
      : { account: { ...account, suspended: { ...s, invoiceIds: stillOpen } }, effects: [] };
  }
  const last = s.invoiceIds[s.invoiceIds.length - 1]!;
  return {
    account: { ...account, suspended: null },
    effects: [
      {
        type: 'event',
        detailType: 'tally.account.restored',
        eventId: `${account.customerId}:restored:${by}`,
        customerId: account.customerId,
        invoiceIds: s.invoiceIds,
        at: now,
      },
      {
        type: 'mail',
        kind: 'restored',
        invoiceId: last,
        requestId: `${last}:restored:${by}`,
        customerId: account.customerId,
        effectiveAt: now,
      },
    ],
  };
}
