import { describe, expect, it } from 'vitest';
import { buildReport, REPORT_NAMES } from './build.js';
import { ReportInputError } from './errors.js';
import { data } from './testing.js';

const april = { from: '2026-04-01T00:00:00Z', to: '2026-05-01T00:00:00Z' };

describe('buildReport', () => {
  it.each([
    ['an asOf that is not an instant', { asOf: '2026-05-01', window: april }],
    [
      'a window that ends before it starts',
      { asOf: '2026-05-01T00:00:00Z', window: { from: april.to, to: april.from } },
    ],
    ['a zero timeliness threshold', { asOf: '2026-05-01T00:00:00Z', window: april, timelinessHours: 0 }],
    [
      'a trend start after the window',
      { asOf: '2026-05-01T00:00:00Z', window: april, trendFrom: '2026-06-01T00:00:00Z' },
    ],
  ])('refuses %s', (_, options) => {
    expect(() => buildReport('aging', data({}), options)).toThrow(ReportInputError);
  });

  it.each(REPORT_NAMES)('lays out "%s" with a title, definitions and sections even without data', (name) => {
    const doc = buildReport(name, data({}), { asOf: '2026-05-01T00:00:00Z', window: april });
    expect(doc.title.length).toBeGreaterThan(0);
    expect(doc.definitions.length).toBe(name === 'summary' ? 7 : 1);
    expect(doc.sections.length).toBeGreaterThan(0);
  });

  it('starts the usage trend six months before the end of the window by default', () => {
    const doc = buildReport('usage', data({}), { asOf: '2026-05-01T00:00:00Z', window: april });
    // 2026-05-01 minus six calendar months = 2025-11-01
    expect(doc.parameters).toContainEqual({ label: 'Usage trend from', value: '2025-11-01T00:00:00Z' });
  });
});
