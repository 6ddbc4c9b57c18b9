import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { register } from '../packages/cli/src/commands/quarantine.js';
import { call, ingestWorld, NOW } from './ingest-fixtures.js';

const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const s of stops) await s();
});

describe('tally quarantine', () => {
  it('lists by day and reason, and a replay after the fix stores the input; a still-bad replay is quarantined again', async () => {
    const w = await ingestWorld('ing-replay');
    const s = w.connect();
    stops.push(() => s.stop());
    const late = JSON.stringify(call('late-customer', { subject: 'cust-new' }));
    const stillBad = JSON.stringify(call('no-meter', { type: 'tally.sms.sent' }));
    await w.send([late, stillBad]);
    await s.drained({ timeoutMs: 20_000 });
    expect(w.total.quarantined).toEqual({ 'unknown-customer': 1, 'unknown-meter': 1 });

    const out: string[] = [];
    const sqs = w.clients.sqs;
    const run = async (...args: string[]) => {
      const program = new Command('tally').exitOverride();
      register(
        // the CLI package pins its own commander copy; the API is the same
        program as unknown as Parameters<typeof register>[0],
        { io: { out: (t) => out.push(t), err: (t) => out.push(t), readFile: async () => '' } },
        () => ({
          store: w.quarantine,
          send: async (raw) =>
            (await sqs.send(new SendMessageCommand({ QueueUrl: w.queue.url, MessageBody: raw }))).MessageId!,
          now: () => w.clock.now(),
        }),
      );
      out.length = 0;
      await program.parseAsync(args, { from: 'user' });
      return out.join('');
    };
    const day = NOW.slice(0, 10);
    const listed = await run('quarantine', 'list', '--day', day, '--reason', 'unknown-customer');
    const [id] = listed.split('\t');
    expect(listed).toContain('unknown-customer');
    expect(listed).not.toContain('unknown-meter');
    expect(await run('quarantine', 'show', id!)).toBe(`${late}\n`);

    // the fix: the customer now exists
    await w.catalog.putCustomer({ id: 'cust-new' });
    await run('quarantine', 'replay', '--day', day);
    await s.drained({ timeoutMs: 20_000 });
    // replayed: the late-customer event is stored; the no-meter one comes back as a new quarantine entry
    expect(w.total.stored).toBe(1);
    expect(w.total.quarantined).toEqual({ 'unknown-customer': 1, 'unknown-meter': 2 });
    const entries = (await w.quarantine.list({ day })).items;
    expect(entries.filter((e) => e.status === 'replayed')).toHaveLength(2);
    expect(entries.filter((e) => e.status === 'open').map((e) => e.raw)).toEqual([stillBad]);
    await expect(run('quarantine', 'replay', id!)).rejects.toThrow(/replayed already/);
  });
});
