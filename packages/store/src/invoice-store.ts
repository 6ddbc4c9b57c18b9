import { createHash } from 'node:crypto';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError, isConditionFailed, NotFoundError } from './errors.js';

/**
 * Invoices and per-issuer invoice numbers in the billing table.
 *
 * | access pattern                                   | key                                                                 |
 * | ------------------------------------------------ | ------------------------------------------------------------------- |
 * | get / upsert an invoice (draft)                  | pk `INV#<invoiceId>`, sk `INV`                                      |
 * | status and customer of an invoice (no document)  | pk `INV#<invoiceId>`, sk `INV`, projection `status, customerId`     |
 * | invoices of a customer, by period                | gsi2 `CUSTINV#<customerId>` / `<periodStart>#<invoiceId>`           |
 * | open (finalized, unpaid) invoices by due date    | gsi1 `OPEN#<issuerId>` / `<dueDate>#<invoiceId>` (finalized only)   |
 * | last issued number of an issuer                  | pk `ISSUER#<issuerId>`, sk `COUNTER` (`last`)                       |
 * | who holds number n of an issuer                  | pk `ISSUER#<issuerId>`, sk `NUM#<n, 12 digits>` (`invoiceId`)       |
 * | the issuer (legal name, number prefix, zone)     | pk `ISSUER#<issuerId>`, sk `PROFILE` (`data`)                       |
 * | the lines of a large invoice, chunk i            | pk `INV#<invoiceId>`, sk `LINES#<hash of the lines>#<i, 4 digits>`  |
 *
 * The invoice document is the attribute `data` (a map holding the invoice JSON as InvoiceSchema describes it);
 * `status`, `number`, `seq`, `customerId`, `issuerId`, `subscriptionId`, `periodStart`, `dueDate` and `version`
 * are copied beside it for conditions and indexes.
 *
 * ## Invoices over the item size limit
 * A DynamoDB item holds at most 400 KB (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-items),
 * and an invoice with thousands of lines (call rating per destination) exceeds it. When the document would
 * pass {@link INLINE_LIMIT_BYTES}, its lines move to chunk items of at most {@link CHUNK_BYTES} of JSON each,
 * keyed by a hash of the lines, and `data.lines` is left empty with `linesRef` = { hash, chunks, count } beside
 * it. Chunks are written before the invoice item that names them, so a reader never finds a reference to a
 * missing chunk; a retried write of the same lines writes the same chunk items (same keys, same content). A
 * re-assembled draft with other lines writes another set; when the invoice is finalized, the sets it no
 * longer names get an `expiresAt` (TTL) a day later. Chunks are read with GetItem by key, so a function allowed
 * to GetItem `INV#*` (delivery, dunning) reads a large invoice as it reads a small one.
 *
 * ## Gap-free numbers without transactions
 * dynalite has no TransactWriteItems, and a transaction would not survive a crash between "take a number"
 * and "stamp the invoice" anyway. Numbers are instead claimed with conditional writes, and any finalizer
 * finishes what a crashed one left half done (roll-forward):
 *
 * 1. read the issuer's counter `last`; the candidate is n = last + 1;
 * 2. put the claim `NUM#n` = { invoiceId, claimedAt } if it does not exist;
 * 3. if the claim is ours (new, or left by our own crashed attempt): stamp the invoice with n at `claimedAt`,
 *    only if it is still the draft version we read; then move the counter from n − 1 to n;
 * 4. if the claim names another invoice: if that one is still a draft, finish it with n (roll-forward);
 *    if it already holds n, move the counter; if it holds another number (it was finished by someone else
 *    while it claimed n), the claim is orphaned and is taken over by compare-and-set on `invoiceId`.
 *
 * Invariant: the counter reaches n only after claim n's invoice holds n, so every number ≤ counter is on
 * exactly one invoice, and a number is issued only if every smaller one is. A claim above the counter is a
 * reservation, never an issued number.
 */

/** What the store reads from an invoice document; `Invoice` of @tally/billing satisfies it. */
export interface StorableInvoice {
  readonly id: string;
  readonly status: string;
  readonly number: string | null;
  readonly subscriptionId: string;
  readonly dueDate: string | null;
  readonly issuer: { readonly id: string };
  readonly customer: { readonly id: string };
  readonly period: { readonly start: string; readonly end: string };
  /** Moved to chunk items when the invoice is too large for one item. */
  readonly lines?: readonly unknown[];
}

