import { createHash } from 'node:crypto';
import { MeterSchema } from '@tally/metering';
import { describe, expect, it } from 'vitest';
import { admitEvents } from './admit.js';
import { decodeMessage } from './decode.js';
import { ingestPolicy } from './policy.js';
import { replayQuarantined } from './replay.js';

const NOW = new Date('2026-01-10T12:00:00.000Z');

/** The quarantine id HTTP admission gives a refused input: sha256 of "<producer>\n<input>", 32 hex, and n. */
const httpId = (raw: string, n = 0) =>
  `http.${createHash('sha256').update(`p1\n${raw}`).digest('hex').slice(0, 32)}.${n}`;
const policy = ingestPolicy();

function call(id: string, over: Record<string, unknown> = {}) {
  return {
    specversion: '1.0',
    id,
    source: 'urn:s',
    type: 't.call',
    subject: 'mine',
    time: '2026-01-09T00:00:00Z',
    data: { v: 3 },
    ...over,
  };
}

const active = { timeZone: 'UTC', status: 'active' as const };
const ctx = {
  producer: {
    id: 'p1',
    keyHash: 'a'.repeat(64),
    customerIds: ['mine', 'mine-later'],
    status: 'active' as const,
  },
  lookup: {
    customers: new Map([
      ['mine', { id: 'mine', ...active }],
      ['theirs', { id: 'theirs', ...active }],
    ]),
    devices: new Map([
      [
        'dev-moved',
        {
          id: 'dev-moved',
          assignments: [
            { customerId: 'mine', from: '2025-01-01T00:00:00.000Z', to: '2026-01-01T00:00:00.000Z' },
            { customerId: 'theirs', from: '2026-01-01T00:00:00.000Z' },
          ],
        },
      ],
    ]),
  },
  meters: new Map([
    ['t.call', [MeterSchema.parse({ id: 'm', eventType: 't.call', aggregation: 'sum', valuePath: 'v' })]],
  ]),
  terms: new Map([['mine', { periodDays: 31, lateAcceptanceDays: 5, basis: 'plan short v1' }]]),
  now: NOW,
  policy,
};

function admit(body: unknown) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  return admitEvents(decodeMessage({ messageId: 'req-1', body: raw }, policy), ctx);
}

describe('admitEvents', () => {
  it.each([
    ['a valid event of its own customer', call('a'), 'accepted', undefined, undefined],
    ['a schema violation', call('b', { time: 'yesterday' }), 'rejected', 'schema', 'schema'],
    // window 31 + 5 + 1 = 37 d; 40 d before NOW = 2025-12-01T12:00Z
    [
      'an event too old for its plan',
      call('c', { time: '2025-12-01T12:00:00Z' }),
      'rejected',
      'too-late',
      'too-late',
    ],
    ['a type no meter reads', call('d', { type: 't.sms' }), 'rejected', 'unknown-meter', 'unknown-meter'],
    [
      'its own customer id not created yet',
      call('e', { subject: 'mine-later' }),
      'rejected',
      'unknown-customer',
      'unknown-customer',
    ],
    ['another tenant’s customer', call('f', { subject: 'theirs' }), 'rejected', 'forbidden', 'forbidden'],
    ['an unknown subject', call('g', { subject: 'nobody' }), 'rejected', 'forbidden', 'forbidden'],
    [
      'a device now assigned to another tenant',
      call('h', { subject: 'dev-moved' }),
      'rejected',
      'forbidden',
      'forbidden',
    ],
    [
      'a malformed event of another tenant (authorization first)',
      call('i', { subject: 'theirs', time: 'yesterday' }),
      'rejected',
      'forbidden',
      'forbidden',
    ],
  ])('%s → %s %s', (_what, body, status, answer, quarantined) => {
    const [r] = admit(body);
    expect(r!.status).toBe(status);
    expect(r!.reason).toBe(answer);
    expect(r!.quarantine?.reason).toBe(quarantined);
    if (r!.quarantine) {
      expect(r!.quarantine.raw).toBe(JSON.stringify(body));
      expect(r!.quarantine).toMatchObject({
        id: httpId(JSON.stringify(body)),
        messageId: 'req-1',
        index: 0,
        producerId: 'p1',
      });
    }
  });

  it('tells the producer only "may not report", and keeps why in the quarantine entry', () => {
    const [known, unknown] = admit([call('f', { subject: 'theirs' }), call('g', { subject: 'nobody' })]);
    // the same answer for another tenant's customer and for nothing at all
    expect(known!.message).toBe('event urn:s#f: producer p1 may not report for subject "theirs"');
    expect(unknown!.message).toBe('event urn:s#g: producer p1 may not report for subject "nobody"');
    expect(known!.quarantine!.message).toContain('a customer the key is not bound to');
    expect(unknown!.quarantine!.message).toContain('neither a known customer nor a registered device');
    expect(known!.quarantine!.customerId).toBeUndefined();
  });

  it('quarantines a malformed body whole', () => {
    const [r] = admit('{"id":');
    expect(r).toMatchObject({ status: 'rejected', reason: 'malformed-json' });
    expect(r!.quarantine).toMatchObject({ reason: 'malformed-json', raw: '{"id":', id: httpId('{"id":') });
  });

  it('gives each refused entry of a batch an id from its input (a retry reproduces it), and keeps its position', () => {
    const b = call('b', { time: 'x' });
    const c = call('c', { subject: 'theirs' });
    const rs = admit([call('a'), b, c]);
    expect(rs.map((r) => r.quarantine?.id)).toEqual([
      undefined,
      httpId(JSON.stringify(b)),
      httpId(JSON.stringify(c)),
    ]);
    expect(rs.map((r) => r.quarantine?.index)).toEqual([undefined, 1, 2]);
  });
});

describe('replayQuarantined', () => {
  it('refuses a held (forbidden) entry, even with force, and sends nothing', async () => {
    const sent: string[] = [];
    const ports = {
      get: async (id: string) => ({ id, raw: '{}', status: 'held' as const, reason: 'forbidden' as const }),
      send: async (raw: string) => {
        sent.push(raw);
        return 'm1';
      },
      markReplayed: async () => undefined,
    };
    await expect(replayQuarantined(['q1'], ports, { now: NOW, force: true })).rejects.toThrow(/held/);
    expect(sent).toEqual([]);
  });
});
