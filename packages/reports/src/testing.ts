import type { Invoice, InvoiceLine } from '@tally/billing';
import { formatMinor, sum } from '@tally/money';
import type { ReportCreditNote, ReportData, ReportInvoice, ReportPayment, UsagePoint } from './inputs.js';

/**
 * Fixtures for the report tests: complete billing `Invoice`s (so the tests exercise the real type) with only the
 * fields a test cares about given. Not exported from the package.
 */

export interface InvoiceFixture {
  readonly id: string;
  readonly currency?: string;
  readonly amountDue?: string;
  readonly status?: Invoice['status'];
  readonly kind?: Invoice['kind'];
  readonly customerId?: string;
  readonly timeZone?: string;
  readonly period?: { start: string; end: string };
  readonly finalizedAt?: string | null;
  readonly dueDate?: string | null;
  readonly paidAt?: string | null;
  readonly voidedAt?: string | null;
  readonly lines?: readonly LineFixture[];
}

export interface LineFixture {
  readonly planId: string;
  readonly amount: string;
  readonly kind?: InvoiceLine['kind'];
  readonly meterId?: string;
  readonly adjustsInvoiceId?: string;
}

export function invoice(f: InvoiceFixture): Invoice {
  const currency = f.currency ?? 'EUR';
  const period = f.period ?? { start: '2026-03-01T00:00:00Z', end: '2026-04-01T00:00:00Z' };
  const finalizedAt = f.finalizedAt === undefined ? '2026-04-01T02:00:00Z' : f.finalizedAt;
  const lines = (f.lines ?? []).map((l, i) => line(l, i, currency, period));
  const subtotal = formatMinor(sum(lines.map((l) => l.amount)), currency);
  const amountDue = f.amountDue ?? subtotal;
  return {
    id: f.id,
    kind: f.kind ?? 'period',
    status: f.status ?? (finalizedAt === null ? 'draft' : 'finalized'),
    number: finalizedAt === null ? null : `N-${f.id}`,
    subscriptionId: `sub-${f.customerId ?? 'c1'}`,
    issuer: {
      id: 'iss-1',
      legalName: 'Tally Test GmbH',
      numberPrefix: 'TT',
      timeZone: 'UTC',
      address: { lines: ['Street 1'], city: 'Berlin', country: 'DE' },
    },
    customer: {
      id: f.customerId ?? 'c1',
      legalName: `Customer ${f.customerId ?? 'c1'}`,
      billingEmails: ['billing@example.com'],
      locale: 'en',
      timeZone: f.timeZone ?? 'UTC',
    },
    currency,
    period,
    periodIndex: 0,
    createdAt: period.end,
    finalizedAt,
    issueDate: finalizedAt === null ? null : finalizedAt.slice(0, 10),
    dueDate: f.dueDate === undefined ? (finalizedAt === null ? null : '2026-04-15') : f.dueDate,
    paymentTermsDays: 14,
    lines,
    tax: { mode: 'exclusive', rounding: 'per-invoice', lines: [] },
    creditsApplied: [],
    totals: {
      charges: subtotal,
      discounts: '0.00',
      subtotal,
      tax: '0.00',
      credits: '0.00',
      total: amountDue,
      amountDue,
      creditBalanceCreated: '0.00',
    },
    roundingRule: { lines: 'half-up', tax: 'per-invoice', statement: 'Each line is rounded once, half-up.' },
    paidAt: f.paidAt ?? null,
    paymentReference: null,
    voidedAt: f.voidedAt ?? null,
    voidReason: f.voidedAt ? 'test' : null,
  };
}

function line(
  l: LineFixture,
  i: number,
  currency: string,
  period: { start: string; end: string },
): InvoiceLine {
  const kind = l.kind ?? (l.meterId ? 'usage' : 'fixed');
  return {
    key: `line-${i}`,
    chargeId: l.meterId ?? kind,
    kind,
    description: `${kind} ${l.meterId ?? ''}`.trim(),
    ...(l.meterId ? { meterId: l.meterId } : {}),
    planId: l.planId,
    planVersion: 1,
    period,
    quantity: '1',
    currency,
    precise: l.amount,
    amount: l.amount,
    rounding: 'half-up',
    ...(l.adjustsInvoiceId
      ? {
          adjusts: {
            invoiceId: l.adjustsInvoiceId,
            invoiceNumber: null,
            period,
            reason: 'late-usage' as const,
            originalKind: 'usage' as const,
          },
        }
      : {}),
  };
}

let paymentSeq = 0;

export function payment(
  p: Omit<ReportPayment, 'id' | 'customerId' | 'currency' | 'kind'> &
    Partial<Pick<ReportPayment, 'id' | 'customerId' | 'currency' | 'kind'>>,
): ReportPayment {
  paymentSeq += 1;
  return { id: `pay-${paymentSeq}`, customerId: 'c1', currency: 'EUR', kind: 'payment', ...p };
}

export function data(over: {
  invoices?: readonly ReportInvoice[];
  payments?: readonly ReportPayment[];
  creditNotes?: readonly ReportCreditNote[];
  usage?: readonly UsagePoint[];
}): ReportData {
  return { invoices: [], payments: [], creditNotes: [], usage: [], ...over };
}
