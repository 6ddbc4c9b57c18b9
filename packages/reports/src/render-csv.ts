import { displayCell, isNumeric, type ReportDocument, type ReportSection } from './document.js';
import { ReportInputError } from './errors.js';

const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;
// Characters that make Excel, LibreOffice or Google Sheets read a cell as a formula (OWASP "CSV injection";
// OWASP ASVS 5.0 requirement 1.2.10 also lists NUL).
const FORMULA_START = /^[=+\-@\t\r\0]/;

/**
 * One CSV field: formula-injection defence first (a cell starting with = + - @ tab, CR or NUL gets a leading single
 * quote, except a plain decimal number in a numeric column such as "-17.00", which no spreadsheet evaluates as a
 * formula), then RFC 4180 quoting (fields with a comma, quote, CR or LF are enclosed in double quotes and inner
 * quotes doubled).
 */
export function csvField(value: string | null, numeric = false): string {
  let v = value ?? '';
  if (FORMULA_START.test(v) && !(numeric && PLAIN_NUMBER.test(v))) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

function sectionCsv(section: ReportSection): string[] {
  const header = section.columns.map((c) => csvField(c.label));
  const rows = section.rows.map((r) =>
    section.columns.map((c) => csvField(displayCell(c, r.cells[c.key] ?? null), isNumeric(c.kind))),
  );
  return [header, ...rows].map((cells) => cells.join(','));
}

/**
 * Renders a report as CSV (RFC 4180: CRLF line ends, a header row). With `section`, that one table; without, every
 * section's table in turn, separated by an empty line (use `section` when a consumer expects exactly one table).
 *
 * @throws ReportInputError when `section` names no section of the document.
 */
export function renderCsv(doc: ReportDocument, options: { section?: string } = {}): string {
  let sections = doc.sections;
  if (options.section !== undefined) {
    sections = doc.sections.filter((s) => s.id === options.section);
    if (sections.length === 0) {
      throw new ReportInputError(
        `report "${doc.name}" has no section "${options.section}": it has ${doc.sections.map((s) => s.id).join(', ')}`,
        { section: options.section },
      );
    }
  }
  const blocks = sections.map((s) => sectionCsv(s).join('\r\n'));
  return `${blocks.join('\r\n\r\n')}\r\n`;
}
