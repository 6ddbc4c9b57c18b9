import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanText, csvCell, escapeHtml, headerSafe, html } from './escape.js';

describe('escapeHtml and the html tag', () => {
  it('escapes markup characters in interpolated values', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('escapes values but not the template, and nests safely', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p>${inner}${'&'}</p>`.value).toBe('<p><b>&lt;i&gt;</b>&amp;</p>');
  });

  it('never lets an interpolated string produce a tag or a quote (property)', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const out = html`<td title="${s}">${s}</td>`.value;
        const inner = out.slice('<td title="'.length, -'</td>'.length);
        return !/[<>"'`]/.test(inner.replace('">', ''));
      }),
    );
  });
});

describe('headerSafe', () => {
  it.each([
    ['Evil\r\nBcc: victim@example.org', 'Evil Bcc: victim@example.org'],
    ['a\rb\nc\u0085d', 'a b cd'],
    ['  spaced\t\tout  ', 'spaced out'],
  ])('makes %j one header-safe line: %j', (input, expected) => {
    expect(headerSafe(input)).toBe(expected);
  });

  it('never returns CR or LF (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => !/[\r\n]/.test(headerSafe(s))));
  });

  it('cuts long values with an ellipsis', () => {
    expect(headerSafe('x'.repeat(300), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});

describe('cleanText', () => {
  it('drops bidi overrides that could disguise an amount', () => {
    // U+202E RIGHT-TO-LEFT OVERRIDE would show "fdp.exe" as "exe.pdf"
    expect(cleanText('report\u202Efdp.exe')).toBe('reportfdp.exe');
  });

  it('keeps line breaks and tabs but no other controls', () => {
    expect(cleanText('a\r\nb\tc\u0000\u001bd')).toBe('a\nb\tcd');
  });
});

describe('csvCell', () => {
  it.each([
    ['=HYPERLINK("http://evil","x")', `"'=HYPERLINK(""http://evil"",""x"")"`],
    ['+1+2', "'+1+2"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['two\nlines', '"two\nlines"'],
  ])('neutralises and quotes %j as %j', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it('leaves numbers tally formatted as numbers', () => {
    expect(csvCell('-1.50', { numeric: true })).toBe('-1.50');
  });
});
