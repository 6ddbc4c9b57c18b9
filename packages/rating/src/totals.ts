import { addAmounts, Decimal } from '@tally/money';
import type { RatedLine } from './line.js';

export interface LineTotals {
  readonly currency: string;
  /** Σ of the rounded line amounts: what an invoice shows. */
  readonly total: string;
  /** Σ of the unrounded amounts, for reference only. */
  readonly precise: string;
  readonly byKind: Readonly<Record<RatedLine['kind'], string>>;
}

/** Totals of rated lines of one currency: the sum of the rounded lines (never a re-rounded precise sum). */
export function totals(lines: readonly RatedLine[], currency: string): LineTotals {
  const kinds: RatedLine['kind'][] = ['fixed', 'usage', 'allowance', 'minimum'];
  const byKind = Object.fromEntries(
    kinds.map((k) => [
      k,
      addAmounts(
        currency,
        lines.filter((l) => l.kind === k),
      ).toFixed(),
    ]),
  ) as Record<RatedLine['kind'], string>;
  let precise = new Decimal(0);
  for (const l of lines) precise = precise.plus(l.precise);
  return { currency, total: addAmounts(currency, lines).toFixed(), precise: precise.toFixed(), byKind };
}
