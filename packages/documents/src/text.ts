import type { DocumentView } from './view.js';

/**
 * The plain-text alternative. No column alignment: widths of CJK and proportional text cannot be known, so
 * each line is a heading followed by "quantity × unit price = amount", which reads in any client and any
 * language and survives reflowing. The view's strings are already free of control characters.
 */
export function renderText(v: DocumentView): string {
  const out: string[] = [];
  const rule = '-'.repeat(40);
  out.push(v.title.toUpperCase(), '', v.greeting, '', v.intro, '');
  for (const f of v.facts) out.push(`${f.label}: ${f.value}`);
  out.push('');
  for (const p of v.parties) {
    out.push(`${p.label}:`, `  ${p.name}`, ...p.lines.map((l) => `  ${l}`));
  }
  if (v.lines.length > 0) {
    out.push('', v.linesCaption, rule);
    for (const l of v.lines) {
      out.push(`* ${l.description}`);
      for (const d of l.details) out.push(`    ${d}`);
      const price = l.unitPrice ? ` × ${l.unitPrice}` : '';
      out.push(l.quantity ? `    ${l.quantity}${price} = ${l.amount}` : `    ${l.amount}`);
    }
    out.push(rule);
    for (const t of v.totals)
      out.push(t.strong ? `${t.label}: ${t.value}`.toUpperCase() : `${t.label}: ${t.value}`);
  }
  if (v.payment) {
    out.push('', v.payment.heading, ...v.payment.lines);
  }
  if (v.notes.length > 0) out.push('', ...v.notes);
  if (v.attachPdf) out.push('', v.attachmentNote);
  out.push('', v.closing, v.issuerName, '', '--', ...v.footer);
  return `${out.join('\n')}\n`;
}
