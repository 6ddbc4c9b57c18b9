import { describe, expect, it } from 'vitest';
import {
  MailConfigurationError,
  MailInputError,
  MailOutcomeUnknownError,
  MailRejectedError,
  MailRetryableError,
} from './errors.js';
import { buildMime } from './message.js';
import { EmulatorSentMailLookup } from './sent-mail-lookup.js';
import { classifySesError, SesMailer } from './ses-mailer.js';

const base = {
  from: { name: 'ACME Billing', address: 'billing@acme.example' },
  to: [{ name: 'Example GmbH', address: 'ap@example.com' }],
  subject: 'Rechnung ACME-2026-000123 von ACME Billing Ltd: 59,44 € fällig am 15. April 2026',
  text: 'Hallo\nReference: inv_1--r1\n',
  html: '<p>Hallo</p>',
  attachments: [
    {
      filename: 'invoice-ACME-2026-000123.pdf',
      contentType: 'application/pdf',
      content: Buffer.from('%PDF-1.7 x'),
    },
  ],
  deliveryId: 'inv_1--r1',
  date: new Date('2026-04-01T04:00:00Z'),
};

function headersOf(raw: Buffer): string {
  const s = raw.toString('utf8');
  return s.slice(0, s.indexOf('\r\n\r\n'));
}

describe('buildMime', () => {
  it('builds multipart/mixed with a text+HTML alternative and the PDF attachment', async () => {
    const raw = (await buildMime(base)).toString('utf8');
    const headers = headersOf(Buffer.from(raw));
    expect(headers).toMatch(/^Content-Type: multipart\/mixed;/m);
    expect(headers).toContain('X-Tally-Delivery: inv_1--r1');
    expect(headers).toContain('Message-ID: <inv_1--r1@acme.example>');
    expect(headers).toContain('To: Example GmbH <ap@example.com>');
    expect(raw).toMatch(/Content-Type: multipart\/alternative;/);
    expect(raw).toMatch(/Content-Type: text\/plain; charset=utf-8/);
    expect(raw).toMatch(/Content-Type: text\/html; charset=utf-8/);
    expect(raw).toMatch(/Content-Type: application\/pdf; name=invoice-ACME-2026-000123.pdf/);
    expect(raw).toContain(Buffer.from('%PDF-1.7 x').toString('base64'));
    // the non-ASCII subject is RFC 2047 encoded, so the header stays 7-bit
    expect(headers).toMatch(/^Subject: =\?UTF-8\?Q\?/m);
  });

  it.each([
    ['display name', { to: [{ name: 'Evil\r\nBcc: victim@example.org', address: 'ap@example.com' }] }],
    ['subject', { subject: 'Invoice\r\nBcc: victim@example.org\r\n\r\nbody' }],
    ['sender name', { from: { name: 'x\nBcc: victim@example.org', address: 'billing@acme.example' } }],
  ])('never lets CR/LF in the %s start a header of its own', async (_what, over) => {
    const headers = headersOf(await buildMime({ ...base, ...over }));
    expect(headers).not.toMatch(/^Bcc:/im);
    expect(headers).not.toMatch(/victim@example\.org>?\r\n\r\n/);
    // every header line is either a "Name: value" line or a folded continuation
    for (const line of headers.split('\r\n')) expect(line).toMatch(/^([A-Za-z-]+: |[ \t])/);
  });

  it('refuses a recipient that is not an address, naming the delivery', async () => {
    await expect(
      buildMime({ ...base, to: [{ address: 'ap@example.com>, victim@example.org' }] }),
    ).rejects.toThrow(MailInputError);
    await expect(buildMime({ ...base, to: [] })).rejects.toThrow(/inv_1--r1/);
  });
});

