import { html, type SafeHtml } from './escape.js';
import type { DocumentView } from './view.js';

/**
 * The HTML mail. Built for mail clients rather than browsers: table layout, every style inline (Gmail and
 * Outlook drop or ignore most of <style>), a fluid 600 px column, system fonts, no images, no external
 * assets, no scripts. Accessible: `lang`, a real <h1>, layout tables marked `role="presentation"`, data tables
 * with <caption> and `scope` headers, text colours with contrast above 4.5:1 on their background.
 * Every interpolated value is escaped by the `html` tag.
 */
const FONT =
  "-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,'Noto Sans','Noto Sans CJK JP',sans-serif";
const TEXT = '#1f2933';
const MUTED = '#52606d';
const RULE = '#d9e2ec';
const ACCENT = '#0b4f8a';

const cell = `padding:8px 0;border-bottom:1px solid ${RULE};vertical-align:top;`;
const numCell = `${cell}text-align:right;white-space:nowrap;padding-left:12px;`;
const th = `padding:8px 0;border-bottom:2px solid ${TEXT};font-size:13px;color:${MUTED};font-weight:600;`;

function facts(v: DocumentView): SafeHtml {
  return html`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;margin:16px 0;">
${v.facts.map(
  (
    f,
  ) => html`<tr><td style="padding:4px 12px 4px 0;color:${MUTED};font-size:14px;width:45%;">${f.label}</td><td style="padding:4px 0;font-size:14px;font-weight:600;">${f.value}</td></tr>
`,
)}</table>`;
}

function parties(v: DocumentView): SafeHtml {
  return html`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;margin:8px 0 16px;">
<tr>${v.parties.map(
    (
      p,
    ) => html`<td class="stack" style="vertical-align:top;width:50%;padding:0 12px 12px 0;font-size:14px;line-height:1.5;">
<div style="color:${MUTED};font-size:12px;text-transform:uppercase;letter-spacing:0.04em;">${p.label}</div>
<div style="font-weight:600;">${p.name}</div>
${p.lines.map((l) => html`<div>${l}</div>`)}
</td>`,
  )}</tr></table>`;
}

function lines(v: DocumentView): SafeHtml {
  if (v.lines.length === 0) return html``;
  const h = v.lineHeaders;
  return html`<table width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;margin:16px 0 0;font-size:14px;">
<caption style="text-align:left;font-weight:600;font-size:16px;padding:0 0 8px;">${v.linesCaption}</caption>
<thead><tr>
<th scope="col" style="${th}text-align:left;">${h.description}</th>
<th scope="col" style="${th}text-align:right;padding-left:12px;">${h.quantity}</th>
<th scope="col" class="hide-sm" style="${th}text-align:right;padding-left:12px;">${h.unitPrice}</th>
<th scope="col" style="${th}text-align:right;padding-left:12px;">${h.amount}</th>
</tr></thead>
<tbody>
${v.lines.map(
  (l) => html`<tr>
<td style="${cell}">${l.description}${l.details.map((d) => html`<div style="color:${MUTED};font-size:12px;">${d}</div>`)}</td>
<td style="${numCell}">${l.quantity}</td>
<td class="hide-sm" style="${numCell}">${l.unitPrice}</td>
<td style="${numCell}">${l.amount}</td>
</tr>
`,
)}</tbody></table>`;
}

function totals(v: DocumentView): SafeHtml {
  if (v.totals.length === 0) return html``;
  return html`<table width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;margin:0 0 16px;font-size:14px;">
<caption style="position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);">${v.totalsCaption}</caption>
<tbody>
${v.totals.map(
  (
    t,
  ) => html`<tr><th scope="row" style="padding:6px 0;text-align:right;font-weight:${t.strong ? '700' : '400'};">${t.label}</th><td style="padding:6px 0 6px 12px;text-align:right;white-space:nowrap;width:1%;font-weight:${t.strong ? '700' : '400'};${t.strong ? `border-top:1px solid ${TEXT};` : ''}">${t.value}</td></tr>
`,
)}</tbody></table>`;
}

/** Renders the view as a complete HTML document for the text/html part of the mail. */
export function renderHtml(v: DocumentView): string {
  const doc = html`<!DOCTYPE html>
<html lang="${v.locale}" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<meta name="color-scheme" content="light">
<title>${v.subject}</title>
<style>
@media (max-width: 480px) {
  .hide-sm { display: none !important; }
  .stack { display: block !important; width: 100% !important; }
  .pad { padding: 16px !important; }
}
</style>
</head>
<body style="margin:0;padding:0;background:#f0f4f8;color:${TEXT};font-family:${FONT};">
<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;">${v.preheader}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;background:#f0f4f8;">
<tr><td align="center" style="padding:24px 8px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;max-width:600px;background:#ffffff;border:1px solid ${RULE};border-radius:6px;">
<tr><td class="pad" style="padding:32px;font-family:${FONT};color:${TEXT};">
<div style="font-size:13px;color:${MUTED};">${v.issuerName}</div>
<h1 style="margin:4px 0 16px;font-size:24px;line-height:1.3;color:${ACCENT};">${v.title}</h1>
<p style="margin:0 0 12px;font-size:15px;line-height:1.6;">${v.greeting}</p>
<p style="margin:0 0 12px;font-size:15px;line-height:1.6;">${v.intro}</p>
${facts(v)}
${parties(v)}
${lines(v)}
${totals(v)}
${
  v.payment
    ? html`<h2 style="margin:24px 0 8px;font-size:16px;">${v.payment.heading}</h2>
${v.payment.lines.map((l) => html`<p style="margin:0 0 6px;font-size:14px;line-height:1.5;">${l}</p>`)}`
    : ''
}
${v.notes.map((n) => html`<p style="margin:12px 0 0;font-size:12px;line-height:1.5;color:${MUTED};">${n}</p>`)}
${v.attachPdf ? html`<p style="margin:16px 0 0;font-size:14px;">${v.attachmentNote}</p>` : ''}
<p style="margin:24px 0 0;font-size:15px;">${v.closing}<br>${v.issuerName}</p>
</td></tr>
<tr><td class="pad" style="padding:16px 32px;border-top:1px solid ${RULE};font-size:12px;line-height:1.5;color:${MUTED};font-family:${FONT};">
${v.footer.map((l) => html`<div>${l}</div>`)}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
  return doc.value;
}
