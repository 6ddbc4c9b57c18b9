import { type SendOptions, SqsSender } from '@tally/queue';
import { usageQueue } from '@tally/resources';
import type { Command } from 'commander';
import { parse as parseCsv } from 'csv-parse/sync';
import { InputError } from '../errors.js';
import type { CommandContext } from '../io.js';

/** Where `tally send` puts its messages: the usage queue (an {@link SqsSender} of @tally/queue). */
export interface UsageQueuePort {
  send(bodies: readonly string[], options?: SendOptions): Promise<unknown>;
}

function queueFromEnv(): UsageQueuePort {
  const url = process.env[usageQueue.envVar];
  if (!url)
    throw new InputError(
      `${usageQueue.envVar} is not set: point it at the usage queue (npm run stack prints it)`,
    );
  return new SqsSender({ queueUrl: url });
}

type Format = 'json' | 'ndjson' | 'csv';

/**
 * Reads usage events from JSON (one event or an array), NDJSON (one event a line) or CSV (a header row;
 * columns `specversion,id,source,type,subject,time` and `data.<field>` for the payload). Events are not
 * validated here: ingestion validates and quarantines, so nothing is dropped on the way in. A line or row
 * that cannot be read at all is an error naming its line.
 */
export function readEvents(text: string, format: Format): unknown[] {
  if (format === 'json') {
    try {
      const v = JSON.parse(text) as unknown;
      return Array.isArray(v) ? v : [v];
    } catch (e) {
      throw new InputError(`not valid JSON: ${(e as Error).message}`);
    }
  }
  if (format === 'ndjson') {
    return text.split('\n').flatMap((line, i) => {
      if (line.trim() === '') return [];
      try {
        return [JSON.parse(line) as unknown];
      } catch (e) {
        throw new InputError(`line ${i + 1}: not valid JSON: ${(e as Error).message}`);
      }
    });
  }
  let rows: Record<string, string>[];
  try {
    rows = parseCsv(text, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  } catch (e) {
    throw new InputError(`not valid CSV: ${(e as Error).message}`);
  }
  return rows.map((row) => {
    const event: Record<string, unknown> = { specversion: '1.0' };
    const data: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) {
      if (k.startsWith('data.')) data[k.slice(5)] = v;
      else event[k] = v;
    }
    return { ...event, data };
  });
}

function formatOf(file: string, given?: string): Format {
  const f =
    given ??
    (file.endsWith('.ndjson') || file.endsWith('.jsonl') ? 'ndjson' : file.endsWith('.csv') ? 'csv' : 'json');
  if (f !== 'json' && f !== 'ndjson' && f !== 'csv')
    throw new InputError(`--format ${f}: use json, ndjson or csv`);
  return f;
}

/** `tally send <file>` (alias `import`): usage events from a file onto the usage queue, in batched messages. */
export function register(
  program: Command,
  { io }: CommandContext,
  deps: () => UsageQueuePort = queueFromEnv,
): void {
  program
    .command('send <file>')
    .alias('import')
    .description('send usage events from a JSON, NDJSON or CSV file to the usage queue')
    .option('--format <format>', 'json, ndjson or csv (default: from the file name)')
    .option('--per-message <n>', 'events per SQS message (producers batch to cut cost)', '25')
    .option('--json', 'print the final count as JSON')
    .action(async (file: string, o: { format?: string; perMessage: string; json?: boolean }) => {
      const per = Number(o.perMessage);
      if (!Number.isInteger(per) || per < 1 || per > 500)
        throw new InputError(`--per-message ${o.perMessage}: a whole number from 1 to 500`);
      const format = formatOf(file, o.format);
      let text: string;
      try {
        text = await io.readFile(file);
      } catch (e) {
        throw new InputError(
          `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        );
      }
      const events = readEvents(text, format);
      const bodies: string[] = [];
      for (let i = 0; i < events.length; i += per) bodies.push(JSON.stringify(events.slice(i, i + per)));
      const progress = !o.json && events.length > 5000;
      let shown = 0;
      await deps().send(bodies, {
        onProgress: (messages) => {
          // a progress line every 200 messages and one at the end
          if (!progress || (messages - shown < 200 && messages < bodies.length)) return;
          shown = messages;
          io.err(`\rsent ${Math.min(messages * per, events.length)} / ${events.length} events`);
        },
      });
      if (progress) io.err('\n');
      io.out(
        o.json
          ? `${JSON.stringify({ events: events.length, messages: bodies.length })}\n`
          : `sent ${events.length} events in ${bodies.length} messages\n`,
      );
    });
}
