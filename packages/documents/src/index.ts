export {
  APPENDIX_ROW_LIMIT,
  type AppendixQuery,
  type AppendixRows,
  type AppendixSource,
  type AppendixSpec,
  AppendixSpecSchema,
  appendixSpecOf,
  loadAppendix,
} from './appendix.js';
export { creditNoteRequest } from './credit-note.js';
export { renderAppendixCsv } from './csv.js';
export { DocumentInputError } from './errors.js';
export { cleanText, csvCell, escapeHtml, headerSafe, html, oneLine, SafeHtml } from './escape.js';
export {
  BUNDLED_FONT,
  bundledFont,
  findUnicodeFont,
  NOTO_CJK,
  type PdfFont,
  packagedFontPaths,
} from './fonts.js';
export { Formatter } from './format.js';
export { renderHtml } from './html.js';
export {
  type KindParams,
  LANGUAGES,
  type Language,
  languageOf,
  MESSAGES,
  type Messages,
} from './messages.js';
export { needsUnicodeFont, type PdfOptions, type PdfResult, renderPdf } from './pdf.js';
export { type RenderedAttachment, type RenderedDocument, renderDocument } from './render.js';
export {
  type Appendix,
  AppendixSchema,
  type CallRecord,
  CallRecordSchema,
  type CreditNote,
  type CreditNoteLine,
  CreditNoteLineSchema,
  CreditNoteSchema,
  DOCUMENT_KINDS,
  type DocumentKind,
  DocumentKindSchema,
  type DocumentRequest,
  DocumentRequestSchema,
  type IntervalRecord,
  IntervalRecordSchema,
  type Payment,
  PaymentSchema,
  type PayTo,
  PayToSchema,
  type RenderOptions,
} from './request.js';
export { renderText } from './text.js';
export {
  type AppendixView,
  buildView,
  type DocumentView,
  type Fact,
  type LineView,
  type Party,
  type TotalRow,
} from './view.js';
