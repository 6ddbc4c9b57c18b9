import { describe, expect, it } from 'vitest';
import { buildReport } from './build.js';
import { displayCell, type ReportColumn, type ReportDocument } from './document.js';
import { ReportInputError } from './errors.js';
import { csvField, renderCsv } from './render-csv.js';
import { escapeHtml, renderHtml } from './render-html.js';
import { renderTable, sanitizeForTerminal } from './render-table.js';
import { data, invoice } from './testing.js';

const HOSTILE = '<script>alert("x")</script> & \'o\' =HYPERLINK("http://evil")';

const doc: ReportDocument = {
  name: 'test',
  title: 'Test <report>',
  asOf: '2026-05-01T00:00:00Z',
  window: { from: '2026-04-01T00:00:00Z', to: '2026-05-01T00:00:00Z' },
  parameters: [{ label: 'As of', value: '2026-05-01T00:00:00Z' }],
  sections: [
    {
      id: 'one',
      title: 'First',
      columns: [
        { key: 'name', label: 'Name', kind: 'text' },
        { key: 'amount', label: 'Amount', kind: 'money' },
      ],
      rows: [
        { cells: { name: 'plain', amount: '-17.00' } },
        { cells: { name: 'a,b "c"\nd', amount: null } },
        { cells: { name: 'Total', amount: '12.00' }, total: true },
      ],
      notes: ['a note'],
    },
    { id: 'two', title: 'Second', columns: [{ key: 'x', label: 'X', kind: 'count' }], rows: [] },
  ],
  definitions: ['A definition.'],
};

describe('displayCell', () => {
  const quantity: ReportColumn = { key: 'q', label: 'Quantity', kind: 'number', places: 3 };
  it.each<[string | null, string | null]>([
    ['1316.4166666666666666666666666666666666667', '1316.417'], // 4th decimal 6 rounds the 3rd up
    ['2.0004', '2'], // 2.000 with trailing zeros dropped
    ['2.0005', '2.001'], // half-up
    ['12.5000', '12.5'],
    ['42', '42'],
    ['-1.23456', '-1.235'], // rounds away from zero: the dropped 0.00056 is over half a thousandth
    [null, null],
    ['n/a', 'n/a'], // not a plain decimal: left as it is
  ])('shows %j as %j in a column with 3 places', (cell, shown) => {
    expect(displayCell(quantity, cell)).toBe(shown);
  });

  it('leaves cells of a column without places as they are', () => {
    expect(displayCell({ key: 'a', label: 'A', kind: 'money' }, '10.123456')).toBe('10.123456');
  });
});

describe('csvField', () => {
  it.each<[string | null, boolean, string]>([
    ['plain', false, 'plain'],
    [null, false, ''],
    ['a,b', false, '"a,b"'], // RFC 4180: a comma needs quotes
    ['say "hi"', false, '"say ""hi"""'], // inner quotes doubled
    ['two\r\nlines', false, '"two\r\nlines"'],
    ['=SUM(A1:A9)', false, "'=SUM(A1:A9)"], // formula injection: prefixed with a single quote
    ['+1', false, "'+1"],
    ['-1+1', false, "'-1+1"],
    ['@cmd', false, "'@cmd"],
    ['\tx', false, "'\tx"],
    ['\rx', false, '"\'\rx"'], // prefixed, then quoted for the CR
    ['\0x', false, "'\0x"],
    ['=HYPERLINK("http://x","y")', false, '"\'=HYPERLINK(""http://x"",""y"")"'],
    ['-17.00', true, '-17.00'], // a plain negative number in a numeric column stays a number
    ['-17.00', false, "'-17.00"], // the same text in a text column is defended
    ['-1+2', true, "'-1+2"], // not a plain number: defended even in a numeric column
  ])('encodes %j (numeric %s) as %j', (value, numeric, expected) => {
    expect(csvField(value, numeric)).toBe(expected);
  });
});

describe('renderCsv', () => {
  it('writes every section as a table with CRLF line ends, separated by an empty line', () => {
    expect(renderCsv(doc)).toBe(
      ['Name,Amount', 'plain,-17.00', '"a,b ""c""\nd",', 'Total,12.00', '', 'X', ''].join('\r\n'),
    );
  });

  it('writes one section on request', () => {
    expect(renderCsv(doc, { section: 'two' })).toBe('X\r\n');
  });

  it('fails for an unknown section and names the ones there are', () => {
    expect(() => renderCsv(doc, { section: 'nope' })).toThrow(ReportInputError);
    expect(() => renderCsv(doc, { section: 'nope' })).toThrow(/has no section "nope": it has one, two/);
  });
});