export interface StoredInvoice<T extends StorableInvoice> {
  readonly invoice: T;
  /** Bumped on every write; finalization only applies to the draft version it read. */
  readonly version: number;
  /** The issuer sequence number once finalized. */
  readonly seq: number | null;
  /** When the lines are kept in chunk items: the hash that names them. */
  readonly linesHash?: string;
}

export interface NumberClaim {
  readonly issuerId: string;
  readonly seq: number;
  readonly invoiceId: string;
  /** The finalization time: every finalizer completing this claim stamps the invoice with it. */
  readonly claimedAt: string;
}

/** The document client surface the store uses (a wrapper can inject faults in tests). */
export type DocumentSender = Pick<DynamoDBDocumentClient, 'send'>;

export interface InvoiceStoreOptions<T extends StorableInvoice> {
  readonly client: DocumentSender;
  readonly tableName: string;
  /**
   * Validates a stored document (e.g. `InvoiceSchema.parse`). Default: trusts the stored JSON.
   */
  readonly parse?: (data: unknown) => T;
  /**
   * The domain transition draft → finalized (`finalizeInvoice` of @tally/billing): must be pure, so any
   * finalizer completing a claim produces the same invoice.
   */
  readonly finalizeDraft: (draft: T, opts: { number: number; now: string }) => T;
  /** Attempts before `finalize` gives up under contention. Default 200. */
  readonly maxAttempts?: number;
}

export type DraftWrite = 'created' | 'updated' | 'locked';

/** Above this many bytes of invoice JSON the lines go to chunk items (400 KB per item, with room for the rest). */
export const INLINE_LIMIT_BYTES = 300_000;
/** Bytes of line JSON per chunk item. */
export const CHUNK_BYTES = 300_000;
/** How long a chunk set the finalized invoice no longer names is kept (seconds), for readers still on it. */
const SUPERSEDED_TTL_S = 86_400;

const INV = (id: string) => `INV#${id}`;
const LINES = (hash: string, i: number) => `LINES#${hash}#${String(i).padStart(4, '0')}`;

interface LinesRef {
  readonly hash: string;
  readonly chunks: number;
  readonly count: number;
}

/** An invoice as items: the invoice item (lines inline, or a reference) and the chunk items it names. */
interface InvoiceItems {
  readonly data: unknown;
  readonly linesRef: LinesRef | null;
  readonly chunks: Record<string, unknown>[];
}
const ISSUER = (id: string) => `ISSUER#${id}`;
const NUM = (n: number) => `NUM#${String(n).padStart(12, '0')}`;

/**
 * Invoice adapter: draft upserts, gap-free finalization, lookups by customer and open invoices by due date.
 *
 * @example
 * const store = new InvoiceStore({ client, tableName, parse: InvoiceSchema.parse, finalizeDraft: finalizeInvoice });
 * await store.putDraft(draft);
 * const final = await store.finalize(draft.id, { now: '2026-02-01T06:00:00Z' });
 */
export class InvoiceStore<T extends StorableInvoice> {
  readonly #client: DocumentSender;
  readonly #table: string;
  readonly #parse: (data: unknown) => T;
  readonly #finalizeDraft: InvoiceStoreOptions<T>['finalizeDraft'];
  readonly #maxAttempts: number;

