import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Account, invoiceBalance, registerInvoice } from './account.js';
import { applyPayment } from './apply.js';
import { refundPayment } from './refund.js';
import { payableInvoice, payment } from './testing.js';

const NOW = '2026-02-05T10:00:00Z';

/** An account of c1 with invoices registered in the given order. */
function accountWith(...invoices: { id: string; amountDue: string; dueDate?: string }[]): Account {
  let acc: Account | undefined;
  for (const i of invoices) acc = registerInvoice(acc, payableInvoice(i), NOW).account;
  return acc!;
}

describe('applyPayment', () => {
  it('settles a named invoice paid in full and asks for a receipt', () => {
    const acc = accountWith({ id: 'i1', amountDue: '100.00' });
    const { account, outcome } = applyPayment(
      acc,
      payment({ id: 'p1', amount: '100.00', invoiceId: 'i1' }),
      NOW,
    );
    expect(outcome).toMatchObject({
      status: 'applied',
      allocations: [{ invoiceId: 'i1', amount: '100.00' }],
      credit: '0.00',
      settled: ['i1'],
    });
    expect(account.invoices.i1).toMatchObject({
      status: 'paid',
      paid: '100.00',
      paidAt: '2026-02-05T10:00:00.000Z',
    });
    expect(outcome.status === 'applied' && outcome.effects).toEqual([
      {
        type: 'mail',
        kind: 'receipt',
        invoiceId: 'i1',
        requestId: 'i1:receipt:p1',
        customerId: 'c1',
        payment: { amount: '100.00', paidAt: '2026-02-05T10:00:00.000Z', reference: 'p1' },
      },
    ]);
  });

  it('leaves the rest open after a partial payment', () => {
    const acc = accountWith({ id: 'i1', amountDue: '100.00' });
    const { account } = applyPayment(acc, payment({ id: 'p1', amount: '30.25', invoiceId: 'i1' }), NOW);
    // 100.00 − 30.25 = 69.75
    expect(account.invoices.i1!.status).toBe('open');
    expect(invoiceBalance(account.invoices.i1!).toFixed(2)).toBe('69.75');
  });

  it('turns an overpayment into credit balance that the next invoice uses', () => {
    const acc = accountWith({ id: 'i1', amountDue: '100.00' });
    const paid = applyPayment(acc, payment({ id: 'p1', amount: '130.00', invoiceId: 'i1' }), NOW);
    // 130.00 − 100.00 = 30.00 credit
    expect(paid.outcome).toMatchObject({ status: 'applied', credit: '30.00' });
    expect(paid.account.creditBalance).toBe('30.00');
    const next = registerInvoice(paid.account, payableInvoice({ id: 'i2', amountDue: '50.00' }), NOW);
    // 50.00 − 30.00 = 20.00 still due, credit used up
    expect(next.creditUsed).toBe('30.00');
    expect(next.account.creditBalance).toBe('0.00');
    expect(invoiceBalance(next.account.invoices.i2!).toFixed(2)).toBe('20.00');
  });

  it('pays the oldest open invoices first when the payment names no invoice', () => {
    const acc = accountWith(
      { id: 'i-new', amountDue: '40.00', dueDate: '2026-03-01' },
      { id: 'i-old', amountDue: '25.00', dueDate: '2026-02-01' },
    );
    const { outcome, account } = applyPayment(acc, payment({ id: 'p1', amount: '50.00' }), NOW);
    // 25.00 settles i-old, the other 25.00 goes to i-new (40.00 − 25.00 = 15.00 left)
    expect(outcome).toMatchObject({
      allocations: [
        { invoiceId: 'i-old', amount: '25.00' },
        { invoiceId: 'i-new', amount: '25.00' },
      ],
      credit: '0.00',
    });
    expect(invoiceBalance(account.invoices['i-new']!).toFixed(2)).toBe('15.00');
  });

  it('counts a payment recorded twice once', () => {
    const acc = accountWith({ id: 'i1', amountDue: '100.00' });
    const p = payment({ id: 'p1', amount: '40.00', invoiceId: 'i1' });
    const once = applyPayment(acc, p, NOW);
    const twice = applyPayment(once.account, p, NOW);
    expect(twice.outcome.status).toBe('duplicate');
    expect(twice.account).toBe(once.account);
    expect(twice.account.invoices.i1!.paid).toBe('40.00');
  });

  it.each([
    ['an unknown invoice', { invoiceId: 'nope' }, 'unknown-invoice'],
    ['another currency', { invoiceId: 'i1', currency: 'USD' }, 'currency-mismatch'],
  ] as const)('keeps a payment for %s unapplied and the account unchanged', (_t, over, reason) => {
    const acc = accountWith({ id: 'i1', amountDue: '100.00' });
    const { account, outcome } = applyPayment(acc, payment({ id: 'p1', amount: '10.00', ...over }), NOW);
    expect(outcome).toEqual({ status: 'unapplied', reason });
    expect(account).toBe(acc);
  });

  it('puts all of a payment for an invoice already paid into credit', () => {
    const acc = accountWith({ id: 'i1', amountDue: '10.00' });
    const first = applyPayment(acc, payment({ id: 'p1', amount: '10.00', invoiceId: 'i1' }), NOW).account;
    const { outcome } = applyPayment(first, payment({ id: 'p2', amount: '10.00', invoiceId: 'i1' }), NOW);
    expect(outcome).toMatchObject({ status: 'applied', allocations: [], credit: '10.00' });
  });

  it('restores a suspended account once the invoices it was suspended for are paid', () => {
    const acc: Account = {
      ...accountWith({ id: 'i1', amountDue: '100.00' }),
      suspended: { since: NOW, invoiceIds: ['i1'] },
    };
    const partial = applyPayment(acc, payment({ id: 'p1', amount: '60.00', invoiceId: 'i1' }), NOW);
    expect(partial.account.suspended).not.toBeNull();
    const full = applyPayment(partial.account, payment({ id: 'p2', amount: '40.00', invoiceId: 'i1' }), NOW);
    expect(full.account.suspended).toBeNull();
    expect(
      full.outcome.status === 'applied' &&
        full.outcome.effects.map((e) => (e.type === 'event' ? e.detailType : e.kind)),
    ).toEqual(['receipt', 'tally.account.restored', 'restored']);
  });

  it('rejects a payment with more decimals than its currency has', () => {
    expect(() => payment({ id: 'p1', amount: '10.001' })).toThrow(/more decimals than EUR allows/);
    expect(() => payment({ id: 'p1', amount: '0' })).toThrow(/greater than zero/);
  });
});

