import { closePeriods, closePeriodsDepsFromEnv } from '@tally/workflow';
import type { Command } from 'commander';
import type { CommandContext } from '../io.js';
import { stackNow } from '../stack-clock.js';

/** Runs close-periods once; the default is the close-periods Lambda's logic with its environment. */
export type CloseNow = () => Promise<{ due: number; enqueued: number }>;

/** close-periods with the stack's environment, at the stack's time (its test clock, locally). */
async function closeFromEnv(): Promise<{ due: number; enqueued: number }> {
  const now = await stackNow();
  return closePeriods({ ...closePeriodsDepsFromEnv(), clock: { now: () => now } });
}

/** `tally bill`: run period close now (what the hourly schedule does), enqueueing a billing job per due subscription. */
export function register(program: Command, { io }: CommandContext, closeNow: CloseNow = closeFromEnv): void {
  program
    .command('bill')
    .description('run period close now: enqueue a billing job for every subscription whose period has ended')
    .option('--json', 'print the counts as JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await closeNow();
      io.out(
        o.json
          ? `${JSON.stringify(r)}\n`
          : `${r.due} subscriptions due, ${r.enqueued} billing jobs enqueued\n`,
      );
    });
}
