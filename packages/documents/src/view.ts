import type { Invoice, InvoiceLine } from '@tally/billing';
import { Decimal } from '@tally/money';
import { DocumentInputError } from './errors.js';
import { cleanText, oneLine } from './escape.js';
import { Formatter } from './format.js';
import { type KindParams, type Language, languageOf, MESSAGES, type Messages } from './messages.js';
import type { Appendix, CreditNote, DocumentKind, DocumentRequest, RenderOptions } from './request.js';

/**
 * The document as its renderers see it: every string final, localized, formatted and cleaned of control
 * characters, but NOT escaped (each renderer escapes for its output). HTML, text and PDF render the same
 * view, so the three can never disagree on a number.
 */
export interface DocumentView {
  readonly kind: DocumentKind;
  readonly language: Language;
  readonly locale: string;
  readonly subject: string;
  readonly title: string;
  /** One line shown by mail clients next to the subject. */
  readonly preheader: string;
  readonly greeting: string;
  readonly intro: string;
  readonly closing: string;
  readonly issuerName: string;
  readonly parties: readonly Party[];
  /** Key facts (number, dates, period) as label/value pairs. */
  readonly facts: readonly Fact[];
  /** Invoice lines; empty for notices that only refer to the invoice. */
  readonly lines: readonly LineView[];
  readonly lineHeaders: { description: string; quantity: string; unitPrice: string; amount: string };
  readonly linesCaption: string;
  readonly totals: readonly TotalRow[];
  readonly totalsCaption: string;
  readonly payment: { readonly heading: string; readonly lines: readonly string[] } | null;
  readonly notes: readonly string[];
  readonly appendix: AppendixView | null;
  readonly footer: readonly string[];
  /** Whether this kind of mail carries the PDF. */
  readonly attachPdf: boolean;
  readonly attachmentNote: string;
  readonly pdfFileName: string;
  readonly messages: Messages;
}

export interface Party {
  readonly label: string;
  readonly name: string;
  readonly lines: readonly string[];
}

export interface Fact {
  readonly label: string;
  readonly value: string;
}

export interface LineView {
  readonly description: string;
  readonly details: readonly string[];
  readonly quantity: string;
  readonly unitPrice: string;
  readonly amount: string;
}

export interface TotalRow {
  readonly label: string;
  readonly value: string;
  /** The total and the amount due are emphasised. */
  readonly strong: boolean;
}

export interface AppendixView {
  readonly title: string;
  readonly summary: string;
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Columns holding numbers (right-aligned, not formula-neutralised in CSV). */
  readonly numeric: readonly number[];
  /** The same rows unformatted (ISO instants, plain decimals) for the CSV export. */
  readonly rawRows: readonly (readonly string[])[];
}

/** Kinds whose mail carries a PDF: the invoice itself, the credit note, and the invoice again with dunning. */
const ATTACH_PDF: { readonly [K in DocumentKind]: boolean } = {
  invoice: true,
  'credit-note': true,
  receipt: false,
  reminder: true,
  'final-notice': true,
  suspended: false,
  restored: false,
};

/** Kinds that list the invoice lines and totals in the mail body. */
const SHOW_LINES: { readonly [K in DocumentKind]: boolean } = {
  invoice: true,
  'credit-note': false,
  receipt: false,
  reminder: true,
  'final-notice': true,
  suspended: false,
  restored: false,
};

function daysBetween(fromLocalDate: string, toLocalDate: string): number {
  return Math.round(
    (Date.parse(`${toLocalDate}T00:00:00Z`) - Date.parse(`${fromLocalDate}T00:00:00Z`)) / 86_400_000,
  );
}

function addressLines(a: Invoice['customer']['address']): string[] {
  if (!a) return [];
  const city = [a.postalCode, a.city].filter(Boolean).join(' ');
  return [...a.lines, [city, a.region].filter(Boolean).join(', '), a.country].map(oneLine).filter(Boolean);
}

