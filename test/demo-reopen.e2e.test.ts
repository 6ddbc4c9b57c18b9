import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  deliveryOf,
  demoCustomerIds,
  planStart,
  readDataFolder,
  reopenDemo,
  runDemo,
  SAVED_RUN_FILE,
  saveDemo,
  storedFigures,
} from '@tally/demo';
import { sesMailbox } from '@tally/local-stack';
import type { LocalPipeline } from '@tally/pipeline';
import { describe, expect, it } from 'vitest';

// `npm start` without --fresh reopens a finished run: DynamoDB from its folder, the mails, the clock and the
// dunning executions that were waiting. The test runs the same demo twice: one run goes on for 40 more days
// in the same process (the control); the other is saved, stopped, reopened and then goes on for the same 40
// days. Whatever dunning, billing and mail happen in those days must be the same in both.
const CUSTOMERS = 6;
const SEED = 77;
const DAYS = 40;

/** Moves the clock DAYS days on, a day at a time, and says what the stack holds then. */
async function goOn(pipeline: LocalPipeline) {
  const busBefore = pipeline.dunning.bus.events.length;
  const start = pipeline.clock.now().getTime();
  for (let d = 1; d <= DAYS; d++) {
    await pipeline.advanceTo(new Date(start + d * 86_400_000).toISOString(), 86_400_000);
  }
  const mailKinds = sesMailbox
    .list()
    .map((m) => deliveryOf(JSON.stringify(m))?.kind ?? 'other')
    .sort();
  return {
    clock: pipeline.clock.now().toISOString(),
    stored: await storedFigures(demoCustomerIds(CUSTOMERS)),
    mailKinds,
    busAfter: pipeline.dunning.bus.events
      .slice(busBefore)
      .map((e) => `${e.detailType} ${JSON.stringify(e.detail)}`)
      .sort(),
    running: [...pipeline.dunning.sfn.executions.values()].filter((e) => e.status === 'RUNNING').length,
  };
}

describe('npm start reopens a finished run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tally-demo-reopen-'));
  const result = (async () => {
    const control = await runDemo({
      customers: CUSTOMERS,
      seed: SEED,
      dataDir: join(dir, 'a'),
      fresh: true,
      keepRunning: true,
    });
    let controlAfter: Awaited<ReturnType<typeof goOn>>;
    try {
      controlAfter = await goOn(control.pipeline);
    } finally {
      await control.pipeline.stop();
    }

    const dataDir = join(dir, 'b');
    const first = await runDemo({
      customers: CUSTOMERS,
      seed: SEED,
      dataDir,
      fresh: true,
      keepRunning: true,
    });
    const atSave = {
      clock: first.pipeline.clock.now().toISOString(),
      mails: sesMailbox.list().length,
      running: [...first.pipeline.dunning.sfn.executions.values()].filter((e) => e.status === 'RUNNING')
        .length,
    };
    try {
      saveDemo(first.pipeline, {
        dataDir,
        seed: SEED,
        finishedAt: new Date().toISOString(),
        summary: first.summary,
      });
    } finally {
      await first.pipeline.stop();
    }
    const folder = readDataFolder(dataDir);
    const plan = planStart(folder, { fresh: false, customers: CUSTOMERS, seed: SEED, dataDir });
    if (plan.action !== 'reopen') throw new Error(`expected a reopen, got ${JSON.stringify(plan)}`);
    const reopened = await reopenDemo({ dataDir, run: plan.run });
    let reopenedAfter: Awaited<ReturnType<typeof goOn>>;
    const onReopen = {
      clock: reopened.pipeline.clock.now().toISOString(),
      mails: sesMailbox.list().length,
      summary: reopened.summary,
      restarted: reopened.dunningRestarted,
    };
    try {
      reopenedAfter = await goOn(reopened.pipeline);
    } finally {
      await reopened.pipeline.stop();
    }
    return { first, atSave, onReopen, controlAfter, reopenedAfter };
  })();

  it('comes back with the tables, the mails, the clock and the waiting dunning of the saved run', async () => {
    const { first, atSave, onReopen } = await result;
    expect(existsSync(join(dir, 'b', SAVED_RUN_FILE))).toBe(true);
    expect(onReopen.clock).toBe(atSave.clock);
    expect(onReopen.mails).toBe(atSave.mails);
    expect(onReopen.mails).toBeGreaterThan(0);
    // Counted again from the reopened DynamoDB and SES, not copied from the saved summary.
    expect(onReopen.summary.invoices).toEqual(first.summary.invoices);
    expect(onReopen.summary.emails).toEqual(first.summary.emails);
    expect(onReopen.summary.sesPage).not.toBe(first.summary.sesPage);
    expect(onReopen.restarted).toBe(atSave.running);
  });

  it('goes on as the run it was saved from would have: same bills, mails and dunning in the next 40 days', async () => {
    const { atSave, controlAfter, reopenedAfter } = await result;
    // The 40 days are not idle: dunning and the next bills send mail, so a reopen that lost the waiting
    // executions or the clock would differ from the control.
    expect(atSave.running).toBeGreaterThan(0);
    expect(controlAfter.mailKinds.length).toBeGreaterThan(atSave.mails);
    expect(reopenedAfter.clock).toBe(controlAfter.clock);
    expect(reopenedAfter.stored).toEqual(controlAfter.stored);
    expect(reopenedAfter.mailKinds).toEqual(controlAfter.mailKinds);
    expect(reopenedAfter.busAfter).toEqual(controlAfter.busAfter);
    expect(reopenedAfter.running).toBe(controlAfter.running);
  });
});
