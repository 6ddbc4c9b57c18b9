import { roundTo } from '@tally/money';
import type { ReportWindow } from './inputs.js';

/**
 * A report as its renderers see it: titled sections of typed columns and rows of already formatted cells,
 * with optional charts. Computations produce typed results (Decimals); `build.ts` turns them into a document;
 * the table, CSV and HTML renderers only lay documents out, so they cannot disagree on a figure.
 */

/** How a column's cells are aligned and charted: numbers right-aligned, text left. */
export type ColumnKind = 'text' | 'money' | 'number' | 'percent' | 'count' | 'date';

export interface ReportColumn {
  readonly key: string;
  readonly label: string;
  readonly kind: ColumnKind;
  /**
   * Display precision of a `number` column: the renderers for people (table, CSV, HTML) round its cells half-up
   * to at most this many decimals and drop trailing zeros. The document, and so the JSON output, keeps the exact
   * stored value. Default: shown as stored (money and ratios are already formatted when the document is built).
   */
  readonly places?: number;
}

/** Cells keyed by column key; null is "not applicable" (a ratio with a zero denominator, a missing date). */
export interface ReportRow {
  readonly cells: Readonly<Record<string, string | null>>;
  /** A totals row, set apart by the renderers. */
  readonly total?: boolean;
}

/** A chart of one series set, drawn by the HTML renderer; the section's table is its accessible fallback. */
export interface ChartSpec {
  readonly id: string;
  readonly title: string;
  /** One sentence saying what the chart shows, read out by screen readers. */
  readonly description: string;
  readonly kind: 'bar' | 'line';
  readonly xLabel: string;
  readonly yLabel: string;
  /** Points in display order; `y` is a decimal string. */
  readonly points: readonly { readonly x: string; readonly y: string; readonly series?: string }[];
}

export interface ReportSection {
  readonly id: string;
  readonly title: string;
  readonly description?: string;
  readonly columns: readonly ReportColumn[];
  readonly rows: readonly ReportRow[];
  readonly notes?: readonly string[];
  readonly charts?: readonly ChartSpec[];
}

export interface ReportDocument {
  readonly name: string;
  readonly title: string;
  readonly asOf: string;
  readonly window: ReportWindow;
  readonly parameters: readonly { readonly label: string; readonly value: string }[];
  readonly sections: readonly ReportSection[];
  /** The definitions used, stated once per document. */
  readonly definitions: readonly string[];
}

/** True for column kinds whose cells are numbers (right-aligned, safe to leave unquoted in CSV). */
export function isNumeric(kind: ColumnKind): boolean {
  return kind === 'money' || kind === 'number' || kind === 'percent' || kind === 'count';
}

const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * A cell as the table, CSV and HTML renderers show it: a plain decimal in a column with `places` rounded for
 * display (half-up, at most `places` decimals, trailing zeros dropped: 1316.41666… → "1316.417", 12.5000 → "12.5").
 * Anything else (text, null, a preformatted amount) is returned unchanged.
 */
export function displayCell(column: ReportColumn, cell: string | null): string | null {
  if (cell === null || column.places === undefined || !PLAIN_DECIMAL.test(cell)) return cell;
  return roundTo(cell, column.places, 'half-up').toFixed();
}
