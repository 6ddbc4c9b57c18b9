import { Decimal, ZERO } from '@tally/money';
import type { ReportData, ReportWindow } from './inputs.js';
import { addTo } from './receivables.js';
import { ms } from './time.js';

export interface RevenueEntry {
  readonly key: string;
  readonly amount: Decimal;
}

/** One currency's revenue; amounts of different currencies are never added together. */
export interface RevenueCurrency {
  readonly currency: string;
  /** Σ of the line amounts of the invoices counted = Σ byPlan = Σ byMeter. */
  readonly total: Decimal;
  readonly invoices: number;
  /** By plan id (all versions together), largest first. */
  readonly byPlan: readonly RevenueEntry[];
  /** By meter id; lines without a meter (fees, minimums, commitments, discounts) under "(kind)". */
  readonly byMeter: readonly RevenueEntry[];
  /** Credit notes issued in the window against invoices of this currency, shown beside the revenue. */
  readonly creditNotes: Decimal;
}

export interface RevenueReport {
  readonly window: ReportWindow;
  readonly asOf: string;
  readonly currencies: readonly RevenueCurrency[];
}

/**
 * Billed revenue of the invoices finalized in `window` and not void at `asOf`, per currency, broken down by
 * plan and by meter. Amounts are the invoice line amounts (each already rounded once to the currency's minor
 * unit), so they add up to the invoice subtotals: before tax when tax is exclusive, including it when inclusive.
 * Credit notes are reported beside, not allocated to plans or meters (they carry no line detail).
 */
export function revenueReport(data: ReportData, window: ReportWindow, asOf: string): RevenueReport {
  const from = ms(window.from);
  const to = ms(window.to);
  const cutoff = ms(asOf);
  const perCurrency = new Map<
    string,
    { total: Decimal; invoices: number; plan: Map<string, Decimal>; meter: Map<string, Decimal> }
  >();
  const currencyOf = new Map<string, string>();
  for (const invoice of data.invoices) {
    currencyOf.set(invoice.id, invoice.currency);
    if (invoice.finalizedAt === null) continue;
    const f = ms(invoice.finalizedAt);
    if (f < from || f >= to || f > cutoff) continue;
    if (invoice.voidedAt !== null && ms(invoice.voidedAt) <= cutoff) continue;
    const entry = perCurrency.get(invoice.currency) ?? {
      total: ZERO,
      invoices: 0,
      plan: new Map<string, Decimal>(),
      meter: new Map<string, Decimal>(),
    };
    entry.invoices += 1;
    for (const line of invoice.lines) {
      const amount = new Decimal(line.amount);
      entry.total = entry.total.plus(amount);
      addTo(entry.plan, line.planId, amount);
      addTo(entry.meter, line.meterId ?? `(${line.kind})`, amount);
    }
    perCurrency.set(invoice.currency, entry);
  }
  const notes = new Map<string, Decimal>();
  for (const c of data.creditNotes) {
    const t = ms(c.issuedAt);
    const currency = currencyOf.get(c.invoiceId);
    if (currency === undefined || t < from || t >= to || t > cutoff) continue;
    addTo(notes, currency, new Decimal(c.amount));
  }
  const currencies = new Set([...perCurrency.keys(), ...notes.keys()]);
  return {
    window,
    asOf,
    currencies: [...currencies].sort().map((currency) => {
      const e = perCurrency.get(currency);
      return {
        currency,
        total: e?.total ?? ZERO,
        invoices: e?.invoices ?? 0,
        byPlan: entries(e?.plan),
        byMeter: entries(e?.meter),
        creditNotes: notes.get(currency) ?? ZERO,
      };
    }),
  };
}

function entries(map: Map<string, Decimal> | undefined): RevenueEntry[] {
  return [...(map ?? new Map<string, Decimal>()).entries()]
    .map(([key, amount]) => ({ key, amount }))
    .sort((a, b) => b.amount.comparedTo(a.amount) || a.key.localeCompare(b.key));
}
