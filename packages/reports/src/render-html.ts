import { renderChartSvg } from './charts.js';
import { displayCell, isNumeric, type ReportDocument, type ReportSection } from './document.js';

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const STYLE = `
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d0d7de; --band: #f6f8fa; --accent: #2f6db3; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #fff; }
h1 { font-size: 24px; margin: 0 0 8px; }
h2 { font-size: 18px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--accent); }
dl.params { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0 0 16px; color: var(--muted); }
dl.params dt { font-weight: 600; }
dl.params dd { margin: 0; }
nav ul { display: flex; flex-wrap: wrap; gap: 4px 16px; padding: 0; list-style: none; margin: 0; }
nav a, a { color: var(--accent); }
.charts { display: flex; flex-wrap: wrap; gap: 16px; margin: 12px 0; overflow-x: auto; }
figure { width: min-content; margin: 0; padding: 8px; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
figcaption { font-weight: 600; margin-bottom: 4px; }
figcaption .chart-desc { display: block; font-weight: 400; color: var(--muted); font-size: 12px; }
/* Wide tables scroll inside their section instead of widening the page on a phone. */
.table-wrap { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: 8px 0; min-width: 40%; }
/* The section heading names the table on screen; the caption names it for screen readers. */
caption { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
th { background: var(--band); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td, tr.total th { font-weight: 700; border-top: 2px solid var(--fg); }
p.empty, p.note, footer { color: var(--muted); }
footer { margin-top: 40px; font-size: 12px; }
@media (max-width: 600px) { body { padding: 12px; } }
@media print { .charts { break-inside: avoid; } }
`;

/**
 * Renders a report as one self-contained HTML page: inline CSS, charts as inline SVG, no script and no external
 * resource (a Content-Security-Policy forbids any fetch), every figure also in a table, every value escaped.
 */
export async function renderHtml(doc: ReportDocument): Promise<string> {
  let chartNo = 0;
  const sections: string[] = [];
  for (const [i, section] of doc.sections.entries()) {
    const charts: string[] = [];
    for (const chart of section.charts ?? []) {
      chartNo += 1;
      const id = `chart-${chartNo}`;
      const svg = await renderChartSvg(chart);
      charts.push(
        `<figure aria-labelledby="${id}-title" aria-describedby="${id}-desc">` +
          `<figcaption><span class="chart-title" id="${id}-title">${escapeHtml(chart.title)}</span>` +
          `<span class="chart-desc" id="${id}-desc">${escapeHtml(chart.description)} The table below lists the same figures.</span></figcaption>` +
          `${svg}</figure>`,
      );
    }
    sections.push(sectionHtml(section, `s${i + 1}`, charts));
  }
  const toc = doc.sections.map((s, i) => `<li><a href="#s${i + 1}">${escapeHtml(s.title)}</a></li>`).join('');
  const params = doc.parameters
    .map((p) => `<dt>${escapeHtml(p.label)}</dt><dd>${escapeHtml(p.value)}</dd>`)
    .join('');
  const definitions = doc.definitions.map((d) => `<li>${escapeHtml(d)}</li>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(doc.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(doc.title)}</h1>
<dl class="params">${params}</dl>
<nav aria-label="Sections"><ul>${toc}</ul></nav>
</header>
<main>
${sections.join('\n')}
</main>
<footer><p>Definitions</p><ul>${definitions}</ul><p>Amounts are per currency and never converted or added across currencies.</p></footer>
</body>
</html>
`;
}

function sectionHtml(section: ReportSection, anchor: string, charts: readonly string[]): string {
  const parts = [
    `<section id="${anchor}" aria-labelledby="${anchor}-h">`,
    `<h2 id="${anchor}-h">${escapeHtml(section.title)}</h2>`,
  ];
  if (section.description) parts.push(`<p>${escapeHtml(section.description)}</p>`);
  if (charts.length > 0) parts.push(`<div class="charts">${charts.join('')}</div>`);
  if (section.rows.length === 0) {
    parts.push('<p class="empty">No data in this report’s scope.</p>');
  } else {
    const head = section.columns
      .map((c) => `<th scope="col"${isNumeric(c.kind) ? ' class="num"' : ''}>${escapeHtml(c.label)}</th>`)
      .join('');
    const rows = section.rows
      .map((r) => {
        const cells = section.columns
          .map(
            (c) =>
              `<td${isNumeric(c.kind) ? ' class="num"' : ''}>${escapeHtml(displayCell(c, r.cells[c.key] ?? null) ?? '—')}</td>`,
          )
          .join('');
        return `<tr${r.total ? ' class="total"' : ''}>${cells}</tr>`;
      })
      .join('\n');
    parts.push(
      `<div class="table-wrap"><table><caption>${escapeHtml(section.title)}</caption><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table></div>`,
    );
  }
  for (const n of section.notes ?? []) parts.push(`<p class="note">${escapeHtml(n)}</p>`);
  parts.push('</section>');
  return parts.join('\n');
}
