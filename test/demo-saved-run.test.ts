import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDataFolder, readSavedMails, SAVED_MAILS_FILE, SAVED_RUN_FILE, saveRun } from '@tally/demo';
import { describe, expect, it } from 'vitest';

const saved = {
  customers: 9,
  seed: 77,
  finishedAt: '2026-11-24T22:00:00.000Z',
  savedAt: '2026-11-24T22:05:00.000Z',
  clock: '2026-04-21T00:00:00.000Z',
  summary: { customers: 9 },
  dunning: [{ name: 'inv_1', input: '{"invoiceId":"inv_1"}' }],
};

describe('the data folder of npm start', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'tally-saved-run-'));

  it('is empty when missing or without files, unfinished with files but no run file', () => {
    const d = dir();
    expect(readDataFolder(join(d, 'none'))).toEqual({ state: 'empty' });
    expect(readDataFolder(d)).toEqual({ state: 'empty' });
    writeFileSync(join(d, 'CURRENT'), 'MANIFEST-000002\n');
    expect(readDataFolder(d)).toEqual({ state: 'unfinished' });
  });

  it('reads back what saveRun wrote: the run and its mails', () => {
    const d = dir();
    const mails = [
      { messageId: 'm1', subject: 'Invoice' },
      { messageId: 'm2', subject: 'Reminder' },
    ];
    saveRun(d, saved, mails);
    const folder = readDataFolder(d);
    expect(folder).toEqual({ state: 'finished', run: { version: 1, ...saved, mails: 2 } });
    if (folder.state !== 'finished') throw new Error('unreachable');
    expect(readSavedMails(d, folder.run)).toEqual(mails);
  });

  it('names the file and the field when the run file is not JSON or of another version', () => {
    const d = dir();
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, SAVED_RUN_FILE), '{"version":');
    const broken = readDataFolder(d);
    expect(broken.state).toBe('unreadable');
    expect(broken.state === 'unreadable' && broken.why).toMatch(/tally-run\.json is not JSON/);
    writeFileSync(join(d, SAVED_RUN_FILE), JSON.stringify({ ...saved, version: 0, mails: 0 }));
    const old = readDataFolder(d);
    expect(old.state === 'unreadable' && old.why).toMatch(/another version of the demo \(version:/);
  });

  it('refuses mails fewer than the run file says', () => {
    const d = dir();
    saveRun(d, saved, [{ messageId: 'm1' }, { messageId: 'm2' }]);
    writeFileSync(join(d, SAVED_MAILS_FILE), '[{"messageId":"m1"}]');
    const folder = readDataFolder(d);
    if (folder.state !== 'finished') throw new Error(`expected a finished run, got ${folder.state}`);
    expect(() => readSavedMails(d, folder.run)).toThrow(/expected 2 saved mails, found 1/);
  });
});
