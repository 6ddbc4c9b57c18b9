import { readFileSync } from 'node:fs';
import { create as createFont, type Font } from 'fontkit';
import PDFDocument from 'pdfkit';
import { findUnicodeFont, type PdfFont } from './fonts.js';
import type { DocumentView } from './view.js';

// The characters the standard PDF fonts (WinAnsiEncoding) can show beyond Latin-1.
const WIN_ANSI_EXTRA = '€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ';
// Spaces and signs Intl emits that have a Latin-1 look-alike (fr groups with U+202F, some locales use U+2212).
const TO_LATIN1: Readonly<Record<string, string>> = {
  '\u202F': '\u00A0',
  '\u2009': ' ',
  '\u200A': ' ',
  '\u2007': ' ',
  '\u2212': '-',
  '\u2011': '-',
};

function toWinAnsi(s: string): { text: string; lost: boolean } {
  let lost = false;
  let text = '';
  for (const ch of s) {
    const c = TO_LATIN1[ch] ?? ch;
    const code = c.codePointAt(0) ?? 0;
    if (
      (code >= 0x20 && code <= 0x7e) ||
      (code >= 0xa0 && code <= 0xff) ||
      c === '\n' ||
      WIN_ANSI_EXTRA.includes(c)
    ) {
      text += c;
    } else {
      text += '?';
      lost = true;
    }
  }
  return { text, lost };
}

function allStrings(v: DocumentView): string[] {
  return [
    v.title,
    v.intro,
    v.issuerName,
    ...v.parties.flatMap((p) => [p.label, p.name, ...p.lines]),
    ...v.facts.flatMap((f) => [f.label, f.value]),
    ...Object.values(v.lineHeaders),
    ...v.lines.flatMap((l) => [l.description, ...l.details, l.quantity, l.unitPrice, l.amount]),
    ...v.totals.flatMap((t) => [t.label, t.value]),
    ...(v.payment ? [v.payment.heading, ...v.payment.lines] : []),
    ...v.notes,
    ...v.footer,
    v.messages.page(1, 1),
    ...(v.appendix
      ? [v.appendix.title, v.appendix.summary, ...v.appendix.headers, ...v.appendix.rows.flat()]
      : []),
  ];
}

/** Whether the standard fonts can show every character of the view. */
export function needsUnicodeFont(v: DocumentView): boolean {
  return allStrings(v).some((s) => toWinAnsi(s).lost);
}

export interface PdfResult {
  readonly bytes: Buffer;
  readonly pages: number;
  /** Set when characters could not be shown (no Unicode font on this machine): they print as "?". */
  readonly warnings: readonly string[];
}

export interface PdfOptions {
  /** Default: {@link findUnicodeFont}(). Pass null to force the standard fonts (tests of the fallback). */
  readonly unicodeFont?: PdfFont | null;
  /** Fixed creation date, so the same input gives the same bytes (the document's issue time is a fine value). */
  readonly creationDate?: Date;
}

/**
 * Parsed Unicode font faces by path and face, shared by every document of the process. pdfkit parses a font
 * given as a path anew for each document (about 200 ms for Noto Sans JP's 4 MB of CFF on a small machine);
 * a parsed fontkit font is only read by a document (each keeps its own subset and layout cache), so one
 * parse serves them all (about 15 ms per document then).
 */
const parsedFonts = new Map<string, Font>();

function parsedFont(face: { readonly path: string; readonly face?: string }): Font {
  const key = `${face.path}\0${face.face ?? ''}`;
  let font = parsedFonts.get(key);
  if (font === undefined) {
    font = createFont(readFileSync(face.path), face.face);
    parsedFonts.set(key, font);
  }
  return font;
}

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 50;
const FOOTER_HEIGHT = 48;
const GREY = '#52606d';
const BLACK = '#1f2933';

/**
 * Renders the view as an A4 PDF: header with title and key facts, issuer and customer, lines with their
 * tier/proration details, totals, how to pay, notes, an optional itemized appendix, and a footer with page
 * numbers on every page. Text is drawn through pdfkit, which encodes it as glyph strings, so no customer
 * string can reach PDF syntax; strings were cleaned of control and bidi characters in the view.
 */