describe('money is conserved (property)', () => {
  // Any sequence of payments (named or not, partial or over) and refunds keeps
  // Σ received − Σ refunded = Σ paid on invoices + credit balance, and no invoice is paid above its amount.
  const cents = fc.integer({ min: 1, max: 50_000 }).map((c) => (c / 100).toFixed(2));
  const op = fc.oneof(
    fc.record({
      t: fc.constant('pay' as const),
      amount: cents,
      target: fc.option(fc.integer({ min: 0, max: 3 })),
    }),
    fc.record({ t: fc.constant('invoice' as const), amount: cents }),
    fc.record({ t: fc.constant('refund' as const), of: fc.nat(), part: fc.integer({ min: 1, max: 100 }) }),
  );
  it('holds for any sequence of invoices, payments and refunds', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 25 }), (ops) => {
        let acc = accountWith({ id: 'i0', amountDue: '100.00' });
        let n = 0;
        for (const o of ops) {
          n += 1;
          if (o.t === 'invoice') {
            acc = registerInvoice(
              acc,
              payableInvoice({
                id: `i${n}`,
                amountDue: o.amount,
                dueDate: `2026-03-${String((n % 28) + 1).padStart(2, '0')}`,
              }),
              NOW,
            ).account;
          } else if (o.t === 'pay') {
            const ids = Object.keys(acc.invoices);
            const invoiceId = o.target === null ? undefined : ids[o.target % ids.length];
            acc = applyPayment(
              acc,
              payment({ id: `p${n}`, amount: o.amount, ...(invoiceId ? { invoiceId } : {}) }),
              NOW,
            ).account;
          } else {
            const pays = Object.entries(acc.payments).filter(([, e]) => e.kind === 'payment');
            const picked = pays[o.of % Math.max(pays.length, 1)];
            if (!picked) continue;
            const left = (Number(picked[1].amount) * 100 - Number(picked[1].refunded) * 100) | 0;
            const amount = Math.max(1, Math.floor((left * o.part) / 100));
            if (left <= 0) continue;
            acc = refundPayment(
              acc,
              payment({
                id: `r${n}`,
                kind: 'refund',
                refundOf: picked[0],
                amount: (amount / 100).toFixed(2),
              }),
            ).account;
          }
        }
        const received = Object.values(acc.payments).reduce(
          (s, p) => s + Math.round(Number(p.amount) * 100) * (p.kind === 'payment' ? 1 : -1),
          0,
        );
        const onInvoices = Object.values(acc.invoices).reduce(
          (s, i) => s + Math.round(Number(i.paid) * 100),
          0,
        );
        expect(received).toBe(onInvoices + Math.round(Number(acc.creditBalance) * 100));
        for (const i of Object.values(acc.invoices)) {
          expect(invoiceBalance(i).gte(0)).toBe(true);
          expect(i.status === 'paid').toBe(invoiceBalance(i).lte(0));
        }
        expect(Number(acc.creditBalance)).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });
});
