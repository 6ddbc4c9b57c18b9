import { type Decimal, ZERO } from '@tally/money';
import type { ReportData } from './inputs.js';
import { buildLedger, openAmountBefore, unappliedBefore } from './receivables.js';
import { daysPastDue, ms } from './time.js';

/** Aging buckets by calendar days past due: not yet due, 1–30, 31–60, 61–90, more than 90. */
export const AGING_BUCKETS = ['current', '1-30', '31-60', '61-90', '90+'] as const;
export type AgingBucket = (typeof AGING_BUCKETS)[number];

export type AgingBuckets = Readonly<Record<AgingBucket, Decimal>>;

export interface AgingInvoice {
  readonly invoiceId: string;
  readonly number: string | null;
  readonly customerId: string;
  readonly customerName: string;
  readonly dueDate: string | null;
  readonly daysPastDue: number;
  readonly bucket: AgingBucket;
  readonly open: Decimal;
}

export interface AgingCustomer {
  readonly customerId: string;
  readonly customerName: string;
  readonly buckets: AgingBuckets;
  readonly total: Decimal;
}

/** One currency's aging; amounts of different currencies are never added together. */
export interface AgingCurrency {
  readonly currency: string;
  readonly buckets: AgingBuckets;
  /** Σ of the buckets = Σ of the open amounts. */
  readonly total: Decimal;
  /** Cash received but not applied to any invoice (shown beside the aging, not netted against it). */
  readonly unapplied: Decimal;
  readonly customers: readonly AgingCustomer[];
  readonly invoices: readonly AgingInvoice[];
}

export interface AgingReport {
  readonly asOf: string;
  readonly currencies: readonly AgingCurrency[];
}

/** The bucket of a number of calendar days past due. */
export function agingBucket(days: number): AgingBucket {
  if (days <= 0) return 'current';
  if (days <= 30) return '1-30';
  if (days <= 60) return '31-60';
  if (days <= 90) return '61-90';
  return '90+';
}

function emptyBuckets(): Record<AgingBucket, Decimal> {
  return { current: ZERO, '1-30': ZERO, '31-60': ZERO, '61-90': ZERO, '90+': ZERO };
}

/**
 * Receivables aging as of `asOf`: the open amount of every finalized, unpaid, non-void invoice (amount due minus
 * payments and credit notes applied up to and including `asOf`), bucketed by calendar days past its due date in
 * the customer's time zone. An invoice due on the `asOf` date is current.
 *
 * @example
 * agingReport(data, '2026-05-15T12:00:00Z').currencies[0].buckets['31-60'] // Decimal of what is 31–60 days late
 */
export function agingReport(data: ReportData, asOf: string): AgingReport {
  const ledger = buildLedger(data.invoices, data.payments, data.creditNotes);
  // "As of" includes what happened at the very instant asOf.
  const before = ms(asOf) + 1;
  const perCurrency = new Map<string, { buckets: Record<AgingBucket, Decimal>; invoices: AgingInvoice[] }>();
  for (const invoice of data.invoices) {
    const open = openAmountBefore(ledger, invoice, before);
    if (open === null || open.isZero()) continue;
    const days =
      invoice.dueDate === null ? 0 : daysPastDue(invoice.dueDate, before - 1, invoice.customer.timeZone);
    const bucket = agingBucket(days);
    const entry = perCurrency.get(invoice.currency) ?? { buckets: emptyBuckets(), invoices: [] };
    entry.buckets[bucket] = entry.buckets[bucket].plus(open);
    entry.invoices.push({
      invoiceId: invoice.id,
      number: invoice.number,
      customerId: invoice.customer.id,
      customerName: invoice.customer.legalName,
      dueDate: invoice.dueDate,
      daysPastDue: Math.max(0, days),
      bucket,
      open,
    });
    perCurrency.set(invoice.currency, entry);
  }
  const unapplied = unappliedBefore(ledger, before);
  for (const currency of unapplied.keys()) {
    if (!perCurrency.has(currency)) perCurrency.set(currency, { buckets: emptyBuckets(), invoices: [] });
  }
  const currencies = [...perCurrency.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, { buckets, invoices }]): AgingCurrency => {
      invoices.sort((a, b) => b.daysPastDue - a.daysPastDue || a.invoiceId.localeCompare(b.invoiceId));
      return {
        currency,
        buckets,
        total: sumBuckets(buckets),
        unapplied: unapplied.get(currency) ?? ZERO,
        customers: byCustomer(invoices),
        invoices,
      };
    });
  return { asOf, currencies };
}

export function sumBuckets(buckets: AgingBuckets): Decimal {
  return AGING_BUCKETS.reduce((total, b) => total.plus(buckets[b]), ZERO);
}

function byCustomer(invoices: readonly AgingInvoice[]): AgingCustomer[] {
  const rows = new Map<string, { name: string; buckets: Record<AgingBucket, Decimal> }>();
  for (const i of invoices) {
    const row = rows.get(i.customerId) ?? { name: i.customerName, buckets: emptyBuckets() };
    row.buckets[i.bucket] = row.buckets[i.bucket].plus(i.open);
    rows.set(i.customerId, row);
  }
  return [...rows.entries()]
    .map(([customerId, row]) => ({
      customerId,
      customerName: row.name,
      buckets: row.buckets,
      total: sumBuckets(row.buckets),
    }))
    .sort((a, b) => b.total.comparedTo(a.total) || a.customerId.localeCompare(b.customerId));
}