  constructor(options: InvoiceStoreOptions<T>) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#parse = options.parse ?? ((d) => d as T);
    this.#finalizeDraft = options.finalizeDraft;
    this.#maxAttempts = options.maxAttempts ?? 200;
  }

  async get(invoiceId: string): Promise<StoredInvoice<T> | null> {
    const res = await this.#client.send(
      new GetCommand({
        TableName: this.#table,
        Key: { pk: INV(invoiceId), sk: 'INV' },
        ConsistentRead: true,
      }),
    );
    return res.Item === undefined ? null : this.#fromItem(res.Item);
  }

  /**
   * The status and customer of an invoice, read fresh (consistent) without its document: for callers that
   * decide on the status alone (dunning), so they neither transfer nor parse the lines.
   */
  async head(
    invoiceId: string,
  ): Promise<{ readonly status: string; readonly customerId: string; readonly version: number } | null> {
    const res = await this.#client.send(
      new GetCommand({
        TableName: this.#table,
        Key: { pk: INV(invoiceId), sk: 'INV' },
        ConsistentRead: true,
        ProjectionExpression: '#status, customerId, version',
        ExpressionAttributeNames: { '#status': 'status' },
      }),
    );
    const item = res.Item;
    if (item === undefined) return null;
    return {
      status: String(item.status),
      customerId: String(item.customerId),
      version: Number(item.version ?? 0),
    };
  }

  /** The invoice document as stored (chunked lines joined back), without `parse`. */
  async #data(item: Record<string, unknown>): Promise<unknown> {
    const ref = item.linesRef as LinesRef | undefined;
    if (ref === undefined || ref === null) return item.data;
    const pk = String(item.pk);
    const parts = await Promise.all(
      Array.from({ length: ref.chunks }, async (_, i) => {
        const res = await this.#client.send(
          new GetCommand({
            TableName: this.#table,
            Key: { pk, sk: LINES(ref.hash, i) },
            ConsistentRead: true,
          }),
        );
        if (res.Item === undefined) {
          throw new NotFoundError('invoice line chunk', `${pk} ${LINES(ref.hash, i)}`);
        }
        return JSON.parse(String(res.Item.lines)) as unknown[];
      }),
    );
    const lines = parts.flat();
    if (lines.length !== ref.count) {
      throw new ConflictError('invoice', pk, `line chunks hold ${lines.length} lines, expected ${ref.count}`);
    }
    return { ...(item.data as Record<string, unknown>), lines };
  }

  /** Splits an invoice into its item data and line chunks when it is too large for one item. */
  #split(invoice: T): InvoiceItems {
    const lines = invoice.lines;
    if (lines === undefined || Buffer.byteLength(JSON.stringify(invoice), 'utf8') <= INLINE_LIMIT_BYTES) {
      return { data: invoice, linesRef: null, chunks: [] };
    }
    const json = lines.map((l) => JSON.stringify(l));
    const hash = createHash('sha256')
      .update(`[${json.join(',')}]`)
      .digest('hex')
      .slice(0, 32);
    const groups: string[][] = [];
    let size = Number.POSITIVE_INFINITY;
    for (const line of json) {
      const bytes = Buffer.byteLength(line, 'utf8') + 1;
      if (size + bytes > CHUNK_BYTES) {
        groups.push([]);
        size = 2;
      }
      groups[groups.length - 1]!.push(line);
      size += bytes;
    }
    const pk = INV(invoice.id);
    return {
      data: { ...invoice, lines: [] },
      linesRef: { hash, chunks: groups.length, count: lines.length },
      chunks: groups.map((g, i) => ({ pk, sk: LINES(hash, i), lines: `[${g.join(',')}]` })),
    };
  }

  /** Puts line chunks (idempotent: the same lines give the same items); before the item naming them. */
  async #putChunks(chunks: readonly Record<string, unknown>[]): Promise<void> {
    await Promise.all(
      chunks.map((Item) => this.#client.send(new PutCommand({ TableName: this.#table, Item }))),
    );
  }

  /**
   * Marks the chunk sets a finalized invoice no longer names for expiry. Best effort: a set left behind costs
   * storage, never correctness, so a failure here does not fail the finalization that already happened.
   */
  async #expireSuperseded(invoiceId: string, keep: string | null, now: string): Promise<void> {
    try {
      const res = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :lines)',
          FilterExpression: 'attribute_not_exists(expiresAt)',
          ProjectionExpression: 'pk, sk',
          ExpressionAttributeValues: { ':pk': INV(invoiceId), ':lines': 'LINES#' },
        }),
      );
      const expiresAt = Math.floor(Date.parse(now) / 1000) + SUPERSEDED_TTL_S;
      const stale = (res.Items ?? []).filter(
        (i) => keep === null || !String(i.sk).startsWith(`LINES#${keep}#`),
      );
      await Promise.all(
        stale.map((i) =>
          this.#client.send(
            new UpdateCommand({
              TableName: this.#table,
              Key: { pk: i.pk, sk: i.sk },
              UpdateExpression: 'SET expiresAt = :t',
              ExpressionAttributeValues: { ':t': expiresAt },
            }),
          ),
        ),
      );
    } catch {
      // See above: best effort.
    }
  }

  /**
   * Creates or replaces a draft. A finalized (or later) invoice is never overwritten: the call returns
   * `locked` and leaves it as it is, so a billing job re-run after finalization changes nothing.
   */
  async putDraft(invoice: T): Promise<DraftWrite> {
    return (await this.writeDraft(invoice)).write;
  }

  /**
   * {@link putDraft}, also returning the draft as stored (`parse`d, with its new version) unless it was
   * `locked`: a caller that finalizes it next hands it to `finalize` instead of having it read back.
   */
  async writeDraft(invoice: T): Promise<{ write: DraftWrite; stored: StoredInvoice<T> | null }> {
    if (invoice.status !== 'draft') {
      throw new ConflictError(
        'invoice',
        invoice.id,
        `putDraft takes drafts only, got status "${invoice.status}"`,
      );
    }
    const split = this.#split(invoice);
    await this.#putChunks(split.chunks);
    try {
      const res = await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: INV(invoice.id), sk: 'INV' },
          UpdateExpression:
            'SET #data = :data, #status = :draft, customerId = :cust, issuerId = :iss, subscriptionId = :sub, ' +
            `periodStart = :ps, gsi2pk = :g2pk, gsi2sk = :g2sk${split.linesRef ? ', linesRef = :ref' : ''} ` +
            `ADD version :one${split.linesRef ? '' : ' REMOVE linesRef'}`,
          ConditionExpression: 'attribute_not_exists(pk) OR #status = :draft',
          ExpressionAttributeNames: { '#data': 'data', '#status': 'status' },
          ExpressionAttributeValues: {
            ':data': split.data,
            ...(split.linesRef ? { ':ref': split.linesRef } : {}),
            ':draft': 'draft',
            ':cust': invoice.customer.id,
            ':iss': invoice.issuer.id,
            ':sub': invoice.subscriptionId,
            ':ps': invoice.period.start,
            ':g2pk': `CUSTINV#${invoice.customer.id}`,
            ':g2sk': `${invoice.period.start}#${invoice.id}`,
            ':one': 1,
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const version = Number(res.Attributes?.version ?? 0);
      return {
        write: version === 1 ? 'created' : 'updated',
        // As a read would give it: the JSON the item holds (no undefined fields), parsed.
        stored: {
          invoice: this.#parse(JSON.parse(JSON.stringify(invoice))),
          version,
          seq: null,
          ...(split.linesRef ? { linesHash: split.linesRef.hash } : {}),
        },
      };
    } catch (err) {
      if (isConditionFailed(err)) return { write: 'locked', stored: null };
      throw err;
    }
  }

  /**
   * Replaces a finalized invoice by its next state (paid, void), only from the status and version read.
   * @throws ConflictError when the invoice moved on in between.
   */
  async transition(
    invoice: T,
    expected: {
      status: string;
      version: number;
      /** The sequence number of the version read (`StoredInvoice.seq`); read again when left out. */
      seq?: number | null;
    },
  ): Promise<void> {
    let seq = expected.seq;
    if (seq === undefined) {
      const cur = await this.get(invoice.id);
      if (cur === null) throw new NotFoundError('invoice', invoice.id);
      seq = cur.seq;
    }
    const { item, chunks } = this.#toItem(invoice, expected.version + 1, seq);
    await this.#putChunks(chunks);
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: item,
          ConditionExpression: '#status = :status AND version = :v',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': expected.status, ':v': expected.version },
        }),
      );
    } catch (err) {
      if (isConditionFailed(err)) {
        throw new ConflictError(
          'invoice',
          invoice.id,
          `is no longer ${expected.status} v${expected.version}`,
          {
            cause: err,
          },
        );
      }
      throw err;
    }
  }

  /**
   * Finalizes a stored draft with the issuer's next gap-free number, stamped at `now`. Idempotent: an
   * invoice already finalized is returned as it is; a retry after a crash reuses the number it claimed.
   * @throws NotFoundError when there is no such invoice; ConflictError after `maxAttempts` under contention.
   */
  async finalize(
    invoiceId: string,
    opts: {
      now: string;
      /**
       * The draft as `writeDraft` just stored it: the first attempt starts from it instead of reading it
       * (the stamp is conditional on its version, so a draft changed since is read again).
       */
      draft?: StoredInvoice<T>;
    },
  ): Promise<T> {
    for (let attempt = 0; attempt < this.#maxAttempts; attempt++) {
      const given =
        attempt === 0 && opts.draft?.invoice.id === invoiceId && opts.draft.invoice.status === 'draft'
          ? opts.draft
          : undefined;
      const cur = given ?? (await this.get(invoiceId));
      if (cur === null) throw new NotFoundError('invoice', invoiceId);
      if (cur.invoice.status !== 'draft') {
        if (cur.linesHash !== undefined) await this.#expireSuperseded(invoiceId, cur.linesHash, opts.now);
        return cur.invoice;
      }
      const issuerId = cur.invoice.issuer.id;
      const n = (await this.lastNumber(issuerId)) + 1;
      const claim = await this.#claim({ issuerId, seq: n, invoiceId, claimedAt: opts.now });
      if (claim.invoiceId === invoiceId) {
        // The draft just read is the one to stamp (the write is conditional on its version); when the stamp
        // is ours, the invoice is what we wrote, so it is not read back.
        const stamped = await this.#complete(claim, cur);
        if (stamped !== null) {
          if (stamped.linesHash !== undefined) {
            await this.#expireSuperseded(invoiceId, stamped.linesHash, opts.now);
          }
          return stamped.invoice;
        }
        continue;
      }
      const holder = await this.get(claim.invoiceId);
      if (holder !== null && holder.invoice.status === 'draft') {
        await this.#complete(claim, holder);
      } else if (holder !== null && holder.seq === n) {
        await this.#advance(issuerId, n);
      } else {
        await this.#takeOver(claim, invoiceId, opts.now);
      }
    }
    throw new ConflictError('invoice', invoiceId, `not finalized after ${this.#maxAttempts} attempts`);
  }

  /** Stores an issuer's profile (what invoices print and how their numbers are formatted). */
  async putIssuer(issuer: { readonly id: string }): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#table,
        Item: { pk: ISSUER(issuer.id), sk: 'PROFILE', data: issuer },
      }),
    );
  }

  async getIssuer(issuerId: string): Promise<unknown> {
    const res = await this.#client.send(
      new GetCommand({ TableName: this.#table, Key: { pk: ISSUER(issuerId), sk: 'PROFILE' } }),
    );
    return res.Item?.data ?? null;
  }

  /** The last number issued by an issuer (0 before the first). */
  async lastNumber(issuerId: string): Promise<number> {
    const res = await this.#client.send(
      new GetCommand({
        TableName: this.#table,
        Key: { pk: ISSUER(issuerId), sk: 'COUNTER' },
        ConsistentRead: true,
      }),
    );
    return Number(res.Item?.last ?? 0);
  }

  async getClaim(issuerId: string, seq: number): Promise<NumberClaim | null> {
    const res = await this.#client.send(
      new GetCommand({
        TableName: this.#table,
        Key: { pk: ISSUER(issuerId), sk: NUM(seq) },
        ConsistentRead: true,
      }),
    );
    return res.Item === undefined ? null : toClaim(issuerId, res.Item);
  }

  /** Invoices of a customer, oldest period first. */
  async listByCustomer(customerId: string): Promise<StoredInvoice<T>[]> {
    return this.#queryAll({
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': `CUSTINV#${customerId}` },
    });
  }

  /** Finalized, unpaid invoices of an issuer due on or before `dueOnOrBefore` (a local date), by due date. */
  async listOpen(issuerId: string, dueOnOrBefore = '9999-12-31'): Promise<StoredInvoice<T>[]> {
    return this.#queryAll({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk <= :to',
      ExpressionAttributeValues: { ':pk': `OPEN#${issuerId}`, ':to': `${dueOnOrBefore}#\uffff` },
    });
  }

  async #queryAll(q: {
    IndexName: string;
    KeyConditionExpression: string;
    ExpressionAttributeValues: Record<string, unknown>;
  }): Promise<StoredInvoice<T>[]> {
    const out: StoredInvoice<T>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.#client.send(
        new QueryCommand({ TableName: this.#table, ...q, ExclusiveStartKey: start }),
      );
      out.push(...(await Promise.all((res.Items ?? []).map((item) => this.#fromItem(item)))));
      start = res.LastEvaluatedKey;
    } while (start !== undefined);
    return out;
  }

  async #claim(claim: NumberClaim): Promise<NumberClaim> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            pk: ISSUER(claim.issuerId),
            sk: NUM(claim.seq),
            invoiceId: claim.invoiceId,
            claimedAt: claim.claimedAt,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return claim;
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
    }
    const existing = await this.getClaim(claim.issuerId, claim.seq);
    if (existing === null) {
      throw new ConflictError(
        'number claim',
        `${claim.issuerId}#${claim.seq}`,
        'exists and vanished: claims are never deleted',
      );
    }
    return existing;
  }

  /**
   * Stamps the claim's invoice with the claimed number (if still a draft), then moves the counter.
   * @returns the invoice as stamped by this call (null when it stamped nothing: someone else did, or the
   *   draft moved on since `read`).
   */
  async #complete(
    claim: NumberClaim,
    read?: StoredInvoice<T>,
  ): Promise<{ invoice: T; linesHash: string | undefined } | null> {
    const holder = read ?? (await this.get(claim.invoiceId));
    if (holder === null) return null;
    let stamped: { invoice: T; linesHash: string | undefined } | null = null;
    if (holder.invoice.status === 'draft') {
      const final = this.#finalizeDraft(holder.invoice, { number: claim.seq, now: claim.claimedAt });
      const { item, chunks } = this.#toItem(final, holder.version + 1, claim.seq);
      await this.#putChunks(chunks);
      try {
        await this.#client.send(
          new PutCommand({
            TableName: this.#table,
            Item: item,
            ConditionExpression: '#status = :draft AND version = :v',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':draft': 'draft', ':v': holder.version },
          }),
        );
      } catch (err) {
        // Someone finished it, or the draft was re-assembled: the caller's loop re-reads and decides.
        if (isConditionFailed(err)) return null;
        throw err;
      }
      stamped = { invoice: final, linesHash: (item.linesRef as LinesRef | undefined)?.hash };
    } else if (holder.seq !== claim.seq) {
      return null;
    }
    await this.#advance(claim.issuerId, claim.seq);
    return stamped;
  }

  /** Moves the counter from n − 1 to n; a counter already at n or beyond stays. */
  async #advance(issuerId: string, n: number): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: ISSUER(issuerId), sk: 'COUNTER' },
          UpdateExpression: 'SET #last = :n',
          ConditionExpression: n === 1 ? 'attribute_not_exists(#last)' : '#last = :prev',
          ExpressionAttributeNames: { '#last': 'last' },
          ExpressionAttributeValues: n === 1 ? { ':n': n } : { ':n': n, ':prev': n - 1 },
        }),
      );
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
    }
  }

  /** An orphaned claim (its invoice holds another number) is handed to `invoiceId` by compare-and-set. */
  async #takeOver(claim: NumberClaim, invoiceId: string, now: string): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: ISSUER(claim.issuerId), sk: NUM(claim.seq) },
          UpdateExpression: 'SET invoiceId = :me, claimedAt = :now',
          ConditionExpression: 'invoiceId = :was',
          ExpressionAttributeValues: { ':me': invoiceId, ':now': now, ':was': claim.invoiceId },
        }),
      );
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
    }
  }

  #toItem(
    invoice: T,
    version: number,
    seq: number | null,
  ): { item: Record<string, unknown>; chunks: Record<string, unknown>[] } {
    const open = invoice.status === 'finalized' && invoice.dueDate !== null;
    const split = this.#split(invoice);
    const item = {
      pk: INV(invoice.id),
      sk: 'INV',
      data: split.data,
      ...(split.linesRef ? { linesRef: split.linesRef } : {}),
      status: invoice.status,
      number: invoice.number,
      seq,
      customerId: invoice.customer.id,
      issuerId: invoice.issuer.id,
      subscriptionId: invoice.subscriptionId,
      periodStart: invoice.period.start,
      dueDate: invoice.dueDate,
      version,
      gsi2pk: `CUSTINV#${invoice.customer.id}`,
      gsi2sk: `${invoice.period.start}#${invoice.id}`,
      ...(open ? { gsi1pk: `OPEN#${invoice.issuer.id}`, gsi1sk: `${invoice.dueDate}#${invoice.id}` } : {}),
    };
    return { item, chunks: split.chunks };
  }

  async #fromItem(item: Record<string, unknown>): Promise<StoredInvoice<T>> {
    const ref = item.linesRef as LinesRef | undefined;
    return {
      invoice: this.#parse(await this.#data(item)),
      version: Number(item.version ?? 0),
      seq: typeof item.seq === 'number' ? item.seq : null,
      ...(ref ? { linesHash: ref.hash } : {}),
    };
  }
}

function toClaim(issuerId: string, item: Record<string, unknown>): NumberClaim {
  const seq = Number(String(item.sk).slice('NUM#'.length));
  return { issuerId, seq, invoiceId: String(item.invoiceId), claimedAt: String(item.claimedAt) };
}
