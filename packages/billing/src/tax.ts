import { Decimal, type DecimalInput, formatMinor, type RoundingMode, roundToMinor, sum } from '@tally/money';
import type { TaxSettings } from './customer.js';
import type { InvoiceLine, TaxLine } from './invoice.js';

export interface TaxResult {
  /** Tax lines, one per rate (none when exempt or without rates). */
  readonly lines: TaxLine[];
  /** Σ tax lines. */
  readonly total: Decimal;
  /** Per-line rounding: each line's tax per rate, in line order; undefined for per-invoice rounding. */
  readonly perLine?: { rateId: string; amount: string }[][];
}

/**
 * Tax on invoice lines with the customer's settings.
 *
 * - exclusive: tax = amount × rate, added to the subtotal.
 * - inclusive: the amounts contain tax; tax = amount × rate / (1 + Σ rates) and the base is net of tax.
 * - per-line: the tax of every line is rounded, then added up per rate; per-invoice: each rate's tax on the
 *   subtotal is rounded once. Per-line tax of a negative line (a discount, a credit) is negative.
 *
 * @example
 * computeTax(lines, { mode: 'exclusive', rates: [{ id: 'vat', name: 'VAT 20 %', rate: '0.2' }],
 *   rounding: 'per-invoice' }, 'EUR', 'half-up')
 */
export function computeTax(
  lines: readonly Pick<InvoiceLine, 'amount'>[],
  settings: TaxSettings,
  currency: string,
  rounding: RoundingMode,
): TaxResult {
  if (settings.exemption !== undefined || settings.rates.length === 0)
    return { lines: [], total: new Decimal(0) };
  const totalRate = sum(settings.rates.map((r) => r.rate));
  const divisor = settings.mode === 'inclusive' ? totalRate.plus(1) : new Decimal(1);
  const subtotal = sum(lines.map((l) => l.amount));
  const taxOf = (amount: DecimalInput, rate: string) =>
    roundToMinor(new Decimal(amount as string).times(rate).div(divisor), currency, rounding);

  let perLine: { rateId: string; amount: string }[][] | undefined;
  let amounts: Decimal[];
  if (settings.rounding === 'per-line') {
    perLine = lines.map((l) =>
      settings.rates.map((r) => ({ rateId: r.id, amount: formatMinor(taxOf(l.amount, r.rate), currency) })),
    );
    amounts = settings.rates.map((_, i) => sum(perLine!.map((taxes) => taxes[i]!.amount)));
  } else {
    amounts = settings.rates.map((r) => taxOf(subtotal, r.rate));
  }
  const total = sum(amounts);
  const base = settings.mode === 'inclusive' ? subtotal.minus(total) : subtotal;
  const taxLines = settings.rates.map((r, i) => ({
    rateId: r.id,
    name: r.name,
    rate: r.rate,
    base: formatMinor(base, currency),
    amount: formatMinor(amounts[i]!, currency),
    rounding: settings.rounding,
  }));
  return perLine === undefined ? { lines: taxLines, total } : { lines: taxLines, total, perLine };
}
