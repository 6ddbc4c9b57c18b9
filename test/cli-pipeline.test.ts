import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { createResources } from '@tally/local-stack';
import { usageQueue } from '@tally/resources';
import { describe, expect, it } from 'vitest';
import { localClients, uniquePrefix } from './support/aws.js';
import { runTally as tally } from './support/cli.js';

// tally send / usage / bill against the local stack, through the real CLI entry (main) with its env wiring.
const { ddb, sqs } = localClients();

const event = (i: number) => ({
  specversion: '1.0',
  id: `e-${i}`,
  source: 'urn:test',
  type: 'tally.sms.sent',
  subject: 'cust-1',
  time: '2026-01-05T10:00:00Z',
  data: { to: '49170' },
});

describe('tally send', () => {
  it('sends a JSON array, NDJSON and CSV as batched messages and counts the events', async () => {
    const res = await createResources({ ddb, sqs }, uniquePrefix('cli'));
    const env = { [usageQueue.envVar]: res.env[usageQueue.envVar]! };
    const dir = mkdtempSync(join(tmpdir(), 'tally-send-'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify(Array.from({ length: 30 }, (_, i) => event(i))));
    writeFileSync(join(dir, 'b.ndjson'), [event(100), event(101)].map((e) => JSON.stringify(e)).join('\n'));
    writeFileSync(
      join(dir, 'c.csv'),
      'id,source,type,subject,time,data.to\ne-200,urn:test,tally.sms.sent,cust-1,2026-01-05T10:00:00Z,49170\n',
    );
    expect(await tally(env, 'send', join(dir, 'a.json'), '--json')).toMatchObject({
      code: 0,
      out: '{"events":30,"messages":2}\n',
    });
    expect((await tally(env, 'send', join(dir, 'b.ndjson'))).out).toBe('sent 2 events in 1 messages\n');
    expect((await tally(env, 'import', join(dir, 'c.csv'))).code).toBe(0);

    const bodies: string[] = [];
    for (let i = 0; i < 10 && bodies.length < 4; i++) {
      const r = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: env[usageQueue.envVar],
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
        }),
      );
      bodies.push(...(r.Messages ?? []).map((m) => m.Body!));
    }
    const events = bodies.flatMap((b) => JSON.parse(b) as { id: string; data: unknown }[]);
    expect(events.map((e) => e.id).sort()).toEqual(
      [...Array.from({ length: 30 }, (_, i) => `e-${i}`), 'e-100', 'e-101', 'e-200'].sort(),
    );
    expect(events.find((e) => e.id === 'e-200')?.data).toEqual({ to: '49170' });
  });

  it.each([
    [['send', '/nonexistent/usage.json'], /cannot read \/nonexistent\/usage.json: ENOENT/],
    [['send', 'x.json', '--format', 'xml'], /--format xml: use json, ndjson or csv/],
    [['send', 'x.json', '--per-message', '0'], /--per-message 0/],
  ])('exits 2 with a precise message for %j', async (argv, message) => {
    const r = await tally({ [usageQueue.envVar]: 'http://127.0.0.1:1/q' }, ...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('names the line of an unreadable NDJSON event', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tally-send-'));
    writeFileSync(join(dir, 'bad.ndjson'), `${JSON.stringify(event(1))}\n{"id": \n`);
    const r = await tally({ [usageQueue.envVar]: 'http://127.0.0.1:1/q' }, 'send', join(dir, 'bad.ndjson'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/line 2: not valid JSON/);
  });
});

describe('tally usage and tally bill', () => {
  it('refuses an unknown customer', async () => {
    const res = await createResources({ ddb, sqs }, uniquePrefix('cli'));
    const r = await tally(res.env, 'usage', 'nobody');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/customer nobody not found/);
  });

  it('runs period close on an empty table: nothing due, nothing enqueued', async () => {
    const res = await createResources({ ddb, sqs }, uniquePrefix('cli'));
    const r = await tally(res.env, 'bill', '--json');
    expect(r).toMatchObject({ code: 0, out: '{"due":0,"enqueued":0}\n' });
  });
});
