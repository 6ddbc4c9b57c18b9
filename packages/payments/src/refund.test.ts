import { describe, expect, it } from 'vitest';
import { type Account, invoiceBalance, registerInvoice } from './account.js';
import { applyPayment } from './apply.js';
import { RefundError } from './errors.js';
import { refundPayment } from './refund.js';
import { payableInvoice, payment } from './testing.js';

const NOW = '2026-02-05T10:00:00Z';

function paidAccount(amount: string): Account {
  const acc = registerInvoice(undefined, payableInvoice({ id: 'i1', amountDue: '100.00' }), NOW).account;
  return applyPayment(acc, payment({ id: 'p1', amount, invoiceId: 'i1' }), NOW).account;
}

const refund = (id: string, amount: string, refundOf = 'p1') =>
  payment({ id, kind: 'refund', refundOf, amount });

describe('refundPayment', () => {
  it('reopens the invoice a refunded payment had settled', () => {
    const { account, outcome } = refundPayment(paidAccount('100.00'), refund('r1', '100.00'));
    expect(outcome).toEqual({
      status: 'applied',
      fromCredit: '0.00',
      reversed: [{ invoiceId: 'i1', amount: '-100.00' }],
      reopened: ['i1'],
    });
    expect(account.invoices.i1).toMatchObject({ status: 'open', paid: '0.00', paidAt: null });
  });

  it('takes a refund of an overpayment from the credit balance first', () => {
    // paid 130.00: 100.00 on i1, 30.00 credit; refund 40.00 = 30.00 from credit + 10.00 from i1
    const { account, outcome } = refundPayment(paidAccount('130.00'), refund('r1', '40.00'));
    expect(outcome).toMatchObject({ fromCredit: '30.00', reversed: [{ invoiceId: 'i1', amount: '-10.00' }] });
    expect(account.creditBalance).toBe('0.00');
    expect(invoiceBalance(account.invoices.i1!).toFixed(2)).toBe('10.00');
  });

  it('counts a refund recorded twice once and never refunds more than was paid', () => {
    const once = refundPayment(paidAccount('100.00'), refund('r1', '60.00')).account;
    expect(refundPayment(once, refund('r1', '60.00')).outcome.status).toBe('duplicate');
    // 100.00 − 60.00 = 40.00 refundable; 40.01 is too much
    expect(() => refundPayment(once, refund('r2', '40.01'))).toThrow(RefundError);
    expect(() => refundPayment(once, refund('r2', '40.01'))).toThrow(/only 40.00 is refundable/);
    expect(refundPayment(once, refund('r2', '40.00')).account.invoices.i1!.paid).toBe('0.00');
  });

  it('reopens the later invoice that used the refunded payment as credit', () => {
    // p1 130.00: i1 100.00 + 30.00 credit; i2 (50.00) uses the 30.00; refunding all of p1 reopens both
    const withI2 = registerInvoice(
      paidAccount('130.00'),
      payableInvoice({ id: 'i2', amountDue: '50.00' }),
      NOW,
    ).account;
    const { account, outcome } = refundPayment(withI2, refund('r1', '130.00'));
    expect(outcome).toMatchObject({ fromCredit: '0.00', reopened: ['i1'] });
    expect(account.invoices.i1!.paid).toBe('0.00');
    expect(account.invoices.i2!.paid).toBe('0.00');
    expect(invoiceBalance(account.invoices.i2!).toFixed(2)).toBe('50.00');
  });

  it('fails for a payment that was never applied', () => {
    expect(() => refundPayment(paidAccount('1.00'), refund('r1', '1.00', 'ghost'))).toThrow(
      /no applied payment ghost/,
    );
  });
});
