import { Decimal, formatMinor, roundToMinor } from '@tally/money';
import {
  type Account,
  applyCredit,
  type DunningRecord,
  type Effect,
  invoiceBalance,
  type LedgerInvoice,
  liftSuspensionIfSettled,
} from '@tally/payments';
import { DateTime } from 'luxon';
import { stepDueAt } from './decide.js';
import { DunningStateError } from './errors.js';
import type { DunningAction, DunningPolicy } from './policy.js';

export type ActOutcome =
  /** The step was taken now: store the account, then run the effects. */
  | 'performed'
  /** The step had been taken before (a retry): nothing to store; replay the recorded effects. */
  | 'replayed'
  /** The invoice is no longer open (paid meanwhile): nothing is sent. */
  | 'skipped';

/**
 * Takes one dunning step on the account, after checking, on the same state that will be written, that the
 * invoice is still open and the step is the next one. The adapter writes the result with a version condition
 * and runs the effects only after that write succeeded, so a payment stored before the write turns the step
 * into `skipped` (see docs in @tally/workflow: check, record, then send).
 */
export function performStep(input: {
  account: Account;
  invoiceId: string;
  action: DunningAction | 'apply-credit';
  step: number;
  policy: DunningPolicy;
  now: string;
}): { account: Account; effects: Effect[]; outcome: ActOutcome } {
  const { account, invoiceId, action, step, policy, now } = input;
  const inv = account.invoices[invoiceId];
  if (!inv) throw new DunningStateError(invoiceId, `not in the account of ${account.customerId}`);
  if (action === 'apply-credit') {
    const credited = applyCredit(account, invoiceId, `dunning:${invoiceId}:${step}`, now);
    if (new Decimal(credited.creditUsed).isZero()) return { account, effects: [], outcome: 'skipped' };
    const lifted = liftSuspensionIfSettled(credited.account, `credit:${invoiceId}`, now);
    return { account: lifted.account, effects: lifted.effects, outcome: 'performed' };
  }
  const done = inv.dunning.history.find((h) => h.step === step);
  if (done) return { account, effects: done.effects as unknown as Effect[], outcome: 'replayed' };
  if (inv.status !== 'open') return { account, effects: [], outcome: 'skipped' };
  if (step !== inv.dunning.stepsDone) {
    throw new DunningStateError(invoiceId, `step ${step} asked but ${inv.dunning.stepsDone} steps are done`);
  }
  const policyStep = policy.steps[step];
  if (policyStep?.action !== action) {
    throw new DunningStateError(
      invoiceId,
      `step ${step} of policy "${policy.segment}" is ${policyStep?.action ?? 'missing'}, not ${action}`,
    );
  }
  const customerId = account.customerId;
  const balance = invoiceBalance(inv);
  const localDate = (iso: string) => DateTime.fromISO(iso, { zone: inv.timeZone }).toISODate() as string;
  const asOf = localDate(now);
  let next: Account = account;
  let updated: LedgerInvoice = inv;
  const effects: Effect[] = [];
  switch (policyStep.action) {
    case 'remind': {
      const n = policy.steps.slice(0, step + 1).filter((s) => s.action === 'remind').length;
      effects.push({
        type: 'mail',
        kind: 'reminder',
        invoiceId,
        requestId: `${invoiceId}:reminder:${n}`,
        customerId,
        reminder: n,
        balance: formatMinor(balance, inv.currency),
        currency: inv.currency,
        asOf,
      });
      break;
    }
    case 'late-fee': {
      const fee =
        policyStep.fee.type === 'fixed'
          ? roundToMinor(policyStep.fee.amount, inv.currency)
          : roundToMinor(balance.times(policyStep.fee.percent).div(100), inv.currency);
      updated = { ...inv, fees: formatMinor(new Decimal(inv.fees).plus(fee), inv.currency) };
      break;
    }
    case 'suspend': {
      if (account.suspended) {
        const ids = account.suspended.invoiceIds.includes(invoiceId)
          ? account.suspended.invoiceIds
          : [...account.suspended.invoiceIds, invoiceId];
        next = { ...account, suspended: { ...account.suspended, invoiceIds: ids } };
      } else {
        next = { ...account, suspended: { since: now, invoiceIds: [invoiceId] } };
        effects.push(
          {
            type: 'event',
            detailType: 'tally.account.suspended',
            eventId: `${customerId}:suspended:${invoiceId}`,
            customerId,
            invoiceIds: [invoiceId],
            at: now,
          },
          {
            type: 'mail',
            kind: 'suspended',
            invoiceId,
            requestId: `${invoiceId}:suspended`,
            customerId,
            effectiveAt: now,
          },
        );
      }
      break;
    }
    case 'final-notice': {
      // Service is (or will be) suspended: since when, or on the policy's suspend step; else from today.
      const suspendStep = policy.steps.find((s) => s.action === 'suspend');
      const suspendOn = account.suspended
        ? localDate(account.suspended.since)
        : suspendStep
          ? localDate(stepDueAt(inv, suspendStep, policy))
          : asOf;
      effects.push({
        type: 'mail',
        kind: 'final-notice',
        invoiceId,
        requestId: `${invoiceId}:final-notice`,
        customerId,
        balance: formatMinor(balance, inv.currency),
        currency: inv.currency,
        asOf,
        suspendOn,
      });
      break;
    }
    case 'collections':
      effects.push({
        type: 'event',
        detailType: 'tally.invoice.collections',
        eventId: `${invoiceId}:collections`,
        customerId,
        invoiceIds: [invoiceId],
        at: now,
      });
      break;
  }
  const record: DunningRecord = {
    step,
    action,
    at: now,
    effects: effects as unknown as DunningRecord['effects'],
  };
  updated = {
    ...updated,
    dunning: { stepsDone: step + 1, history: [...updated.dunning.history, record] },
  };
  return {
    account: { ...next, invoices: { ...next.invoices, [invoiceId]: updated } },
    effects,
    outcome: 'performed',
  };
}
