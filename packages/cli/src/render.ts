import { Decimal, formatMinor } from '@tally/money';
import type { Quote } from './quote.js';

/** A quantity or price for people: at most 6 decimals, no trailing zeros (JSON output keeps every digit). */
function short(value: string | undefined): string {
  if (value === undefined) return '';
  const d = new Decimal(value);
  const s = d.toDecimalPlaces(6).toFixed();
  return d.decimalPlaces() > 6 ? `${s}…` : s;
}

/** The quote as a plain-text table: one row per line, then the totals. */
export function renderTable(q: Quote): string {
  const header = ['key', 'description', 'quantity', 'unit', 'unit price', `amount ${q.currency}`];
  const rows = q.lines.map((l) => [
    l.key,
    l.description,
    short(l.quantity),
    l.unit ?? '',
    short(l.unitPrice),
    formatMinor(l.amount, q.currency),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const numeric = new Set([2, 4, 5]);
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const out = [
    `${q.plan.name} (${q.plan.id} v${q.plan.version}), ${q.period.start} to ${q.period.end} (${q.timeZone})`,
    '',
    fmt(header),
    rule,
    ...rows.map(fmt),
    rule,
    `${'total'.padEnd(widths.slice(0, 5).reduce((a, b) => a + b + 2, 0))}${formatMinor(q.totals.total, q.currency).padStart(widths[5]!)}`,
  ];
  if (q.commitment !== undefined && new Decimal(q.commitment.trueUp).gt(0)) {
    out.push(
      `minimum commitment ${formatMinor(q.commitment.minimum, q.currency)} ${q.currency}: the invoice adds a true-up of ${formatMinor(q.commitment.trueUp, q.currency)}`,
    );
  }
  return `${out.join('\n')}\n`;
}
