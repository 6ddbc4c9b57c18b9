import type { Invoice, InvoiceLine } from '@tally/billing';

/**
 * A finalized invoice for tests of documents and delivery (not exported from the package). Its arithmetic,
 * by hand:
 *   fee 49.00 + API calls tier 1 (1,000 free) 0.00 + tier 2 2,500 × 0.0025 = 6.25 + late usage 100 × 0.0025
 *   = 0.25 → charges 55.50; coupon 10 % of 55.50 = −5.55 → subtotal 49.95; VAT 19 % of 49.95 = 9.4905 → 9.49;
 *   total 59.44 = amount due.
 * Period: March 2026 in Europe/Berlin (CET → CEST on 29 March), issued 1 April, due 15 April (14 days).
 */
export function sampleInvoice(over: Partial<Invoice> = {}): Invoice {
  const period = { start: '2026-02-28T23:00:00Z', end: '2026-03-31T22:00:00Z' };
  const base = { planId: 'business', planVersion: 2, period, currency: 'EUR', rounding: 'half-up' as const };
  const lines: InvoiceLine[] = [
    {
      ...base,
      key: 'base:fee',
      chargeId: 'base',
      kind: 'fixed',
      description: 'Business plan monthly fee',
      quantity: '1',
      unitPrice: '49.00',
      precise: '49',
      amount: '49.00',
      timing: 'arrears',
    },
    {
      ...base,
      key: 'api:usage:t0',
      chargeId: 'api',
      kind: 'usage',
      meterId: 'api-calls',
      description: 'API calls',
      quantity: '1000',
      unit: 'calls',
      unitPrice: '0',
      tier: { index: 0, from: '0', upTo: '1000' },
      precise: '0',
      amount: '0.00',
    },
    {
      ...base,
      key: 'api:usage:t1',
      chargeId: 'api',
      kind: 'usage',
      meterId: 'api-calls',
      description: 'API calls',
      quantity: '2500',
      unit: 'calls',
      unitPrice: '0.0025',
      tier: { index: 1, from: '1000', upTo: null },
      precise: '6.25',
      amount: '6.25',
    },
    {
      ...base,
      key: 'adj:api:2026-02',
      chargeId: 'api',
      kind: 'adjustment',
      meterId: 'api-calls',
      description: 'API calls',
      quantity: '100',
      unit: 'calls',
      unitPrice: '0.0025',
      period: { start: '2026-01-31T23:00:00Z', end: '2026-02-28T23:00:00Z' },
      precise: '0.25',
      amount: '0.25',
      adjusts: {
        invoiceId: 'inv_sub-42_20260131T230000Z',
        invoiceNumber: 'ACME-2026-000077',
        period: { start: '2026-01-31T23:00:00Z', end: '2026-02-28T23:00:00Z' },
        reason: 'late-usage',
        originalKind: 'usage',
      },
    },
    {
      ...base,
      key: 'discount:welcome',
      chargeId: 'welcome',
      kind: 'discount',
      description: 'Welcome discount',
      quantity: '1',
      precise: '-5.55',
      amount: '-5.55',
      discount: { couponId: 'welcome', code: 'WELCOME10', type: 'percent', value: '10', base: '55.50' },
    },
  ];
  return {
    id: 'inv_sub-42_20260228T230000Z',
    kind: 'period',
    status: 'finalized',
    number: 'ACME-2026-000123',
    subscriptionId: 'sub-42',
    issuer: {
      id: 'acme',
      legalName: 'ACME Billing Ltd',
      numberPrefix: 'ACME',
      taxId: 'GB123456789',
      address: { lines: ['1 Main Street'], city: 'London', postalCode: 'EC1A 1AA', country: 'GB' },
      timeZone: 'Europe/London',
    },
    customer: {
      id: 'cus-7',
      legalName: 'Example GmbH',
      billingEmails: ['billing@example.com'],
      locale: 'de-DE',
      timeZone: 'Europe/Berlin',
      address: { lines: ['Hauptstraße 5'], city: 'Berlin', postalCode: '10115', country: 'DE' },
      taxId: 'DE999999999',
    },
    currency: 'EUR',
    period,
    periodIndex: 2,
    createdAt: '2026-03-31T22:00:00Z',
    finalizedAt: '2026-04-01T04:00:00Z',
    issueDate: '2026-04-01',
    dueDate: '2026-04-15',
    paymentTermsDays: 14,
    lines,
    tax: {
      mode: 'exclusive',
      rounding: 'per-invoice',
      lines: [
        {
          rateId: 'de-vat',
          name: 'VAT 19 %',
          rate: '0.19',
          base: '49.95',
          amount: '9.49',
          rounding: 'per-invoice',
        },
      ],
    },
    creditsApplied: [],
    totals: {
      charges: '55.50',
      discounts: '-5.55',
      subtotal: '49.95',
      tax: '9.49',
      credits: '0.00',
      total: '59.44',
      amountDue: '59.44',
      creditBalanceCreated: '0.00',
    },
    roundingRule: {
      lines: 'half-up',
      tax: 'per-invoice',
      statement: 'Each line is rounded once to 0.01 EUR, half-up',
    },
    paidAt: null,
    paymentReference: null,
    voidedAt: null,
    voidReason: null,
    ...over,
  };
}

/** The sample invoice for another customer locale, zone or currency (amounts unchanged). */
export function sampleInvoiceFor(opts: {
  locale: string;
  timeZone?: string;
  currency?: string;
  legalName?: string;
}): Invoice {
  const inv = sampleInvoice();
  const currency = opts.currency ?? inv.currency;
  return {
    ...inv,
    currency,
    customer: {
      ...inv.customer,
      locale: opts.locale,
      timeZone: opts.timeZone ?? inv.customer.timeZone,
      legalName: opts.legalName ?? inv.customer.legalName,
    },
    lines: inv.lines.map((l) => ({ ...l, currency })),
  };
}

/** Strings a hostile customer or producer might put in names and descriptions. */
export const HOSTILE = {
  name: 'Evil <script>alert(1)</script> & "Co" \r\nBcc: victim@example.org',
  description: '=HYPERLINK("http://evil.example","click") <img src=x onerror=alert(1)> \u202Egnp.exe\u202C',
  address: "') ) >> /JS (app.alert(1)) << \\",
} as const;
