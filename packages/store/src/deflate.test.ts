import { inflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deflateRawFixed } from './deflate.js';

const roundTrips = (bytes: Uint8Array) => {
  expect(Buffer.compare(inflateRawSync(deflateRawFixed(bytes)), Buffer.from(bytes))).toBe(0);
};

// Inputs with many repeats (as JSON has): words from a small alphabet, so matches of every length and
// distance occur, runs longer than a match (258), and inputs longer than the window (32 KB).
const repetitive = fc
  .array(
    fc.oneof(fc.constantFrom('a', 'ab', '"key":', '{"x":1}', 'é', '\u{1f600}'), fc.string({ maxLength: 4 })),
    {
      maxLength: 400,
    },
  )
  .map((parts) => Buffer.from(parts.join('')));

describe('deflateRawFixed', () => {
  it('round-trips any bytes through zlib inflate', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (b) => roundTrips(b)),
      { numRuns: 300 },
    );
  });

  it('round-trips repetitive text, one input after another (state kept between calls)', () => {
    fc.assert(
      fc.property(fc.array(repetitive, { minLength: 1, maxLength: 5 }), (inputs) => {
        for (const b of inputs) roundTrips(b);
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['one byte', Buffer.from('x')],
    ['a run longer than a match', Buffer.from('x'.repeat(5000))],
    [
      'a repeat at the window limit',
      Buffer.concat([Buffer.from('0123456789'), Buffer.alloc(32_758, 7), Buffer.from('0123456789')]),
    ],
    [
      'a repeat just past the window',
      Buffer.concat([Buffer.from('0123456789'), Buffer.alloc(32_759, 7), Buffer.from('0123456789')]),
    ],
    [
      '70 KB of varied text',
      Buffer.from(Array.from({ length: 7000 }, (_, i) => `${i % 97}:${i % 13};`).join('')),
    ],
  ])('round-trips %s', (_, bytes) => roundTrips(bytes));

  it('compresses repetitive JSON: 520 x in a 834-byte event data to under a third', () => {
    const data = Buffer.from(
      JSON.stringify({
        durationSeconds: 31,
        destination: '493012340001',
        route: 'de-mobile-premium-route-with-a-long-descriptive-name-for-size',
        tags: ['roaming:false', 'volte:true', 'emergency:false'],
        note: 'x'.repeat(520),
      }),
    );
    // The 520 x cost 1 literal + 3 matches of at most 258 (about 30 bits in all); the rest is literals,
    // 8 bits each: the output is about the length of the JSON without the run.
    const z = deflateRawFixed(data);
    expect(z.length).toBeLessThan(data.length / 3);
    expect(z.length).toBeGreaterThan(data.length - 520 - 40);
  });
});
