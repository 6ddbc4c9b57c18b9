import { displayCell, isNumeric, type ReportDocument, type ReportSection } from './document.js';

/**
 * Replaces control characters (ESC, CR, BEL, …) with U+FFFD so data from invoices cannot move the cursor, rewrite
 * earlier lines or change the terminal's colours when a report is printed.
 */
export function sanitizeForTerminal(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '\uFFFD');
}

const EMPTY = '—';

/** Renders a report as plain-text tables for a terminal: one block per section, numbers right-aligned. */
export function renderTable(doc: ReportDocument): string {
  const out: string[] = [];
  out.push(sanitizeForTerminal(doc.title));
  for (const p of doc.parameters) out.push(sanitizeForTerminal(`${p.label}: ${p.value}`));
  for (const section of doc.sections) out.push('', ...sectionLines(section));
  out.push('', 'Definitions:');
  for (const d of doc.definitions) out.push(`- ${sanitizeForTerminal(d)}`);
  return `${out.join('\n')}\n`;
}

function sectionLines(section: ReportSection): string[] {
  const lines = [sanitizeForTerminal(section.title), '='.repeat(Math.min(section.title.length, 110))];
  if (section.description) lines.push(sanitizeForTerminal(section.description));
  if (section.rows.length === 0) {
    lines.push('(no data)');
    return lines;
  }
  const header = section.columns.map((c) => sanitizeForTerminal(c.label));
  const body = section.rows.map((r) =>
    section.columns.map((c) => sanitizeForTerminal(displayCell(c, r.cells[c.key] ?? null) ?? EMPTY)),
  );
  const widths = section.columns.map((_, i) =>
    Math.max([...header[i]!].length, ...body.map((cells) => [...cells[i]!].length)),
  );
  const format = (cells: readonly string[]) =>
    cells
      .map((cell, i) => {
        const pad = ' '.repeat(widths[i]! - [...cell].length);
        return isNumeric(section.columns[i]!.kind) ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  lines.push(format(header), rule);
  section.rows.forEach((row, i) => {
    if (row.total) lines.push(rule);
    lines.push(format(body[i]!));
  });
  for (const n of section.notes ?? []) lines.push(`Note: ${sanitizeForTerminal(n)}`);
  return lines;
}
