import type { Command } from 'commander';
import { readInputFile } from '../input.js';
import type { CommandContext } from '../io.js';
import { parsePlan, parseUsageFile, quote } from '../quote.js';
import { renderTable } from '../render.js';

/** `tally quote`: rates usage with a plan offline and prints the lines and totals. */
export function register(program: Command, { io }: CommandContext): void {
  program
    .command('quote')
    .description('rate usage offline with a plan and print the priced lines and totals')
    .requiredOption('--plan <file>', 'plan JSON file (see events/plans/)')
    .requiredOption(
      '--usage <file>',
      'usage: JSON array or NDJSON of CloudEvents, or { "quantities": { meterId: "n" } }',
    )
    .option('--period <yyyy-mm>', 'local calendar month to rate (default: month of the earliest event)')
    .option('--from <iso>', 'period start (UTC ISO instant), with --to')
    .option('--to <iso>', 'period end, exclusive')
    .option('--time-zone <zone>', 'customer IANA time zone (default: the usage file’s, else UTC)')
    .option('--subject <id>', 'only events of this subject')
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      const plan = parsePlan(await readInputFile(io, String(opts.plan), 'plan file'), String(opts.plan));
      const usage = parseUsageFile(
        await readInputFile(io, String(opts.usage), 'usage file'),
        String(opts.usage),
      );
      const q = quote(plan, usage, {
        period: opts.period as string | undefined,
        from: opts.from as string | undefined,
        to: opts.to as string | undefined,
        timeZone: opts.timeZone as string | undefined,
        subject: opts.subject as string | undefined,
      });
      io.out(opts.json ? `${JSON.stringify(q, null, 2)}\n` : renderTable(q));
    });
}
