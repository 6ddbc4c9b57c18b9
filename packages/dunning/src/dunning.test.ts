import { type Account, applyPayment, type Effect, registerInvoice } from '@tally/payments';
import { describe, expect, it } from 'vitest';
import { performStep } from './act.js';
import { decide, stepDueAt } from './decide.js';
import { DunningStateError } from './errors.js';
import { DEFAULT_POLICIES, DunningPolicySchema, policyFor } from './policy.js';

const policy = DunningPolicySchema.parse({
  segment: 'test',
  steps: [
    { action: 'remind', afterDays: 3 },
    { action: 'remind', afterDays: 10 },
    { action: 'late-fee', afterDays: 10, fee: { type: 'fixed', amount: '5' } },
    { action: 'remind', afterDays: 20 },
    { action: 'suspend', afterDays: 30 },
    { action: 'final-notice', afterDays: 30 },
    { action: 'collections', afterDays: 45 },
  ],
});

const invoice = {
  id: 'inv1',
  number: 'ACME-2026-000001',
  status: 'finalized' as const,
  // Berlin is UTC+1 in February: 09:00 local = 08:00Z
  customer: { id: 'c1', timeZone: 'Europe/Berlin' },
  currency: 'EUR',
  dueDate: '2026-02-01',
  totals: { amountDue: '100.00' },
};

function opened(): Account {
  return registerInvoice(undefined, invoice, '2026-01-02T00:00:00Z').account;
}

/** Runs decide → act at `now` until the decision is `wait` or `done`; returns what was sent, in order. */
function runUntilIdle(acc: Account, now: string): { account: Account; sent: string[]; last: string } {
  const sent: string[] = [];
  let account = acc;
  for (let i = 0; i < 50; i++) {
    const d = decide({ account, invoiceId: 'inv1', policy, now });
    if (d.action === 'wait' || d.action === 'done') return { account, sent, last: d.action };
    if (d.action === 'open') throw new Error('not opened');
    const r = performStep({ account, invoiceId: 'inv1', action: d.action, step: d.step, policy, now });
    account = r.account;
    sent.push(...r.effects.map(label));
  }
  throw new Error('no progress');
}

const label = (e: Effect) => (e.type === 'mail' ? `mail:${e.requestId}` : `event:${e.detailType}`);

describe('decide', () => {
  it('opens an invoice the ledger does not know yet', () => {
    expect(
      decide({ account: undefined, invoiceId: 'inv1', policy, now: '2026-01-02T00:00:00Z' }).action,
    ).toBe('open');
  });

  it('waits until the first step: due date + 3 days at 09:00 in the customer zone', () => {
    // 2026-02-01 + 3 d = 2026-02-04, 09:00 Europe/Berlin (UTC+1) = 08:00Z
    expect(decide({ account: opened(), invoiceId: 'inv1', policy, now: '2026-01-02T00:00:00Z' })).toEqual({
      action: 'wait',
      step: 0,
      until: '2026-02-04T08:00:00.000Z',
    });
  });

  it('uses the summer offset for a step after the DST change', () => {
    // 2026-03-20 + 10 d = 2026-03-30, 09:00 CEST (UTC+2) = 07:00Z
    const d = stepDueAt(
      { dueDate: '2026-03-20', timeZone: 'Europe/Berlin' },
      { action: 'remind', afterDays: 10 },
      policy,
    );
    expect(d).toBe('2026-03-30T07:00:00.000Z');
  });

  it('is done once the invoice is paid', () => {
    const paid = applyPayment(opened(), pay('p1', '100.00'), '2026-01-20T00:00:00Z').account;
    expect(decide({ account: paid, invoiceId: 'inv1', policy, now: '2026-03-01T00:00:00Z' })).toMatchObject({
      action: 'done',
      reason: 'paid',
    });
  });
});

function pay(id: string, amount: string, receivedAt = '2026-01-20T00:00:00Z') {
  return {
    id,
    kind: 'payment' as const,
    amount,
    currency: 'EUR',
    receivedAt,
    customerId: 'c1',
    invoiceId: 'inv1',
    source: 'manual' as const,
  };
}

