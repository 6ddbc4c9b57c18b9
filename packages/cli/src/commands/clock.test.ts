import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { register } from './clock.js';

function program(start: Date | null) {
  let now = start;
  const out: string[] = [];
  const p = new Command('tally').exitOverride();
  register(p, { io: { out: (t) => out.push(t), err: () => undefined, readFile: async () => '' } }, () => ({
    read: async () => now,
    advance: async (ms: number) => {
      now = new Date((now ?? new Date('2026-01-01T00:00:00Z')).getTime() + ms);
      return now;
    },
    set: async (to: Date) => {
      now = to;
      return to;
    },
  }));
  return { p, out };
}

describe('tally clock', () => {
  it('advances the stored clock by a duration such as 31d', async () => {
    const { p, out } = program(new Date('2026-01-01T00:00:00Z'));
    await p.parseAsync(['clock', 'advance', '31d'], { from: 'user' });
    // Jan 1 + 31 days = Feb 1.
    expect(out).toEqual(['2026-02-01T00:00:00.000Z\n']);
  });

  it('refuses a duration without a unit', async () => {
    const { p } = program(null);
    await expect(p.parseAsync(['clock', 'advance', '31'], { from: 'user' })).rejects.toThrow(
      /invalid duration/,
    );
  });
});
