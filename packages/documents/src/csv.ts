import { csvCell } from './escape.js';
import type { AppendixView } from './view.js';

/**
 * The appendix as CSV (RFC 4180, CRLF line ends, UTF-8 with BOM so spreadsheet programs detect the
 * encoding). Values are raw (ISO instants, plain decimals) so they sort and sum; text cells are neutralised
 * against formula injection by {@link csvCell}.
 */
export function renderAppendixCsv(a: AppendixView): string {
  const rows = [a.headers, ...a.rawRows].map((r, ri) =>
    r.map((c, i) => csvCell(c, { numeric: ri > 0 && a.numeric.includes(i) })).join(','),
  );
  return `\uFEFF${rows.join('\r\n')}\r\n`;
}