function lineDetails(line: InvoiceLine, f: Formatter, m: Messages, inv: Invoice): string[] {
  const out: string[] = [];
  if (line.tier) {
    const upTo = line.tier.upTo === null ? null : f.quantity(line.tier.upTo);
    out.push(m.line.tier(line.tier.index + 1, f.quantity(line.tier.from), upTo));
  }
  if (line.proration) {
    const p = line.proration;
    if (p.credit) out.push(m.line.unusedTimeCredit);
    if (p.basis === 'by-day') out.push(m.line.proratedDays(p.numerator, p.denominator));
    else if (p.basis === 'by-second')
      out.push(m.line.proratedShare(f.percent(new Decimal(p.factor).toDecimalPlaces(4))));
  }
  if (line.subscriptionQuantity && !new Decimal(line.subscriptionQuantity).eq(1)) {
    out.push(m.line.seats(f.quantity(line.subscriptionQuantity)));
  }
  if (line.timing === 'advance') out.push(m.line.inAdvance);
  if (line.adjusts) {
    out.push(
      m.line.lateUsage(
        f.period(line.adjusts.period.start, line.adjusts.period.end),
        line.adjusts.invoiceNumber === null ? null : oneLine(line.adjusts.invoiceNumber),
      ),
    );
  }
  if (line.discount) {
    const d = line.discount;
    const value =
      d.type === 'percent' ? f.percent(new Decimal(d.value).div(100)) : f.money(d.value, inv.currency);
    out.push(m.line.coupon(oneLine(d.code ?? d.couponId), value));
  }
  if (line.dimensions) {
    for (const [k, v] of Object.entries(line.dimensions)) out.push(`${oneLine(k)}: ${oneLine(v)}`);
  }
  if (!line.adjusts && !sameInterval(line.period, inv.period))
    out.push(f.period(line.period.start, line.period.end));
  return out;
}

function sameInterval(a: { start: string; end: string }, b: { start: string; end: string }): boolean {
  return Date.parse(a.start) === Date.parse(b.start) && Date.parse(a.end) === Date.parse(b.end);
}

function lineView(line: InvoiceLine, f: Formatter, m: Messages, inv: Invoice): LineView {
  const unit = line.unit ? ` ${oneLine(line.unit)}` : '';
  return {
    description: oneLine(line.description),
    details: lineDetails(line, f, m, inv),
    // A flat amount (a discount, a fee without unit price) shows no "1 ×".
    quantity:
      line.unitPrice === undefined && new Decimal(line.quantity).eq(1)
        ? ''
        : `${f.quantity(line.quantity)}${unit}`,
    unitPrice: line.unitPrice !== undefined ? f.unitPrice(line.unitPrice, inv.currency) : '',
    amount: f.money(line.amount, inv.currency),
  };
}

/**
 * A credited line: its own description and amount, plus what the invoice line it reverses charged (the
 * reference to the original invoice). A full reversal shows the line's quantity and unit price; a partial
 * one shows only the amount, since no quantity corresponds to a part of a tiered or flat amount.
 */
function creditLineView(
  cl: NonNullable<CreditNote['lines']>[number],
  invoiceNumber: string,
  f: Formatter,
  m: Messages,
  inv: Invoice,
): LineView {
  const amount = f.money(cl.amount, inv.currency);
  const original = inv.lines.find((l) => l.key === cl.invoiceLineKey);
  if (original === undefined) {
    return { description: oneLine(cl.description), details: [], quantity: '', unitPrice: '', amount };
  }
  const o = lineView(original, f, m, inv);
  const charged = o.quantity
    ? `${o.quantity}${o.unitPrice ? ` × ${o.unitPrice}` : ''} = ${o.amount}`
    : o.amount;
  const full = new Decimal(cl.amount).neg().eq(original.amount);
  return {
    description: oneLine(cl.description),
    details: [
      ...o.details,
      m.line.chargedOn(invoiceNumber, charged),
      ...(full ? [] : [m.line.partialCredit]),
    ],
    quantity: full ? o.quantity : '',
    unitPrice: full ? o.unitPrice : '',
    amount,
  };
}