describe('renderTable', () => {
  it('aligns numbers right, marks totals and empty cells', () => {
    const text = renderTable(doc);
    // widest name: 'a,b "c"' + replaced newline + 'd' = 9 characters; widest amount '-17.00' = 6
    expect(text).toContain(
      [
        'Name       Amount',
        '---------  ------',
        'plain      -17.00',
        'a,b "c"\uFFFDd       —',
        '---------  ------',
        'Total       12.00',
      ].join('\n'),
    );
    expect(text).toContain('(no data)');
    expect(text).toContain('Note: a note');
  });

  it('neutralizes terminal control characters from the data', () => {
    expect(sanitizeForTerminal('ok\u001b[2Jcleared\rback')).toBe('ok\uFFFD[2Jcleared\uFFFDback');
  });
});

describe('usage quantities', () => {
  // 78,985 s of calls in minutes: 78985 / 60 = 1316.41666…, stored with 40 significant digits
  const exact = '1316.416666666666666666666666666666666667';
  const usageDoc = buildReport(
    'usage',
    data({
      usage: [
        {
          customerId: 'c',
          meterId: 'calls',
          periodStart: '2026-04-01T00:00:00Z',
          quantity: exact,
          unit: 'min',
        },
      ],
    }),
    { asOf: '2026-05-01T00:00:00Z', window: { from: '2026-04-01T00:00:00Z', to: '2026-05-01T00:00:00Z' } },
  );

  it('keeps the exact quantity in the document (the JSON output)', () => {
    expect(usageDoc.sections[0]?.rows[0]?.cells.quantity).toBe(exact);
    expect(JSON.stringify(usageDoc)).toContain(exact);
  });

  it('shows the quantity to 3 decimals in the table, CSV and HTML', async () => {
    const outputs = [renderTable(usageDoc), renderCsv(usageDoc), await renderHtml(usageDoc)];
    for (const out of outputs) {
      expect(out).toContain('1316.417');
      expect(out).not.toContain('1316.4166');
    }
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML-special characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('renderHtml', () => {
  const hostileData = data({
    invoices: [
      invoice({
        id: 'h1',
        customerId: HOSTILE,
        finalizedAt: '2026-04-02T00:00:00Z',
        dueDate: '2026-04-10',
        lines: [{ planId: HOSTILE, meterId: `${HOSTILE}-meter`, amount: '10.00' }],
      }),
    ],
    usage: [
      { customerId: 'c', meterId: HOSTILE, periodStart: '2026-04-01T00:00:00Z', quantity: '5', unit: '<u>' },
    ],
  });
  const options = {
    asOf: '2026-05-01T00:00:00Z',
    window: { from: '2026-04-01T00:00:00Z', to: '2026-05-01T00:00:00Z' },
  };

  it('escapes data in tables and charts and runs no script', async () => {
    const html = await renderHtml(buildReport('summary', hostileData, options));
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('<u>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });

  it('is self-contained: inline SVG charts, no external resource, a policy that forbids fetching', async () => {
    const html = await renderHtml(buildReport('summary', hostileData, options));
    expect(html).toContain("default-src 'none'");
    expect(html.match(/<svg /g)?.length).toBeGreaterThanOrEqual(3); // aging, revenue by plan and meter, usage
    // no attribute points anywhere (the only URLs are SVG namespace names and escaped data)
    expect(html).not.toMatch(/\s(src|href)="(?!#)/);
    expect(html).not.toMatch(/<link|@import|url\(/i);
  });

  it('gives every chart a caption and a table with the same figures', async () => {
    const html = await renderHtml(buildReport('aging', hostileData, options));
    expect(html).toMatch(/<figure aria-labelledby="chart-1-title" aria-describedby="chart-1-desc">/);
    expect(html).toContain(
      '<span class="chart-title" id="chart-1-title">Open receivables by age, EUR</span>',
    );
    expect(html).toMatch(/<div class="table-wrap"><table><caption>Aging by currency<\/caption>/);
  });
});
