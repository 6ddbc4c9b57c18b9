import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { instantMs } from './instant.js';

describe('instantMs', () => {
  it.each([
    ['1970-01-01T00:00:00.000Z', 0],
    ['2026-01-05T08:00:00.000Z', 1_767_600_000_000], // 20,458 days × 86,400,000 + 8 h × 3,600,000
    ['1969-12-31T23:59:59.999Z', -1],
    ['2024-02-29T12:00:00.000Z', 1_709_208_000_000], // leap day: 19,782 days + 12 h
  ])('reads %s as %i ms', (text, ms) => {
    expect(instantMs(text)).toBe(ms);
  });

  it.each([
    '2026-02-30T00:00:00.000Z', // Date.parse rolls over to March 2
    '2026-13-01T00:00:00.000Z',
    '2026-01-01T24:00:00.000Z',
    '2026-01-01T00:00:00Z',
    '2026-01-01T01:00:00.000+01:00',
    '+275760-09-13T00:00:00.000Z',
    'not a time',
  ])('gives what Date.parse gives for the odd shape %s', (text) => {
    expect(instantMs(text)).toEqual(Date.parse(text));
  });

  it('equals Date.parse for every instant toISOString prints (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }), (ms) => {
        const text = new Date(ms).toISOString();
        expect(instantMs(text)).toBe(ms);
      }),
      { numRuns: 2000 },
    );
  });

  it('equals Date.parse for strings of the same shape with any digits (property)', () => {
    const d = (n: number) => fc.stringMatching(new RegExp(`^\\d{${n}}$`));
    fc.assert(
      fc.property(d(4), d(2), d(2), d(2), d(2), d(2), d(3), (y, mo, da, h, mi, s, ms) => {
        const text = `${y}-${mo}-${da}T${h}:${mi}:${s}.${ms}Z`;
        expect(instantMs(text)).toEqual(Date.parse(text));
      }),
      { numRuns: 2000 },
    );
  });
});