describe('a dunning cycle, step by step', () => {
  it('sends no reminder when paid before the due date', () => {
    const paid = applyPayment(opened(), pay('p1', '100.00'), '2026-01-20T00:00:00Z').account;
    expect(runUntilIdle(paid, '2026-04-01T00:00:00Z')).toMatchObject({ sent: [], last: 'done' });
  });

  it('escalates fully and in order when the customer never pays', () => {
    let acc = opened();
    const sent: string[] = [];
    // Visit each day from the due date to +50 d; steps happen on their day, never twice.
    for (let day = 0; day <= 50; day++) {
      const now = new Date(Date.parse('2026-02-01T12:00:00Z') + day * 86_400_000).toISOString();
      const r = runUntilIdle(acc, now);
      acc = r.account;
      sent.push(...r.sent);
    }
    expect(sent).toEqual([
      'mail:inv1:reminder:1',
      'mail:inv1:reminder:2',
      'mail:inv1:reminder:3',
      'event:tally.account.suspended',
      'mail:inv1:suspended',
      'mail:inv1:final-notice',
      'event:tally.invoice.collections',
    ]);
    // late fee: fixed 5.00 on top of 100.00
    expect(acc.invoices.inv1!.fees).toBe('5.00');
    expect(acc.suspended?.invoiceIds).toEqual(['inv1']);
  });

  it('stops after the second reminder when the customer then pays, and restores a suspended account', () => {
    let acc = runUntilIdle(opened(), '2026-02-11T09:00:00Z').account; // +10 d: reminders 1 and 2, late fee
    expect(acc.invoices.inv1!.dunning.stepsDone).toBe(3);
    acc = { ...acc, suspended: { since: '2026-02-11T09:00:00Z', invoiceIds: ['inv1'] } };
    // 100.00 + 5.00 late fee = 105.00 settles it
    const paid = applyPayment(acc, pay('p1', '105.00', '2026-02-12T00:00:00Z'), '2026-02-12T00:00:00Z');
    expect(paid.outcome.status === 'applied' && paid.outcome.effects.map(label)).toEqual([
      'mail:inv1:receipt:p1',
      'event:tally.account.restored',
      'mail:inv1:restored:p1',
    ]);
    expect(runUntilIdle(paid.account, '2026-04-01T00:00:00Z')).toMatchObject({ sent: [], last: 'done' });
  });
});

describe('performStep (the check-then-record rule)', () => {
  it('skips a reminder when a payment landed between Decide and Act', () => {
    const acc = opened();
    const d = decide({ account: acc, invoiceId: 'inv1', policy, now: '2026-02-05T00:00:00Z' });
    expect(d).toMatchObject({ action: 'remind', step: 0 });
    const paid = applyPayment(acc, pay('p1', '100.00'), '2026-02-05T00:00:01Z').account;
    const r = performStep({
      account: paid,
      invoiceId: 'inv1',
      action: 'remind',
      step: 0,
      policy,
      now: '2026-02-05T00:00:02Z',
    });
    expect(r).toMatchObject({ outcome: 'skipped', effects: [] });
    expect(r.account).toBe(paid);
  });

  it('replays the recorded effects when a step is retried after it was recorded', () => {
    const first = performStep({
      account: opened(),
      invoiceId: 'inv1',
      action: 'remind',
      step: 0,
      policy,
      now: '2026-02-05T00:00:00Z',
    });
    const again = performStep({
      account: first.account,
      invoiceId: 'inv1',
      action: 'remind',
      step: 0,
      policy,
      now: '2026-02-05T00:01:00Z',
    });
    expect(again.outcome).toBe('replayed');
    expect(again.effects).toEqual(first.effects);
    expect(again.account).toBe(first.account);
  });

  it('refuses a step out of order', () => {
    expect(() =>
      performStep({
        account: opened(),
        invoiceId: 'inv1',
        action: 'remind',
        step: 1,
        policy,
        now: '2026-02-05T00:00:00Z',
      }),
    ).toThrow(DunningStateError);
  });

  it('charges a percentage late fee on the open balance, rounded to the currency', () => {
    const pct = DunningPolicySchema.parse({
      segment: 'p',
      steps: [{ action: 'late-fee', afterDays: 1, fee: { type: 'percent', percent: '2.5' } }],
    });
    const partial = applyPayment(opened(), pay('p1', '33.33'), '2026-01-20T00:00:00Z').account;
    // open 100.00 − 33.33 = 66.67; 2.5 % = 1.66675 → 1.67
    const r = performStep({
      account: partial,
      invoiceId: 'inv1',
      action: 'late-fee',
      step: 0,
      policy: pct,
      now: '2026-02-03T00:00:00Z',
    });
    expect(r.account.invoices.inv1!.fees).toBe('1.67');
  });
});

describe('policies', () => {
  it('falls back to the default policy for an unknown segment', () => {
    expect(policyFor(DEFAULT_POLICIES, 'telecom').segment).toBe('telecom');
    expect(policyFor(DEFAULT_POLICIES, 'retail').segment).toBe('default');
  });

  it.each([
    [
      [
        { action: 'remind', afterDays: 10 },
        { action: 'remind', afterDays: 3 },
      ],
      /comes before step 0/,
    ],
    [
      [
        { action: 'collections', afterDays: 10 },
        { action: 'remind', afterDays: 20 },
      ],
      /collections must be the last/,
    ],
  ])('rejects a policy whose steps are out of order', (steps, message) => {
    expect(() => DunningPolicySchema.parse({ segment: 'x', steps })).toThrow(message);
  });
});
