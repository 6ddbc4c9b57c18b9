import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planBatches } from './batches.js';

describe('planBatches', () => {
  it.each<[string, string[], number, number[][]]>([
    ['nothing for no bodies', [], 100, []],
    // 23 one-byte bodies: 10 + 10 + 3
    [
      'at most 10 entries a request',
      Array.from({ length: 23 }, () => 'x'),
      100,
      [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [10, 11, 12, 13, 14, 15, 16, 17, 18, 19],
        [20, 21, 22],
      ],
    ],
    // 4 + 4 = 8 fits in 10, a third 4 would make 12
    [
      'at most maxBytes a request',
      ['aaaa', 'bbbb', 'cccc', 'dd'],
      10,
      [
        [0, 1],
        [2, 3],
      ],
    ],
    // 'é' is 2 bytes in UTF-8: 'éé' is 4 bytes, 3 of them 12 > 10
    ['bytes counted in UTF-8', ['éé', 'éé', 'éé'], 10, [[0, 1], [2]]],
    ['a body over the limit alone in its request', ['a', 'x'.repeat(50), 'b'], 10, [[0], [1], [2]]],
  ])('plans %s', (_, bodies, maxBytes, expected) => {
    expect(planBatches(bodies, maxBytes)).toEqual(expected);
  });

  it('keeps every body once, in order, within both limits unless a body alone is over', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 40 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 120 }),
        (bodies, max) => {
          const batches = planBatches(bodies, max);
          expect(batches.flat()).toEqual(bodies.map((_, i) => i));
          for (const b of batches) {
            expect(b.length).toBeGreaterThan(0);
            expect(b.length).toBeLessThanOrEqual(10);
            const bytes = b.reduce((n, i) => n + Buffer.byteLength(bodies[i]!), 0);
            if (b.length > 1) expect(bytes).toBeLessThanOrEqual(max);
          }
        },
      ),
    );
  });
});
