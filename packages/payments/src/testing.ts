import type { PayableInvoice } from './account.js';
import { type Payment, type PaymentInput, PaymentSchema } from './payment.js';

/** A finalized invoice of customer `c1` in EUR (test helper). */
export function payableInvoice(
  over: Partial<PayableInvoice> & { id: string; amountDue?: string },
): PayableInvoice {
  const { amountDue, ...rest } = over;
  return {
    number: `ACME-2026-${over.id}`,
    status: 'finalized',
    customer: { id: 'c1', timeZone: 'Europe/Berlin' },
    currency: 'EUR',
    dueDate: '2026-02-01',
    totals: { amountDue: amountDue ?? '100.00' },
    ...rest,
  };
}

/** A payment of customer `c1` in EUR (test helper). */
export function payment(over: Partial<PaymentInput> & { id: string; amount: string }): Payment {
  return PaymentSchema.parse({
    currency: 'EUR',
    receivedAt: '2026-02-05T10:00:00Z',
    customerId: 'c1',
    source: 'manual',
    ...over,
  });
}
