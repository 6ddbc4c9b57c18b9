import { describe, expect, it } from 'vitest';
import { type DataFolder, planStart, type SavedRun } from './saved-run.js';

const run: SavedRun = {
  version: 1,
  customers: 200,
  seed: 2026,
  finishedAt: '2026-11-24T22:00:00.000Z',
  savedAt: '2026-11-24T22:00:00.000Z',
  clock: '2026-04-01T00:00:00.000Z',
  summary: {},
  dunning: [],
  mails: 0,
};
const request = { fresh: false, customers: 200, seed: 2026, dataDir: '/x/.tally/demo' };

describe('planStart: reopen a finished run of the same customers and seed, else start over', () => {
  it('reopens a finished run of the same customers and seed', () => {
    expect(planStart({ state: 'finished', run }, request)).toEqual({ action: 'reopen', run });
  });

  it.each<[string, DataFolder, Partial<typeof request>, string | undefined]>([
    ['--fresh, even over a finished run', { state: 'finished', run }, { fresh: true }, undefined],
    ['an empty folder (the first run)', { state: 'empty' }, {}, undefined],
    [
      'a run that did not finish',
      { state: 'unfinished' },
      {},
      '/x/.tally/demo holds a run that did not finish',
    ],
    [
      'an unreadable run file',
      { state: 'unreadable', why: 'f is not JSON' },
      {},
      'f is not JSON: starting over',
    ],
    ['other customers', { state: 'finished', run }, { customers: 300 }, 'asks for 300 with seed 2026'],
    ['another seed', { state: 'finished', run }, { seed: 7 }, 'a run of 200 customers with seed 2026'],
  ])('starts over for %s, saying why when it is not asked to', (_, folder, change, why) => {
    const plan = planStart(folder, { ...request, ...change });
    expect(plan.action).toBe('run');
    if (why === undefined) expect(plan).toEqual({ action: 'run' });
    else expect(plan.action === 'run' && plan.why).toContain(why);
  });
});
