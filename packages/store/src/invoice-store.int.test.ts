import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { uniquePrefix } from '../../../test/support/aws.js';
import {
  createBillingTable,
  localDocumentClient,
  storableDraft,
} from '../../../test/support/billing-table.js';
import { type DocumentSender, InvoiceStore, type StorableInvoice } from './invoice-store.js';

interface TestInvoice extends StorableInvoice {
  readonly finalizedAt: string | null;
}

const doc = localDocumentClient();

type SentCommand = {
  constructor: { name: string };
  input: { Key?: { sk?: string }; Item?: { sk?: string } };
};

/** The document client, logging each request it passes on (by default as its command's class name). */
function countingSender(label: (cmd: SentCommand) => string = (cmd) => cmd.constructor.name): {
  sent: string[];
  counting: DocumentSender;
} {
  const sent: string[] = [];
  const counting: DocumentSender = {
    send: ((cmd: SentCommand) => {
      sent.push(label(cmd));
      return doc.send(cmd as never);
    }) as DocumentSender['send'],
  };
  return { sent, counting };
}
let table = '';

beforeAll(async () => {
  table = await createBillingTable('inv');
});

function draft(id: string, issuer = 'acme', customer = 'cus-1', start = '2026-01-01T00:00:00Z'): TestInvoice {
  return { ...storableDraft(id, { issuer, customer, start }), finalizedAt: null };
}

const finalizeDraft = (d: TestInvoice, o: { number: number; now: string }): TestInvoice => ({
  ...d,
  status: 'finalized',
  number: `${d.issuer.id.toUpperCase()}-${o.number}`,
  finalizedAt: o.now,
  dueDate: o.now.slice(0, 10),
});

class InjectedCrash extends Error {
  override name = 'InjectedCrash';
}

/**
 * A document client that "crashes" on the k-th request of a finalization attempt, before the request
 * reaches DynamoDB or after it was applied (the reply is lost), as a Lambda killed mid-flight would.
 */
function crashing(at: { call: number; after: boolean } | null): DocumentSender {
  let calls = 0;
  return {
    send: (async (cmd: never) => {
      const i = calls++;
      if (at !== null && i === at.call && !at.after) throw new InjectedCrash(`before call ${i}`);
      const res = await doc.send(cmd);
      if (at !== null && i === at.call && at.after) throw new InjectedCrash(`after call ${i}`);
      return res;
    }) as DocumentSender['send'],
  };
}

function store(client: DocumentSender = doc): InvoiceStore<TestInvoice> {
  return new InvoiceStore<TestInvoice>({ client, tableName: table, finalizeDraft });
}

/** Finalizes like an at-least-once job: every injected crash is followed by a retry with the next plan. */
async function finalizeWithCrashes(
  id: string,
  plans: readonly ({ call: number; after: boolean } | null)[],
  now: string,
): Promise<TestInvoice> {
  for (const plan of [...plans, null]) {
    try {
      return await store(crashing(plan)).finalize(id, { now });
    } catch (err) {
      if (!(err instanceof InjectedCrash)) throw err;
    }
  }
  throw new Error('unreachable: the last attempt has no crash');
}

async function checkGapFree(issuerId: string, ids: readonly string[]): Promise<void> {
  const s = store();
  const stored = await Promise.all(ids.map((id) => s.get(id)));
  const seqs = stored.map((x) => x?.seq ?? -1).sort((a, b) => a - b);
  // N invoices must hold exactly 1, 2, …, N.
  expect(seqs).toEqual(ids.map((_, i) => i + 1));
  expect(stored.every((x) => x?.invoice.status === 'finalized')).toBe(true);
  expect(new Set(stored.map((x) => x?.invoice.number)).size).toBe(ids.length);
  expect(await s.lastNumber(issuerId)).toBe(ids.length);
  for (const x of stored) {
    const claim = await s.getClaim(issuerId, x!.seq!);
    expect(claim?.invoiceId).toBe(x!.invoice.id);
    expect(x!.invoice.finalizedAt).toBe(claim?.claimedAt);
  }
}