/** Subtotal, tax and total of a credit note, negative as billing issues them. */
function creditTotalsView(c: CreditNote, inv: Invoice, f: Formatter, m: Messages): TotalRow[] {
  const money = (v: string) => f.money(v, inv.currency);
  const t = c.totals;
  if (t === undefined) return [];
  const rows: TotalRow[] = [{ label: m.labels.subtotal, value: money(t.subtotal), strong: false }];
  const taxLines = c.tax?.lines ?? [];
  if (c.tax?.mode === 'exclusive') {
    for (const tl of taxLines) {
      rows.push({
        label: m.tax.exclusive(oneLine(tl.name), money(tl.base)),
        value: money(tl.amount),
        strong: false,
      });
    }
  }
  rows.push({ label: m.labels.totalCredited, value: money(t.total), strong: true });
  if (c.tax?.mode === 'inclusive') {
    for (const tl of taxLines) {
      rows.push({ label: m.tax.inclusive(oneLine(tl.name)), value: money(tl.amount), strong: false });
    }
  }
  return rows;
}

function totalsView(inv: Invoice, f: Formatter, m: Messages): TotalRow[] {
  const t = inv.totals;
  const money = (v: string) => f.money(v, inv.currency);
  const rows: TotalRow[] = [];
  const discounts = new Decimal(t.discounts);
  if (!discounts.isZero()) {
    rows.push({ label: m.labels.charges, value: money(t.charges), strong: false });
    rows.push({ label: m.labels.discounts, value: money(t.discounts), strong: false });
  }
  rows.push({ label: m.labels.subtotal, value: money(t.subtotal), strong: false });
  if (inv.tax.mode === 'exclusive') {
    for (const tl of inv.tax.lines) {
      rows.push({
        label: m.tax.exclusive(oneLine(tl.name), money(tl.base)),
        value: money(tl.amount),
        strong: false,
      });
    }
  }
  if (!new Decimal(t.credits).isZero()) {
    rows.push({
      label: m.labels.credits,
      value: money(new Decimal(t.credits).neg().toFixed()),
      strong: false,
    });
  }
  rows.push({ label: m.labels.total, value: money(t.total), strong: true });
  if (inv.tax.mode === 'inclusive') {
    for (const tl of inv.tax.lines) {
      rows.push({ label: m.tax.inclusive(oneLine(tl.name)), value: money(tl.amount), strong: false });
    }
  }
  if (!new Decimal(t.creditBalanceCreated).isZero()) {
    rows.push({ label: m.labels.creditBalance, value: money(t.creditBalanceCreated), strong: false });
  }
  rows.push({ label: m.labels.amountDue, value: money(t.amountDue), strong: true });
  return rows;
}

function appendixView(a: Appendix, inv: Invoice, f: Formatter, m: Messages): AppendixView {
  const shown = a.records.length;
  const summary =
    a.total !== undefined && a.total > shown
      ? m.appendix.truncated(f.quantity(String(shown)), f.quantity(String(a.total)))
      : m.appendix.records(f.quantity(String(shown)));
  if (a.type === 'calls') {
    // Sources that cannot price single calls leave the amount out: then the column goes, not a blank one.
    const priced = a.records.some((r) => r.amount !== undefined);
    const cut = <T>(cells: T[]): T[] => (priced ? cells : cells.slice(0, 3));
    return {
      title: m.appendix.calls,
      summary,
      headers: cut([...m.appendix.callHeaders]),
      numeric: priced ? [2, 3] : [2],
      rows: a.records.map((r) =>
        cut([
          f.dateTime(r.at),
          oneLine(r.destination),
          f.quantity(String(r.durationSeconds)),
          r.amount === undefined ? '' : f.unitPrice(r.amount, inv.currency),
        ]),
      ),
      rawRows: a.records.map((r) =>
        cut([r.at, oneLine(r.destination), String(r.durationSeconds), r.amount ?? '']),
      ),
    };
  }
  return {
    title: m.appendix.intervals(oneLine(a.meterId), a.unit === undefined ? undefined : oneLine(a.unit)),
    summary,
    headers: m.appendix.intervalHeaders,
    numeric: [2],
    rows: a.records.map((r) => [f.dateTime(r.start), f.dateTime(r.end), f.quantity(r.quantity)]),
    rawRows: a.records.map((r) => [r.start, r.end, r.quantity]),
  };
}

