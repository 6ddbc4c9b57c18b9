import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { QuarantineReasonSchema, type ReplayPorts, replayQuarantined } from '@tally/ingest';
import { billingTable, usageQueue } from '@tally/resources';
import { createDocumentClient, QuarantineStore, tableName } from '@tally/store';
import type { Command } from 'commander';
import { InputError } from '../errors.js';
import type { CommandContext } from '../io.js';
import { stackNow } from '../stack-clock.js';

/** What the quarantine commands talk to: the store, and a sender to the usage queue. */
export interface QuarantineDeps {
  readonly store: QuarantineStore;
  readonly send: ReplayPorts['send'];
  readonly now: () => Date | Promise<Date>;
}

/** From the environment: TALLY_BILLING_TABLE and TALLY_USAGE_QUEUE_URL (set by the local stack or a deployment). */
export function defaultQuarantineDeps(env: NodeJS.ProcessEnv = process.env): QuarantineDeps {
  const queueUrl = env[usageQueue.envVar];
  if (!queueUrl) throw new InputError(`${usageQueue.envVar} is not set: the usage queue to replay into`);
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: !env.AWS_ENDPOINT_URL_SQS });
  return {
    store: new QuarantineStore({ doc: createDocumentClient(), tableName: tableName(billingTable, env) }),
    send: async (raw, quarantineId) => {
      const res = await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: raw,
          MessageAttributes: { 'tally-replay-of': { DataType: 'String', StringValue: quarantineId } },
        }),
      );
      return res.MessageId ?? '';
    },
    now: () => stackNow(env),
  };
}

function day(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new InputError(`--day ${value}: expected yyyy-mm-dd`);
  return value;
}

function reason(value: string): string {
  const r = QuarantineReasonSchema.safeParse(value);
  if (!r.success) {
    throw new InputError(`--reason ${value}: expected one of ${QuarantineReasonSchema.options.join(', ')}`);
  }
  return r.data;
}

/**
 * `tally quarantine list|show|replay`: look at quarantined inputs by day and reason, print one whole, and
 * replay them into the usage queue after a fix (an input still bad is quarantined again, never lost).
 */
export function register(
  program: Command,
  { io }: CommandContext,
  deps: () => QuarantineDeps = () => defaultQuarantineDeps(),
): void {
  const q = program.command('quarantine').description('inspect and replay quarantined usage inputs');
  q.command('list')
    .description('quarantined inputs received on a UTC day, optionally of one reason')
    .requiredOption('--day <yyyy-mm-dd>', 'UTC day of receipt', day)
    .option('--reason <reason>', 'only this reason', reason)
    .option('--open', 'only inputs not yet replayed')
    .option('--json', 'one JSON object per line')
    .action(async (opts: { day: string; reason?: string; open?: boolean; json?: boolean }) => {
      const { store } = deps();
      let cursor: string | undefined;
      do {
        const page = await store.list({
          day: opts.day,
          ...(opts.reason ? { reason: opts.reason as never } : {}),
          ...(opts.open ? { openOnly: true } : {}),
          ...(cursor ? { cursor } : {}),
        });
        for (const e of page.items) {
          if (opts.json) io.out(`${JSON.stringify(e)}\n`);
          else io.out(`${e.id}\t${e.reason}\t${e.receivedAt}\t${e.status}\t${e.message}\n`);
        }
        cursor = page.cursor;
      } while (cursor);
    });
  q.command('show')
    .description('print a quarantined input whole, as it arrived')
    .argument('<id>', 'quarantine id')
    .action(async (id: string) => {
      const entry = await deps().store.get(id);
      if (entry === undefined) throw new InputError(`quarantined input ${id} not found`);
      io.out(`${entry.raw}\n`);
    });
  q.command('replay')
    .description('send quarantined inputs to the usage queue again, by id or all open ones of a day')
    .argument('[ids...]', 'quarantine ids')
    .option('--day <yyyy-mm-dd>', 'replay every open input of this UTC day', day)
    .option('--reason <reason>', 'with --day: only this reason', reason)
    .option('--force', 'replay inputs already replayed')
    .action(async (ids: string[], opts: { day?: string; reason?: string; force?: boolean }) => {
      const d = deps();
      const chosen = [...ids];
      if (opts.day) {
        let cursor: string | undefined;
        do {
          const page = await d.store.list({
            day: opts.day,
            openOnly: true,
            ...(opts.reason ? { reason: opts.reason as never } : {}),
            ...(cursor ? { cursor } : {}),
          });
          chosen.push(...page.items.map((e) => e.id));
          cursor = page.cursor;
        } while (cursor);
      }
      if (chosen.length === 0) throw new InputError('nothing to replay: give ids or --day');
      const results = await replayQuarantined(
        chosen,
        {
          get: (id) => d.store.get(id),
          send: d.send,
          markReplayed: (id, at, messageId) => d.store.markReplayed(id, at, messageId),
        },
        { now: await d.now(), ...(opts.force ? { force: true } : {}) },
      );
      for (const r of results) io.out(`${r.id}\treplayed as ${r.messageId}\n`);
    });
}