describe('InvoiceStore', () => {
  it('creates a draft, updates it while draft, and locks it once finalized', async () => {
    const s = store();
    const id = `lock-${uniquePrefix('x')}`;
    expect(await s.putDraft(draft(id, 'lockco'))).toBe('created');
    expect(await s.putDraft(draft(id, 'lockco'))).toBe('updated');
    const final = await s.finalize(id, { now: '2026-02-01T06:00:00Z' });
    expect(final.number).toBe('LOCKCO-1');
    expect(await s.putDraft(draft(id, 'lockco'))).toBe('locked');
    expect((await s.get(id))?.invoice.number).toBe('LOCKCO-1');
    // Finalizing again returns the same invoice and issues no number.
    expect((await s.finalize(id, { now: '2026-03-01T00:00:00Z' })).finalizedAt).toBe('2026-02-01T06:00:00Z');
    expect(await s.lastNumber('lockco')).toBe(1);
  });

  it('finalizes a fresh draft in five requests: read it, read the counter, claim, stamp, move the counter', async () => {
    const { sent, counting } = countingSender((cmd) =>
      `${cmd.constructor.name} ${cmd.input.Key?.sk ?? cmd.input.Item?.sk ?? ''}`.replace(/#\d+$/, ''),
    );
    const id = `count-${uniquePrefix('x')}`;
    await store().putDraft(draft(id, 'countco'));
    const final = await store(counting).finalize(id, { now: '2026-02-01T06:00:00Z' });
    expect(final.number).toBe('COUNTCO-1');
    expect(sent).toEqual([
      'GetCommand INV',
      'GetCommand COUNTER',
      'PutCommand NUM',
      'PutCommand INV',
      'UpdateCommand COUNTER',
    ]);
    // What it returned without reading back is what is stored.
    expect((await store().get(id))?.invoice).toEqual(final);
    expect((await store().get(id))?.seq).toBe(1);
  });

  it('finalizes the draft writeDraft stored without reading it back, and a draft changed since after a read', async () => {
    const { sent, counting } = countingSender();
    const id = `wd-${uniquePrefix('x')}`;
    const { write, stored } = await store().writeDraft(draft(id, 'wdco'));
    expect([write, stored?.version, stored?.invoice]).toEqual(['created', 1, draft(id, 'wdco')]);
    const final = await store(counting).finalize(id, { now: '2026-02-01T06:00:00Z', draft: stored! });
    // counter, claim, stamp, counter: no read of the invoice
    expect(sent).toEqual(['GetCommand', 'PutCommand', 'PutCommand', 'UpdateCommand']);
    expect((await store().get(id))?.invoice).toEqual(final);

    // A draft re-written after the one handed over: the stale stamp is refused, the new draft is finalized.
    const id2 = `wd2-${uniquePrefix('x')}`;
    const first = (await store().writeDraft(draft(id2, 'wdco'))).stored!;
    await store().writeDraft(draft(id2, 'wdco', 'cus-1', '2026-03-01T00:00:00Z'));
    const final2 = await store().finalize(id2, { now: '2026-04-01T06:00:00Z', draft: first });
    expect([final2.number, final2.period.start]).toEqual(['WDCO-2', '2026-03-01T00:00:00Z']);
    expect(await store().lastNumber('wdco')).toBe(2);
    expect((await store().writeDraft(draft(id2, 'wdco'))).write).toBe('locked');
  });

  it('moves an invoice on with one write when the caller passes the seq it read, keeping the seq', async () => {
    const { sent, counting } = countingSender();
    const id = `move-${uniquePrefix('x')}`;
    await store().putDraft(draft(id, 'moveco'));
    await store().finalize(id, { now: '2026-02-01T06:00:00Z' });
    const cur = (await store().get(id))!;
    await store(counting).transition(
      { ...cur.invoice, status: 'paid' },
      { status: 'finalized', version: cur.version, seq: cur.seq },
    );
    expect(sent).toEqual(['PutCommand']);
    const after = (await store().get(id))!;
    expect([after.invoice.status, after.seq, after.version]).toEqual(['paid', 1, cur.version + 1]);
    // A stale version is still refused.
    await expect(
      store().transition(
        { ...cur.invoice, status: 'void' },
        { status: 'finalized', version: cur.version, seq: cur.seq },
      ),
    ).rejects.toThrow(/no longer finalized/);
  });

  it('lists a customer’s invoices by period and an issuer’s open invoices by due date', async () => {
    const s = store();
    const cust = `c-${uniquePrefix('l')}`;
    await s.putDraft(draft(`${cust}-feb`, 'listco', cust, '2026-02-01T00:00:00Z'));
    await s.putDraft(draft(`${cust}-jan`, 'listco', cust, '2026-01-01T00:00:00Z'));
    await s.finalize(`${cust}-jan`, { now: '2026-02-03T00:00:00Z' });
    expect((await s.listByCustomer(cust)).map((x) => x.invoice.id)).toEqual([`${cust}-jan`, `${cust}-feb`]);
    expect((await s.listOpen('listco')).map((x) => x.invoice.id)).toEqual([`${cust}-jan`]);
    expect(await s.listOpen('listco', '2026-02-02')).toEqual([]);
  });

  it('reuses the number a crashed attempt claimed instead of taking a new one', async () => {
    const id = 'reuse-1';
    await store().putDraft(draft(id, 'reuseco'));
    // Calls of an attempt: 0 get invoice, 1 get counter, 2 put claim, 3 stamp, 4 counter.
    await expect(
      store(crashing({ call: 2, after: true })).finalize(id, { now: '2026-02-01T00:00:00Z' }),
    ).rejects.toThrow(InjectedCrash);
    const final = await store().finalize(id, { now: '2026-02-09T00:00:00Z' });
    expect(final.number).toBe('REUSECO-1');
    // The stamp is the time of the claim, not of the retry: a retry changes nothing.
    expect(final.finalizedAt).toBe('2026-02-01T00:00:00Z');
    expect(await store().lastNumber('reuseco')).toBe(1);
  });

  it('rolls forward a claim whose finalizer crashed: the next invoice finishes it first', async () => {
    await store().putDraft(draft('roll-a', 'rollco'));
    await store().putDraft(draft('roll-b', 'rollco'));
    await expect(
      store(crashing({ call: 2, after: true })).finalize('roll-a', { now: '2026-02-01T00:00:00Z' }),
    ).rejects.toThrow(InjectedCrash);
    const b = await store().finalize('roll-b', { now: '2026-02-02T00:00:00Z' });
    expect(b.number).toBe('ROLLCO-2');
    // roll-a never came back, yet holds 1: numbering stays gap-free.
    expect((await store().get('roll-a'))?.invoice.number).toBe('ROLLCO-1');
    await checkGapFree('rollco', ['roll-a', 'roll-b']);
  });

  it('numbers concurrently finalized invoices 1..N with no gap and no duplicate, whatever crashes', async () => {
    const crash = fc.option(fc.record({ call: fc.nat({ max: 9 }), after: fc.boolean() }), { nil: null });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(crash, { maxLength: 3 }), { minLength: 12, maxLength: 24 }),
        async (plans) => {
          const issuer = `conc${run++}x${Math.random().toString(36).slice(2, 6)}`;
          const ids = plans.map((_, i) => `${issuer}-inv-${i}`);
          await Promise.all(ids.map((id) => store().putDraft(draft(id, issuer))));
          await Promise.all(
            ids.map((id, i) =>
              finalizeWithCrashes(id, plans[i]!, `2026-02-01T00:00:${String(i % 60).padStart(2, '0')}Z`),
            ),
          );
          await checkGapFree(issuer, ids);
        },
      ),
      { numRuns: 8 },
    );
  });

  it('keeps numbers gap-free when invoices are finalized twice concurrently (duplicate jobs)', async () => {
    const issuer = 'dupco';
    const ids = Array.from({ length: 15 }, (_, i) => `dup-${i}`);
    await Promise.all(ids.map((id) => store().putDraft(draft(id, issuer))));
    await Promise.all(
      [...ids, ...ids].map((id, i) =>
        finalizeWithCrashes(id, [{ call: i % 7, after: i % 2 === 0 }], '2026-02-01T00:00:00Z'),
      ),
    );
    await checkGapFree(issuer, ids);
  });
});
