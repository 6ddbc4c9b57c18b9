import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { MailRetryableError, SesMailer } from '@tally/mail';
import { describe, expect, it } from 'vitest';
import { failingSesClient } from './ses-failures.js';

/** An SES client that accepts every request, counting them. */
function acceptingSes() {
  const sent: unknown[] = [];
  const client = {
    send: async (command: unknown) => {
      sent.push(command);
      return { MessageId: `m-${sent.length}` };
    },
  } as unknown as Pick<SESv2Client, 'send'>;
  return { client, sent };
}

const noWait = { attempts: 4, baseMs: 200, capMs: 5_000, sleep: async () => undefined };

describe('failingSesClient', () => {
  it('fails requests inside the mailer’s backoff, so the mailer retries them as real throttles', async () => {
    const ses = acceptingSes();
    const draws = [0, 0, 0.9]; // two failures, then a pass
    let failures = 0;
    const mailer = new SesMailer({
      fromAddress: 'billing@tally.local',
      backoff: noWait,
      client: failingSesClient(ses.client, {
        rate: 0.5,
        random: () => draws.shift() ?? 1,
        onFailure: () => failures++,
      }),
    });
    await expect(mailer.sendRaw(Buffer.from('mail'), { deliveryId: 'd1' })).resolves.toEqual({
      messageId: 'm-1',
    });
    expect(failures).toBe(2);
    expect(ses.sent).toHaveLength(1);
    expect(ses.sent[0]).toBeInstanceOf(SendEmailCommand);
  });

  it('fails the send once every attempt of the mailer was throttled, with nothing sent', async () => {
    const ses = acceptingSes();
    let failures = 0;
    const mailer = new SesMailer({
      fromAddress: 'billing@tally.local',
      backoff: noWait,
      client: failingSesClient(ses.client, { rate: 1, random: () => 0, onFailure: () => failures++ }),
    });
    const err = await mailer.sendRaw(Buffer.from('mail'), { deliveryId: 'd1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailRetryableError);
    expect(err).toMatchObject({ code: 'TooManyRequestsException' });
    expect(failures).toBe(4);
    expect(ses.sent).toHaveLength(0);
  });
});