export async function renderPdf(v: DocumentView, options: PdfOptions = {}): Promise<PdfResult> {
  const warnings: string[] = [];
  const needsUnicode = needsUnicodeFont(v);
  const font = needsUnicode
    ? options.unicodeFont === undefined
      ? findUnicodeFont()
      : options.unicodeFont
    : null;
  const useUnicode = font !== null;
  if (needsUnicode && !useUnicode) {
    warnings.push(
      `no Unicode font found for a ${v.language} document (the bundled fonts/ folder or package @expo-google-fonts/noto-sans-jp is missing; or set TALLY_PDF_FONT): characters outside Latin-1 print as "?"`,
    );
  }
  const t = (s: string): string => (useUnicode ? s : toWinAnsi(s).text);

  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    bufferPages: true,
    autoFirstPage: true,
    lang: v.locale,
    // pdfkit sets up Helvetica (parsing its metrics) for every new document unless told otherwise: a document
    // printed in the Unicode font never uses it.
    ...(useUnicode ? { font: null as never } : {}),
    displayTitle: true,
    info: {
      Title: t(`${v.title} ${v.facts[0]?.value ?? ''}`.trim()),
      Author: t(v.issuerName),
      Subject: t(v.subject),
      Creator: 'tally',
      Producer: 'tally',
      CreationDate: options.creationDate ?? new Date(0),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });

  // The standard fonts go by their own names, never by an alias: pdfkit caches a font under the name it was
  // asked for, except an alias of a font it already holds under its own name (the default Helvetica), which it
  // builds anew (with Helvetica's widths and 2,700 kerning pairs) on every `font()` call, and throws away.
  const REG = font ? 'tally-regular' : 'Helvetica';
  const BOLD = font ? 'tally-bold' : 'Helvetica-Bold';
  if (font) {
    // pdfkit takes a fontkit font object as a source (its types say only paths and bytes).
    doc.registerFont(REG, parsedFont(font.regular) as never);
    doc.registerFont(BOLD, parsedFont(font.bold) as never);
  }

  const left = MARGIN;
  const width = A4.width - 2 * MARGIN;
  const bottom = A4.height - MARGIN - FOOTER_HEIGHT;
  const ensure = (h: number): void => {
    if (doc.y + h > bottom) doc.addPage();
  };
  const text = (
    s: string,
    o: {
      size?: number;
      bold?: boolean;
      color?: string;
      x?: number;
      w?: number;
      align?: 'left' | 'right';
    } = {},
  ) => {
    doc
      .font(o.bold ? BOLD : REG)
      .fontSize(o.size ?? 10)
      .fillColor(o.color ?? BLACK)
      .text(t(s), o.x ?? left, doc.y, { width: o.w ?? width, align: o.align ?? 'left' });
  };

  // Header: issuer, title, facts.
  text(v.issuerName, { size: 10, color: GREY });
  text(v.title, { size: 22, bold: true });
  doc.moveDown(0.5);
  const labelW = 150;
  for (const f of v.facts) {
    const y = doc.y;
    doc.font(REG).fontSize(10).fillColor(GREY).text(t(f.label), left, y, { width: labelW });
    const h1 = doc.y;
    doc
      .font(BOLD)
      .fontSize(10)
      .fillColor(BLACK)
      .text(t(f.value), left + labelW, y, { width: width - labelW });
    doc.y = Math.max(h1, doc.y);
  }
  doc.moveDown(1);

  // Parties, side by side.
  const colW = (width - 20) / 2;
  const partiesTop = doc.y;
  let partiesBottom = partiesTop;
  v.parties.forEach((p, i) => {
    const x = left + i * (colW + 20);
    doc.y = partiesTop;
    text(p.label.toUpperCase(), { size: 8, color: GREY, x, w: colW });
    text(p.name, { size: 10, bold: true, x, w: colW });
    for (const l of p.lines) text(l, { size: 9, x, w: colW });
    partiesBottom = Math.max(partiesBottom, doc.y);
  });
  doc.y = partiesBottom;
  doc.moveDown(1);

  if (v.kind !== 'invoice') {
    text(v.intro, { size: 10 });
    doc.moveDown(1);
  }

  // Lines.
  if (v.lines.length > 0) {
    const cols = { qty: 80, price: 80, amount: 85 };
    const descW = width - cols.qty - cols.price - cols.amount - 24;
    const xQty = left + descW + 8;
    const xPrice = xQty + cols.qty + 8;
    const xAmount = xPrice + cols.price + 8;
    const header = () => {
      const y = doc.y;
      doc.font(BOLD).fontSize(9).fillColor(GREY);
      doc.text(t(v.lineHeaders.description), left, y, { width: descW });
      doc.text(t(v.lineHeaders.quantity), xQty, y, { width: cols.qty, align: 'right' });
      doc.text(t(v.lineHeaders.unitPrice), xPrice, y, { width: cols.price, align: 'right' });
      doc.text(t(v.lineHeaders.amount), xAmount, y, { width: cols.amount, align: 'right' });
      doc.y = Math.max(doc.y, y + 12);
      doc
        .moveTo(left, doc.y + 2)
        .lineTo(left + width, doc.y + 2)
        .lineWidth(1)
        .strokeColor(BLACK)
        .stroke();
      doc.y += 6;
    };
    text(v.linesCaption, { size: 12, bold: true });
    doc.moveDown(0.3);
    header();
    for (const l of v.lines) {
      doc.font(REG).fontSize(10);
      const descH =
        doc.heightOfString(t(l.description), { width: descW }) +
        l.details.reduce((h, d) => h + doc.font(REG).fontSize(8).heightOfString(t(d), { width: descW }), 0);
      if (doc.y + descH + 8 > bottom) {
        doc.addPage();
        header();
      }
      const y = doc.y;
      doc.font(REG).fontSize(10).fillColor(BLACK).text(t(l.description), left, y, { width: descW });
      for (const d of l.details)
        doc.font(REG).fontSize(8).fillColor(GREY).text(t(d), left, doc.y, { width: descW });
      const yEnd = doc.y;
      doc.font(REG).fontSize(10).fillColor(BLACK);
      doc.text(t(l.quantity), xQty, y, { width: cols.qty, align: 'right' });
      doc.text(t(l.unitPrice), xPrice, y, { width: cols.price, align: 'right' });
      doc.text(t(l.amount), xAmount, y, { width: cols.amount, align: 'right' });
      doc.y = Math.max(yEnd, doc.y) + 4;
      doc
        .moveTo(left, doc.y)
        .lineTo(left + width, doc.y)
        .lineWidth(0.5)
        .strokeColor('#d9e2ec')
        .stroke();
      doc.y += 4;
    }
    doc.moveDown(0.5);
    // Totals, right-aligned.
    const valueW = 110;
    const labelX = left + width / 3;
    const labelWidth = width - width / 3 - valueW - 8;
    for (const row of v.totals) {
      ensure(18);
      const y = doc.y;
      doc
        .font(row.strong ? BOLD : REG)
        .fontSize(row.strong ? 11 : 10)
        .fillColor(BLACK);
      doc.text(t(row.label), labelX, y, { width: labelWidth, align: 'right' });
      const yl = doc.y;
      doc.text(t(row.value), left + width - valueW, y, { width: valueW, align: 'right' });
      doc.y = Math.max(yl, doc.y) + 2;
    }
    doc.moveDown(1);
  }

  if (v.payment) {
    ensure(60);
    text(v.payment.heading, { size: 12, bold: true });
    doc.moveDown(0.2);
    for (const l of v.payment.lines) text(l, { size: 10 });
    doc.moveDown(1);
  }
  for (const n of v.notes) {
    ensure(24);
    text(n, { size: 8, color: GREY });
    doc.moveDown(0.3);
  }

  // Appendix: its own pages.
  if (v.appendix) {
    const a = v.appendix;
    doc.addPage();
    text(a.title, { size: 14, bold: true });
    text(a.summary, { size: 9, color: GREY });
    doc.moveDown(0.5);
    const n = a.headers.length;
    const colWidth = (width - (n - 1) * 8) / n;
    const header = () => {
      const y = doc.y;
      let maxY = y;
      a.headers.forEach((c, i) => {
        doc.font(BOLD).fontSize(8).fillColor(GREY);
        doc.text(t(c), left + i * (colWidth + 8), y, {
          width: colWidth,
          align: a.numeric.includes(i) ? 'right' : 'left',
        });
        maxY = Math.max(maxY, doc.y);
      });
      doc.y = maxY + 2;
    };
    // Rows are single lines placed by hand: pdfkit's line wrapper costs ~1 ms per cell, which for thousands
    // of rows is seconds of Lambda time. A cell wider than its column is cut with an ellipsis.
    const rowHeight = 11.5;
    const fit = (s: string): string => {
      if (doc.widthOfString(s) <= colWidth) return s;
      let cut = s;
      while (cut.length > 0 && doc.widthOfString(`${cut}…`) > colWidth) cut = cut.slice(0, -1);
      return `${cut}…`;
    };
    header();
    doc.font(REG).fontSize(8).fillColor(BLACK);
    for (const r of a.rows) {
      if (doc.y + rowHeight > bottom) {
        doc.addPage();
        header();
        doc.font(REG).fontSize(8).fillColor(BLACK);
      }
      const y = doc.y;
      r.forEach((c, i) => {
        const s = fit(t(c));
        const x = left + i * (colWidth + 8);
        const dx = a.numeric.includes(i) ? colWidth - doc.widthOfString(s) : 0;
        doc.text(s, x + dx, y, { lineBreak: false });
      });
      doc.y = y + rowHeight;
    }
  }

  // Footer with page numbers on every page (pages are buffered until now).
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const y = A4.height - MARGIN - FOOTER_HEIGHT + 12;
    doc.font(REG).fontSize(7).fillColor(GREY);
    // Writing below the bottom margin would make pdfkit add a page: lift the margin while drawing the footer.
    const saved = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.text(t(v.footer.join('  ·  ')), left, y, {
      width: width - 80,
      lineBreak: true,
      height: 30,
      ellipsis: true,
    });
    doc.text(t(v.messages.page(i - range.start + 1, range.count)), left + width - 80, y, {
      width: 80,
      align: 'right',
    });
    doc.page.margins.bottom = saved;
  }
  doc.end();
  await done;
  return { bytes: Buffer.concat(chunks), pages: range.count, warnings };
}
