/**
 * Making customer-supplied strings safe for each output. Names, addresses and line descriptions come from
 * customers and producers: they may hold markup, line breaks, control characters or bidirectional overrides
 * (which can make "100.00" display as "00.001" next to an amount: the "Trojan Source" trick, CVE-2021-42574).
 *
 * Every renderer passes each such string through the function for its output:
 * - {@link cleanText}: all outputs: drops control characters and bidi controls, keeps line breaks.
 * - {@link escapeHtml}: HTML text and attribute values.
 * - {@link headerSafe}: one-line values for mail headers (subject, display names): no CR/LF ever.
 * - {@link csvCell}: RFC 4180 quoting plus spreadsheet-formula neutralisation (OWASP "CSV injection").
 */

// C0 controls except TAB and LF, DEL, C1 controls.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
// Bidi embeddings, overrides and isolates, the bidi marks, line/paragraph separators, BOM/zero-width no-break.
const INVISIBLE = /[\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029\uFEFF]/g;

/** Drops control characters (CR becomes LF) and bidi controls; keeps tabs and line feeds. */
export function cleanText(value: string): string {
  return value.replace(/\r\n?/g, '\n').replace(CONTROL, '').replace(INVISIBLE, '');
}

/** One line of text: {@link cleanText}, then every run of whitespace (including line breaks) becomes one space. */
export function oneLine(value: string): string {
  return cleanText(value).replace(/\s+/g, ' ').trim();
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Escapes text for HTML element content and quoted attribute values (after {@link cleanText}). */
export function escapeHtml(value: string): string {
  return cleanText(value).replace(/[&<>"'`]/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * A value that may go into a mail header: one line, no CR/LF (header injection), no controls, at most
 * `maxLength` characters (RFC 5322 recommends lines of at most 78 characters; encoders fold longer ones,
 * but a subject longer than ~200 characters is cut by clients anyway).
 */
export function headerSafe(value: string, maxLength = 200): string {
  const line = oneLine(value);
  return line.length <= maxLength ? line : `${line.slice(0, maxLength - 1)}…`;
}

/**
 * One CSV cell: text that a spreadsheet would run as a formula (starting with = + - @, TAB or CR) gets a
 * leading apostrophe, and the cell is quoted when it holds a comma, quote or line break (RFC 4180).
 * Pass `numeric: true` for numbers tally formatted itself, so "-1.50" stays a number.
 */
export function csvCell(value: string, opts: { numeric?: boolean } = {}): string {
  let v = cleanText(value);
  if (!opts.numeric && /^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** A string of HTML that is already safe (built by {@link html}); never build one from untrusted text. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type HtmlValue = SafeHtml | string | number | null | undefined | false | readonly HtmlValue[];

function interpolate(v: HtmlValue): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map(interpolate).join('');
  return escapeHtml(String(v));
}

/**
 * Tagged template for HTML: every interpolated value is escaped unless it is itself the result of `html`,
 * so markup can only come from template literals in this package.
 *
 * @example html`<td>${line.description}</td>` // '<td>&lt;script&gt;…</td>'
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += interpolate(v) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}