/** A file name for the PDF: ASCII only, so no mail client or header encoder can trip on it. */
function pdfFileName(kind: DocumentKind, number: string): string {
  const safe = number.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
  return `${kind}-${safe}.pdf`;
}

/**
 * Builds the localized view of a document about an invoice.
 *
 * @example buildView(invoice, { kind: 'invoice' }, { payTo: { iban: 'DE89…' } }).subject
 * // 'Rechnung ACME-2026-000123 von ACME Billing Ltd: 1.190,00 € fällig am 15. April 2026'
 */
export function buildView(
  invoice: Invoice,
  request: DocumentRequest,
  options: RenderOptions = {},
): DocumentView {
  if (invoice.number === null || invoice.issueDate === null || invoice.dueDate === null) {
    throw new DocumentInputError(
      `invoice ${invoice.id} is ${invoice.status}: only finalized invoices (with number, issue and due date) are sent`,
      { invoiceId: invoice.id, kind: request.kind },
    );
  }
  const kind = request.kind;
  const language = languageOf(invoice.customer.locale);
  const m = MESSAGES[language];
  const f = new Formatter(invoice.customer.locale, invoice.customer.timeZone);
  const money = (v: string) => f.money(v, invoice.currency);
  const number = oneLine(invoice.number);
  const issuerName = oneLine(invoice.issuer.legalName);
  const customerName = oneLine(invoice.customer.legalName);
  const base = {
    number,
    issuer: issuerName,
    amountDue: money(invoice.totals.amountDue),
    dueDate: f.date(invoice.dueDate),
    period: f.period(invoice.period.start, invoice.period.end),
  };
  const nothingDue = new Decimal(invoice.totals.amountDue).isZero();

  const facts: Fact[] = [{ label: m.labels.invoiceNumber, value: number }];
  let params: KindParams[DocumentKind];
  switch (request.kind) {
    case 'invoice':
      params = { ...base, nothingDue } satisfies KindParams['invoice'];
      break;
    case 'credit-note': {
      const c = request.creditNote;
      params = {
        ...base,
        creditNumber: oneLine(c.number),
        creditAmount: money(c.amount),
        reason: oneLine(c.reason),
      } satisfies KindParams['credit-note'];
      facts.unshift({ label: m.labels.creditNoteNumber, value: oneLine(c.number) });
      facts.push(
        { label: m.labels.invoiceDate, value: f.date(invoice.issueDate) },
        { label: m.labels.creditNoteDate, value: f.date(c.issueDate) },
        { label: m.labels.creditAmount, value: money(c.amount) },
        { label: m.labels.reason, value: oneLine(c.reason) },
      );
      break;
    }
    case 'receipt': {
      const p = request.payment;
      const paidOn = f.date(f.localDateOf(p.paidAt));
      params = { ...base, paidAmount: money(p.amount), paidOn } satisfies KindParams['receipt'];
      facts.push(
        { label: m.labels.amountPaid, value: money(p.amount) },
        { label: m.labels.paymentDate, value: paidOn },
        { label: m.labels.paymentReference, value: oneLine(p.reference) },
      );
      break;
    }
    case 'reminder':
      params = {
        ...base,
        daysOverdue: daysBetween(invoice.dueDate, request.asOf),
      } satisfies KindParams['reminder'];
      break;
    case 'final-notice':
      params = {
        ...base,
        daysOverdue: daysBetween(invoice.dueDate, request.asOf),
        suspendOn: f.date(request.suspendOn),
      } satisfies KindParams['final-notice'];
      break;
    case 'suspended':
    case 'restored':
      params = { ...base, effectiveOn: f.date(f.localDateOf(request.effectiveAt)) };
      break;
  }
  if (kind !== 'credit-note') {
    facts.push(
      { label: m.labels.issueDate, value: f.date(invoice.issueDate) },
      { label: m.labels.dueDate, value: base.dueDate },
    );
  }
  facts.push(
    { label: m.labels.servicePeriod, value: base.period },
    { label: m.labels.customerNumber, value: oneLine(invoice.customer.id) },
  );
  if (request.kind === 'reminder' || request.kind === 'final-notice') {
    facts.push({
      label: m.labels.daysOverdue,
      value: String((params as KindParams['reminder']).daysOverdue),
    });
  }
  if (request.kind === 'final-notice')
    facts.push({ label: m.labels.suspensionDate, value: f.date(request.suspendOn) });

  const creditNote = request.kind === 'credit-note' ? request.creditNote : null;
  const subject = (m.subject[kind] as (p: typeof params) => string)(params);
  const intro = (m.intro[kind] as (p: typeof params) => string)(params);
  const showLines = SHOW_LINES[kind];

  const issuerLines = addressLines(invoice.issuer.address);
  if (invoice.issuer.taxId) issuerLines.push(`${m.labels.taxId}: ${oneLine(invoice.issuer.taxId)}`);
  const customerLines = addressLines(invoice.customer.address);
  if (invoice.customer.taxId) customerLines.push(`${m.labels.taxId}: ${oneLine(invoice.customer.taxId)}`);

  const notes: string[] = [];
  if (invoice.tax.exemption) notes.push(m.tax.exempt(oneLine(invoice.tax.exemption.reason)));
  if (showLines)
    notes.push(m.rounding(m.roundingModes[invoice.roundingRule.lines], invoice.roundingRule.tax));

  const payTo = options.payTo;
  const payment =
    kind === 'invoice' || kind === 'reminder' || kind === 'final-notice' || kind === 'suspended'
      ? {
          heading: m.payment.heading,
          lines: nothingDue
            ? [m.payment.nothingToPay]
            : [
                m.payment.transfer(number, base.amountDue, base.dueDate),
                ...(payTo?.accountHolder
                  ? [`${m.payment.accountHolder}: ${oneLine(payTo.accountHolder)}`]
                  : []),
                ...(payTo?.iban ? [`${m.payment.iban}: ${oneLine(payTo.iban)}`] : []),
                ...(payTo?.bic ? [`${m.payment.bic}: ${oneLine(payTo.bic)}`] : []),
                ...(payTo?.url ? [m.payment.online(oneLine(payTo.url))] : []),
              ],
        }
      : null;

  const footer = [
    [issuerName, ...issuerLines].join(' · '),
    m.questions,
    ...(options.deliveryRef ? [m.reference(oneLine(options.deliveryRef))] : []),
  ];

  return {
    kind,
    language,
    locale: f.locale,
    subject: oneLine(subject),
    title: m.title[kind],
    preheader: oneLine(intro),
    greeting: m.greeting(customerName),
    intro: cleanText(intro),
    closing: m.closing,
    issuerName,
    parties: [
      { label: m.labels.issuedBy, name: issuerName, lines: issuerLines },
      { label: m.labels.billedTo, name: customerName, lines: customerLines },
    ],
    facts,
    lines: creditNote
      ? (creditNote.lines ?? []).map((l) => creditLineView(l, number, f, m, invoice))
      : showLines
        ? invoice.lines.map((l) => lineView(l, f, m, invoice))
        : [],
    lineHeaders: {
      description: m.labels.description,
      quantity: m.labels.quantity,
      unitPrice: m.labels.unitPrice,
      amount: m.labels.amount,
    },
    linesCaption: creditNote ? m.labels.creditedLines : m.labels.lines,
    totals: creditNote
      ? creditTotalsView(creditNote, invoice, f, m)
      : showLines
        ? totalsView(invoice, f, m)
        : [],
    totalsCaption: m.labels.totals,
    payment,
    notes,
    appendix: kind === 'invoice' && options.appendix ? appendixView(options.appendix, invoice, f, m) : null,
    footer,
    attachPdf: ATTACH_PDF[kind],
    attachmentNote: m.attachmentNote,
    pdfFileName:
      request.kind === 'credit-note'
        ? pdfFileName('credit-note', request.creditNote.number)
        : pdfFileName('invoice', number),
    messages: m,
  };
}
