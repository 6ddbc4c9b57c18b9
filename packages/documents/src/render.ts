import type { Invoice } from '@tally/billing';
import { renderAppendixCsv } from './csv.js';
import { renderHtml } from './html.js';
import { type PdfOptions, renderPdf } from './pdf.js';
import type { DocumentRequest, RenderOptions } from './request.js';
import { renderText } from './text.js';
import { buildView } from './view.js';

/** A file to attach to the mail. */
export interface RenderedAttachment {
  readonly filename: string;
  readonly contentType: string;
  readonly content: Buffer;
}

/** Everything a mail about an invoice needs, rendered from one view. */
export interface RenderedDocument {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  readonly attachments: readonly RenderedAttachment[];
  /** Degradations that did not stop rendering (e.g. no Unicode font for the PDF). */
  readonly warnings: readonly string[];
}

/**
 * Renders the mail for a document request: subject, HTML and text bodies, and the PDF (plus the appendix as
 * CSV) when the kind carries them. Reminders and final notices attach the invoice PDF itself.
 *
 * @example
 * const doc = await renderDocument(invoice, { kind: 'invoice' }, { deliveryRef: 'dlv_…' });
 * doc.attachments[0].filename // 'invoice-ACME-2026-000123.pdf'
 */
export async function renderDocument(
  invoice: Invoice,
  request: DocumentRequest,
  options: RenderOptions & { pdf?: PdfOptions } = {},
): Promise<RenderedDocument> {
  const view = buildView(invoice, request, options);
  const attachments: RenderedAttachment[] = [];
  const warnings: string[] = [];
  if (view.attachPdf) {
    const pdfView =
      request.kind === 'reminder' || request.kind === 'final-notice'
        ? buildView(invoice, { kind: 'invoice' }, options)
        : view;
    const creationDate = invoice.finalizedAt ? new Date(invoice.finalizedAt) : undefined;
    const pdf = await renderPdf(pdfView, { creationDate, ...options.pdf });
    warnings.push(...pdf.warnings);
    attachments.push({ filename: view.pdfFileName, contentType: 'application/pdf', content: pdf.bytes });
    if (pdfView.appendix) {
      attachments.push({
        filename: view.pdfFileName.replace(/\.pdf$/, '-items.csv'),
        contentType: 'text/csv; charset=utf-8',
        content: Buffer.from(renderAppendixCsv(pdfView.appendix), 'utf8'),
      });
    }
  }
  return { subject: view.subject, html: renderHtml(view), text: renderText(view), attachments, warnings };
}