describe('classifySesError', () => {
  const err = (name: string, status: number, extra: object = {}) =>
    Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status }, ...extra });
  it.each([
    [err('TooManyRequestsException', 429), MailRetryableError],
    [err('LimitExceededException', 400), MailRetryableError],
    [Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }), MailRetryableError],
    [err('MessageRejected', 400), MailRejectedError],
    [err('BadRequestException', 400), MailRejectedError],
    [err('SendingPausedException', 400), MailConfigurationError],
    [err('MailFromDomainNotVerifiedException', 400), MailConfigurationError],
    [err('InternalFailure', 500), MailOutcomeUnknownError],
    [err('TimeoutError', 0), MailOutcomeUnknownError],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), MailOutcomeUnknownError],
  ])('classifies %s', (e, cls) => {
    expect(classifySesError(e, 'd1')).toBeInstanceOf(cls);
  });
});

describe('SesMailer', () => {
  function fakeClient(outcomes: Array<Error | string>) {
    const calls: unknown[] = [];
    return {
      calls,
      client: {
        send: async (cmd: { input: unknown }) => {
          calls.push(cmd.input);
          const o = outcomes.shift();
          if (o instanceof Error) throw o;
          return { MessageId: o };
        },
      },
    };
  }
  const throttled = () =>
    Object.assign(new Error('slow down'), {
      name: 'TooManyRequestsException',
      $metadata: { httpStatusCode: 429 },
    });
  const noSleep = { attempts: 4, baseMs: 100, capMs: 1000, sleep: async () => {}, random: () => 0.5 };

  it('retries throttling with backoff and returns the SES message id', async () => {
    const f = fakeClient([throttled(), throttled(), 'ses-1']);
    const waits: number[] = [];
    const mailer = new SesMailer({
      fromAddress: 'billing@acme.example',
      configurationSet: 'tally',
      client: f.client as never,
      backoff: { ...noSleep, sleep: async (ms) => void waits.push(ms) },
    });
    await expect(mailer.sendRaw(Buffer.from('raw'), { deliveryId: 'd1' })).resolves.toEqual({
      messageId: 'ses-1',
    });
    expect(f.calls).toHaveLength(3);
    // full jitter with random 0.5: 0.5·min(1000, 100·2^0) = 50, then 0.5·200 = 100
    expect(waits).toEqual([50, 100]);
    expect(f.calls[0]).toMatchObject({
      FromEmailAddress: 'billing@acme.example',
      ConfigurationSetName: 'tally',
      EmailTags: [{ Name: 'tally-delivery', Value: 'd1' }],
    });
  });

  it('gives up after the attempts with a retryable error', async () => {
    const f = fakeClient([throttled(), throttled(), throttled(), throttled(), 'never']);
    const mailer = new SesMailer({
      fromAddress: 'b@acme.example',
      client: f.client as never,
      backoff: noSleep,
    });
    await expect(mailer.sendRaw(Buffer.from('raw'), { deliveryId: 'd1' })).rejects.toThrow(
      MailRetryableError,
    );
    expect(f.calls).toHaveLength(4);
  });

  it('never retries a send whose outcome is unknown', async () => {
    const timeout = Object.assign(new Error('timed out'), { name: 'TimeoutError' });
    const f = fakeClient([timeout, 'would-be-a-duplicate']);
    const mailer = new SesMailer({
      fromAddress: 'b@acme.example',
      client: f.client as never,
      backoff: noSleep,
    });
    await expect(mailer.sendRaw(Buffer.from('raw'), { deliveryId: 'd1' })).rejects.toThrow(
      MailOutcomeUnknownError,
    );
    expect(f.calls).toHaveLength(1);
  });
});

describe('EmulatorSentMailLookup', () => {
  const store = (texts: string[]) =>
    (async () =>
      new Response(
        JSON.stringify({ emails: texts.map((text, i) => ({ messageId: `ses-${i}`, body: { text } })) }),
      )) as unknown as typeof fetch;

  it('finds the mail whose body names the delivery, as a whole token', async () => {
    const lookup = new EmulatorSentMailLookup(
      'http://x',
      store(['Reference: inv_1--r10', 'Reference: inv_1--r1\n']),
    );
    await expect(lookup.find('inv_1--r1')).resolves.toEqual({
      status: 'sent',
      messageId: 'ses-1',
    });
    await expect(lookup.find('inv_1--r2')).resolves.toEqual({ status: 'not-sent' });
  });
});
