import { describe, expect, it } from 'vitest';
import type { AdmitResult } from './admit.js';
import { withHttpQuarantineIds } from './http-quarantine-id.js';

/** A refused result as admitEvents gives it: its entry carries the request-scoped id of the queue path. */
function refused(index: number, raw: string, requestId = 'req-1'): AdmitResult {
  return {
    index,
    status: 'rejected',
    reason: 'schema',
    message: 'bad',
    quarantine: {
      id: `${requestId}.${index}`,
      reason: 'schema',
      message: 'bad',
      raw,
      messageId: requestId,
      index,
      receivedAt: '2026-01-10T12:00:00.000Z',
      quarantinedAt: '2026-01-10T12:00:00.000Z',
      producerId: 'switch-fra',
    },
  };
}
const ids = (rs: AdmitResult[]) => rs.map((r) => r.quarantine?.id);

describe('withHttpQuarantineIds', () => {
  it('derives the id from the producer and the input: http.<sha256 of "switch-fra\\n" + raw, 32 hex>.<n>', () => {
    // printf 'switch-fra\n{"id":"h2"}' | sha256sum | cut -c1-32
    expect(ids(withHttpQuarantineIds('switch-fra', [refused(0, '{"id":"h2"}')]))).toEqual([
      'http.989cfa5993bbebaebf3e4baec5571325.0',
    ]);
  });

  it('gives a retry (another request id, the event at another position) the ids of the first try', () => {
    const first = withHttpQuarantineIds('switch-fra', [refused(0, '{"id":"a"}'), refused(1, '{"id":"b"}')]);
    const retry = withHttpQuarantineIds('switch-fra', [
      refused(0, '{"id":"b"}', 'req-2'),
      refused(1, '{"id":"a"}', 'req-2'),
    ]);
    expect(ids(retry)).toEqual([ids(first)[1], ids(first)[0]]);
  });

  it('gives a changed event, or the same event from another producer, an id of its own', () => {
    const [a] = ids(withHttpQuarantineIds('switch-fra', [refused(0, '{"id":"a"}')]));
    const [changed] = ids(withHttpQuarantineIds('switch-fra', [refused(0, '{"id":"a","x":1}')]));
    const [other] = ids(withHttpQuarantineIds('switch-muc', [refused(0, '{"id":"a"}')]));
    expect(new Set([a, changed, other]).size).toBe(3);
  });

  it('keeps the same input sent twice in one request as two entries, numbered in order', () => {
    const out = ids(
      withHttpQuarantineIds('switch-fra', [refused(0, '{"id":"a"}'), refused(1, '{"id":"a"}')]),
    );
    expect(out[0]).toMatch(/^http\.[0-9a-f]{32}\.0$/);
    expect(out[1]).toBe(out[0]!.replace(/\.0$/, '.1'));
  });

  it('leaves accepted results and everything but the id as they were', () => {
    const accepted: AdmitResult = { index: 0, status: 'accepted', source: 's', id: 'e1' };
    const r = refused(1, '{"id":"b"}');
    const [a, b] = withHttpQuarantineIds('switch-fra', [accepted, r]);
    expect(a).toBe(accepted);
    expect(b).toEqual({ ...r, quarantine: { ...r.quarantine, id: b!.quarantine!.id } });
    expect(b!.quarantine!.messageId).toBe('req-1'); // the request that last wrote it, for tracing
  });
});
