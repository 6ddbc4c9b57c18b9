import { describe, expect, it } from 'vitest';
import { registerInvoice } from './account.js';
import { applyPayment } from './apply.js';
import { reconciliationReport, UNMATCHED } from './reconcile.js';
import { payableInvoice, payment } from './testing.js';

const NOW = '2026-02-05T10:00:00Z';

describe('reconciliationReport', () => {
  it('shows invoices against payments per customer and lists unapplied money', () => {
    let acc = registerInvoice(undefined, payableInvoice({ id: 'i1', amountDue: '100.00' }), NOW).account;
    acc = registerInvoice(acc, payableInvoice({ id: 'i2', amountDue: '50.00' }), NOW).account;
    acc = applyPayment(acc, payment({ id: 'p1', amount: '120.00', invoiceId: 'i1' }), NOW).account;
    const rows = reconciliationReport(
      [acc],
      [
        payment({ id: 'x1', amount: '7.00', customerId: 'c1' }),
        payment({ id: 'x2', amount: '3.50', customerId: undefined }),
      ],
    );
    // invoiced 100 + 50 = 150; received 120 = 100 on i1 + 20 credit; outstanding 50 (i2 registered before the credit)
    expect(rows).toEqual([
      {
        customerId: UNMATCHED,
        currency: 'EUR',
        invoiced: '0.00',
        receivedNet: '0.00',
        applied: '0.00',
        outstanding: '0.00',
        creditBalance: '0.00',
        unapplied: '3.50',
        openInvoices: 0,
        balanced: true,
      },
      {
        customerId: 'c1',
        currency: 'EUR',
        invoiced: '150.00',
        receivedNet: '120.00',
        applied: '100.00',
        outstanding: '50.00',
        creditBalance: '20.00',
        unapplied: '7.00',
        openInvoices: 1,
        balanced: true,
      },
    ]);
  });
});
