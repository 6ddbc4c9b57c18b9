import { type Invoice, InvoiceSchema } from '@tally/billing';

/**
 * A finalized invoice as the billing run stores it (for tests and the demo): customer `c1` in Europe/Berlin,
 * EUR, 100.00 due on 2026-02-01.
 */
export function finalizedInvoice(
  over: {
    id: string;
    customerId?: string;
    amountDue?: string;
    dueDate?: string;
    currency?: string;
  } & Partial<Pick<Invoice, 'number'>>,
): Invoice {
  const amount = over.amountDue ?? '100.00';
  const customerId = over.customerId ?? 'c1';
  return InvoiceSchema.parse({
    id: over.id,
    kind: 'period',
    status: 'finalized',
    number: over.number ?? `ACME-2026-${over.id.slice(-6).padStart(6, '0')}`,
    subscriptionId: `sub-${customerId}`,
    issuer: { id: 'acme', legalName: 'ACME GmbH', numberPrefix: 'ACME', timeZone: 'Europe/Berlin' },
    customer: {
      id: customerId,
      legalName: `Customer ${customerId}`,
      billingEmails: [`billing@${customerId}.example`],
      locale: 'de-DE',
      timeZone: 'Europe/Berlin',
    },
    currency: over.currency ?? 'EUR',
    period: { start: '2025-12-01T00:00:00+01:00', end: '2026-01-01T00:00:00+01:00' },
    periodIndex: 0,
    createdAt: '2026-01-01T06:00:00Z',
    finalizedAt: '2026-01-02T06:00:00Z',
    issueDate: '2026-01-02',
    dueDate: over.dueDate ?? '2026-02-01',
    paymentTermsDays: 30,
    lines: [],
    tax: { mode: 'exclusive', rounding: 'per-invoice', lines: [] },
    creditsApplied: [],
    totals: {
      charges: amount,
      discounts: '0.00',
      subtotal: amount,
      tax: '0.00',
      credits: '0.00',
      total: amount,
      amountDue: amount,
      creditBalanceCreated: '0.00',
    },
    roundingRule: {
      lines: 'half-up',
      tax: 'per-invoice',
      statement: 'Each line is rounded once to 0.01 EUR.',
    },
    paidAt: null,
    paymentReference: null,
    voidedAt: null,
    voidReason: null,
  });
}

/** The same invoice as a draft (what `InvoiceStore.putDraft` takes before `finalize` numbers and dates it). */
export function draftInvoice(over: Parameters<typeof finalizedInvoice>[0]): Invoice {
  return {
    ...finalizedInvoice(over),
    status: 'draft',
    number: null,
    finalizedAt: null,
    issueDate: null,
    dueDate: null,
  };
}
