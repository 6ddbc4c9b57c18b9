import { Decimal } from '@tally/money';
import type { Account, LedgerInvoice } from '@tally/payments';
import { DateTime } from 'luxon';
import type { DunningAction, DunningPolicy, DunningStep } from './policy.js';

/**
 * What the dunning state machine does next for one invoice. The state machine loops
 * Decide → (Wait until `until` | Act) → Decide until `done`, so the policy, not the ASL, says what happens.
 * - `open`: the invoice is not in the ledger yet: register it (this also spends credit balance on it);
 * - `apply-credit`: the customer has credit balance and this invoice is open: spend it;
 * - `wait`: nothing to do before `until`;
 * - a policy action with its `step` index;
 * - `done`: paid (or settled by credit), or every step was taken.
 * `step` and `until` are always present (JSONPath in the ASL cannot refer to absent fields).
 */
export interface Decision {
  readonly action: 'open' | 'apply-credit' | 'wait' | DunningAction | 'done';
  /** Index of the policy step the action performs (the next step for other actions). */
  readonly step: number;
  /** ISO instant: when to decide again (`wait`), otherwise `now`. */
  readonly until: string;
  readonly reason?: 'paid' | 'escalated' | 'void';
}

/** When a step falls due: `afterDays` after the due date, at the policy's send time in the customer's zone. */
export function stepDueAt(
  inv: Pick<LedgerInvoice, 'dueDate' | 'timeZone'>,
  step: DunningStep,
  policy: DunningPolicy,
): string {
  const [hour, minute] = policy.sendAt.split(':').map(Number) as [number, number];
  return DateTime.fromISO(inv.dueDate, { zone: inv.timeZone })
    .plus({ days: step.afterDays })
    .set({ hour, minute, second: 0, millisecond: 0 })
    .toUTC()
    .toISO() as string;
}

/**
 * Decides the next dunning action for an invoice at `now` (pure: the handler loads the account and the policy).
 *
 * @example decide({ account, invoiceId: 'inv_1', policy, now: '2026-02-04T09:00:00Z' }) // { action: 'remind', step: 0, until: … }
 */
export function decide(input: {
  account: Account | undefined;
  invoiceId: string;
  policy: DunningPolicy;
  now: string;
}): Decision {
  const { account, invoiceId, policy, now } = input;
  const inv = account?.invoices[invoiceId];
  const stepNow = inv?.dunning.stepsDone ?? 0;
  if (!account || !inv) return { action: 'open', step: stepNow, until: now };
  if (inv.status !== 'open') return { action: 'done', step: stepNow, until: now, reason: 'paid' };
  if (new Decimal(account.creditBalance).gt(0)) return { action: 'apply-credit', step: stepNow, until: now };
  const next = policy.steps[stepNow];
  if (!next) return { action: 'done', step: stepNow, until: now, reason: 'escalated' };
  const at = stepDueAt(inv, next, policy);
  if (Date.parse(now) < Date.parse(at)) return { action: 'wait', step: stepNow, until: at };
  return { action: next.action, step: stepNow, until: now };
}
