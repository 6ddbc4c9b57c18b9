import { parseDuration } from '@tally/local-stack';
import type { ClockStore } from '@tally/store';
import type { Command } from 'commander';
import { InputError } from '../errors.js';
import type { CommandContext } from '../io.js';
import { clockStoreFromEnv } from '../stack-clock.js';

type ClockPort = Pick<ClockStore, 'read' | 'advance' | 'set'>;

/**
 * `tally clock`: the local stack's test clock, stored in the billing table so the running stack follows it
 * (its schedules fire for every hour passed: `tally clock advance 31d` bills a month in seconds). Local only.
 */
export function register(
  program: Command,
  { io }: CommandContext,
  deps: () => ClockPort = clockStoreFromEnv,
): void {
  const clock = program.command('clock').description('show or move the local test clock');
  clock
    .command('show')
    .description('print the test clock')
    .action(async () => {
      const now = await deps().read();
      io.out(
        `${now === null ? 'no test clock stored (the stack uses its start time)' : now.toISOString()}\n`,
      );
    });
  clock
    .command('advance <duration>')
    .description('move the clock forward, e.g. 31d, 6h, 90m')
    .action(async (duration: string) => {
      let ms: number;
      try {
        ms = parseDuration(duration);
      } catch (err) {
        throw new InputError((err as Error).message);
      }
      io.out(`${(await deps().advance(ms)).toISOString()}\n`);
    });
  clock
    .command('set <iso>')
    .description('move the clock to an instant (never backwards)')
    .action(async (iso: string) => {
      const to = new Date(iso);
      if (Number.isNaN(to.getTime())) throw new InputError(`"${iso}" is not an ISO 8601 instant`);
      try {
        io.out(`${(await deps().set(to)).toISOString()}\n`);
      } catch (err) {
        if (err instanceof RangeError) throw new InputError(err.message);
        throw err;
      }
    });
}
