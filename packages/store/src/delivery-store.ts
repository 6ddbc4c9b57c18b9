import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, isConditionFailed } from './errors.js';
import type { DocumentSender } from './invoice-store.js';

/**
 * Email deliveries (one per invoice and send request) and suppressed contacts, in the billing table.
 *
 * | access pattern                                        | key                                                                |
 * | ----------------------------------------------------- | ------------------------------------------------------------------ |
 * | the delivery of a send request                         | pk `DLV#<invoiceId>`, sk `REQ#<requestId>`                         |
 * | deliveries of an invoice                               | pk `DLV#<invoiceId>`, sk begins_with `REQ#`                        |
 * | delivery problems of a day (operator), by time         | gsi1 `DLVISSUE#<yyyy-mm-dd>` / `<at>#<invoiceId>#<requestId>`      |
 * | a suppressed contact (bounce, complaint)               | pk `DLV#CONTACT#<address, lower case>`, sk `CONTACT`               |
 *
 * Invoice ids never start with `CONTACT#` (they are `inv_…`), so the two item kinds cannot collide.
 *
 * ## States: at most one email per send request
 *
 *   (none) ──claim──▶ sending ──SES ok──▶ sent (sesMessageId)
 *                      │  ├──SES refused for now (throttled) ──▶ pending ──claim──▶ sending …
 *                      │  └──SES rejected for good ──▶ failed-permanent
 *                      └──lease expired (crash after or during the send) ──reconcile──▶
 *                             sent (found) │ sending again (proved not sent) │ sent-unknown (cannot tell)
 *   sent-unknown, or sending past its lease ──SES Send/Delivery event (mail-feedback)──▶ sent (reconciled)
 *
 * Every transition is a conditional write on the state and the claim token, so two workers can never both
 * hold a claim. `sent`, `sent-unknown`, `failed-permanent` and `skipped` are final.
 */
export type DeliveryState = 'pending' | 'sending' | 'sent' | 'sent-unknown' | 'failed-permanent' | 'skipped';

export const FINAL_DELIVERY_STATES: readonly DeliveryState[] = [
  'sent',
  'sent-unknown',
  'failed-permanent',
  'skipped',
];

export interface DeliveryRecord {
  readonly invoiceId: string;
  readonly requestId: string;
  readonly deliveryId: string;
  readonly kind: string;
  readonly state: DeliveryState;
  readonly attempts: number;
  readonly claimToken: string | null;
  /** ISO instant; a `sending` claim older than this may be taken over (after reconciliation). */
  readonly leaseUntil: string | null;
  readonly recipients: readonly string[];
  readonly sesMessageId: string | null;
  /** True when `sent` was learned from the sent-mail lookup rather than from SendEmail's answer. */
  readonly reconciled: boolean;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly sentAt: string | null;
  /** Bounce or complaint reported by SES for this mail. */
  readonly feedback: {
    readonly type: 'bounce' | 'complaint';
    readonly at: string;
    readonly detail: string;
  } | null;
}

export interface SuppressedContact {
  readonly address: string;
  readonly reason: 'bounce' | 'complaint';
  readonly at: string;
  readonly detail: string;
  readonly deliveryId: string | null;
}

export interface DeliveryStoreOptions {
  readonly client: DocumentSender;
  readonly tableName: string;
}

const PK = (invoiceId: string) => `DLV#${invoiceId}`;
const SK = (requestId: string) => `REQ#${requestId}`;
const CONTACT_PK = (address: string) => `DLV#CONTACT#${address.toLowerCase()}`;
const ISSUE = (at: string) => `DLVISSUE#${at.slice(0, 10)}`;

function fromItem(item: Record<string, unknown>): DeliveryRecord {
  return {
    invoiceId: item.invoiceId as string,
    requestId: item.requestId as string,
    deliveryId: item.deliveryId as string,
    kind: item.kind as string,
    state: item.state as DeliveryState,
    attempts: (item.attempts as number) ?? 0,
    claimToken: (item.claimToken as string | undefined) ?? null,
    leaseUntil: (item.leaseUntil as string | undefined) ?? null,
    recipients: (item.recipients as string[] | undefined) ?? [],
    sesMessageId: (item.sesMessageId as string | undefined) ?? null,
    reconciled: (item.reconciled as boolean | undefined) ?? false,
    lastError: (item.lastError as string | undefined) ?? null,
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
    sentAt: (item.sentAt as string | undefined) ?? null,
    feedback: (item.feedback as DeliveryRecord['feedback'] | undefined) ?? null,
  };
}

/** Identifies one delivery: the invoice and the send request. */
export interface DeliveryKey {
  readonly invoiceId: string;
  readonly requestId: string;
}

/**
 * The delivery adapter. Each method is one conditional write; a lost condition is a {@link ConflictError}
 * (someone else moved the delivery on), except `create`, which reports it.
 *
 * @example
 * const store = new DeliveryStore({ client, tableName });
 * await store.create({ invoiceId, requestId, deliveryId, kind: 'invoice' }, { token, leaseUntil, now });
 */
export class DeliveryStore {
  readonly #client: DocumentSender;
  readonly #table: string;

  constructor(options: DeliveryStoreOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
  }

  async get(key: DeliveryKey): Promise<DeliveryRecord | null> {
    const res = await this.#client.send(
      new GetCommand({
        TableName: this.#table,
        Key: { pk: PK(key.invoiceId), sk: SK(key.requestId) },
        ConsistentRead: true,
      }),
    );
    return res.Item === undefined ? null : fromItem(res.Item);
  }

  async listForInvoice(invoiceId: string): Promise<DeliveryRecord[]> {
    const res = await this.#client.send(
      new QueryCommand({
        TableName: this.#table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :req)',
        ExpressionAttributeValues: { ':pk': PK(invoiceId), ':req': 'REQ#' },
        ConsistentRead: true,
      }),
    );
    return (res.Items ?? []).map(fromItem);
  }

  /**
   * Creates the delivery already claimed (`sending`), only if it does not exist.
   * @returns false when the delivery exists (another attempt created it first).
   */
  async create(
    d: DeliveryKey & { deliveryId: string; kind: string; recipients: readonly string[] },
    claim: { token: string; leaseUntil: string; now: string },
  ): Promise<boolean> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            pk: PK(d.invoiceId),
            sk: SK(d.requestId),
            invoiceId: d.invoiceId,
            requestId: d.requestId,
            deliveryId: d.deliveryId,
            kind: d.kind,
            state: 'sending',
            attempts: 1,
            claimToken: claim.token,
            leaseUntil: claim.leaseUntil,
            recipients: [...d.recipients],
            createdAt: claim.now,
            updatedAt: claim.now,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }

  /**
   * Claims a delivery for sending: from `pending`, or taking over an expired `sending` claim whose token is
   * `fromToken` (only after reconciliation proved the mail was not sent).
   */
  async claim(
    key: DeliveryKey,
    from: { state: 'pending' } | { state: 'sending'; token: string },
    claim: { token: string; leaseUntil: string; now: string; recipients: readonly string[] },
  ): Promise<void> {
    const byToken = from.state === 'sending';
    await this.#update(
      key,
      'SET #state = :sending, claimToken = :token, leaseUntil = :lease, updatedAt = :now, recipients = :rcpt ADD attempts :one',
      byToken ? '#state = :from AND claimToken = :old' : '#state = :from',
      {
        ':sending': 'sending',
        ':token': claim.token,
        ':lease': claim.leaseUntil,
        ':now': claim.now,
        ':rcpt': [...claim.recipients],
        ':one': 1,
        ':from': from.state,
        ...(byToken ? { ':old': from.token } : {}),
      },
      `cannot be claimed from ${from.state}`,
    );
  }

  /** Records the SES message id of the claim holder's send (or of a reconciled one). */
  async markSent(
    key: DeliveryKey,
    token: string,
    r: { messageId: string; now: string; reconciled: boolean },
  ) {
    await this.#update(
      key,
      'SET #state = :sent, sesMessageId = :mid, sentAt = :now, updatedAt = :now, reconciled = :rec REMOVE leaseUntil',
      '#state = :sending AND claimToken = :token',
      {
        ':sent': 'sent',
        ':mid': r.messageId,
        ':now': r.now,
        ':rec': r.reconciled,
        ':sending': 'sending',
        ':token': token,
      },
      'is no longer claimed by this attempt: the send is not recorded',
    );
  }

  /** Gives the claim back after SES certainly did not accept the mail (throttling): it may be claimed again. */
  async release(key: DeliveryKey, token: string, r: { now: string; error: string }) {
    await this.#update(
      key,
      'SET #state = :pending, updatedAt = :now, lastError = :err REMOVE claimToken, leaseUntil',
      '#state = :sending AND claimToken = :token',
      { ':pending': 'pending', ':now': r.now, ':err': r.error, ':sending': 'sending', ':token': token },
      'is no longer claimed by this attempt',
    );
  }

  /**
   * Ends a claimed delivery in a final problem state, listed for the operator under the day's issues:
   * `failed-permanent` (SES rejected it, no deliverable recipient), `sent-unknown` (crashed around the send,
   * and SES cannot tell), or `skipped` (nothing to send, e.g. a reminder for an invoice paid meanwhile).
   */
  async finish(
    key: DeliveryKey,
    token: string,
    r: { state: 'failed-permanent' | 'sent-unknown' | 'skipped'; now: string; error: string },
  ) {
    await this.#update(
      key,
      'SET #state = :final, updatedAt = :now, lastError = :err, gsi1pk = :g1pk, gsi1sk = :g1sk REMOVE leaseUntil',
      '#state = :sending AND claimToken = :token',
      {
        ':final': r.state,
        ':now': r.now,
        ':err': r.error,
        ':g1pk': ISSUE(r.now),
        ':g1sk': `${r.now}#${key.invoiceId}#${key.requestId}`,
        ':sending': 'sending',
        ':token': token,
      },
      `cannot become ${r.state}: it is no longer claimed by this attempt`,
    );
  }

  /**
   * SES says the mail went out (a Send or Delivery event carrying the delivery id): records `sent` with SES's
   * message id when the delivery is `sent-unknown`, or `sending` with an expired lease (the attempt crashed
   * before recording). A live claim is left to its attempt, and every other state stays as it is.
   * @returns whether it changed the delivery, and the state it found (null: no such delivery).
   */
  async confirmSent(
    key: DeliveryKey,
    r: { readonly messageId: string; readonly at: string; readonly now: string },
  ): Promise<{ readonly confirmed: boolean; readonly state: DeliveryState | null }> {
    try {
      const res = await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: PK(key.invoiceId), sk: SK(key.requestId) },
          UpdateExpression:
            'SET #state = :sent, sesMessageId = :mid, sentAt = :at, updatedAt = :now, reconciled = :true REMOVE leaseUntil',
          ConditionExpression: '#state = :unknown OR (#state = :sending AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':sent': 'sent',
            ':mid': r.messageId,
            ':at': r.at,
            ':now': r.now,
            ':true': true,
            ':unknown': 'sent-unknown',
            ':sending': 'sending',
          },
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      return { confirmed: true, state: (res.Attributes?.state as DeliveryState | undefined) ?? null };
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      return { confirmed: false, state: (await this.get(key))?.state ?? null };
    }
  }

  /** Attaches a bounce or complaint to the delivery and lists it among the day's issues. */
  async recordFeedback(key: DeliveryKey, f: { type: 'bounce' | 'complaint'; at: string; detail: string }) {
    await this.#update(
      key,
      'SET feedback = :f, updatedAt = :at, gsi1pk = :g1pk, gsi1sk = :g1sk',
      'attribute_exists(pk)',
      {
        ':f': f,
        ':at': f.at,
        ':g1pk': ISSUE(f.at),
        ':g1sk': `${f.at}#${key.invoiceId}#${key.requestId}`,
      },
      'does not exist',
    );
  }

  /** Deliveries that need the operator (final problem states, bounces, complaints) of a day, oldest first. */
  async issuesOn(day: string): Promise<DeliveryRecord[]> {
    const res = await this.#client.send(
      new QueryCommand({
        TableName: this.#table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': `DLVISSUE#${day}` },
      }),
    );
    return (res.Items ?? []).map(fromItem);
  }

  /** Marks an address as not to be mailed (hard bounce, complaint). Idempotent: the first report wins. */
  async suppress(contact: SuppressedContact): Promise<void> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            pk: CONTACT_PK(contact.address),
            sk: 'CONTACT',
            ...contact,
            address: contact.address.toLowerCase(),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
    }
  }

  /** The suppressed ones among `addresses`. */
  async suppressed(addresses: readonly string[]): Promise<SuppressedContact[]> {
    const found = await Promise.all(
      addresses.map(async (a) => {
        const res = await this.#client.send(
          new GetCommand({
            TableName: this.#table,
            Key: { pk: CONTACT_PK(a), sk: 'CONTACT' },
            ConsistentRead: true,
          }),
        );
        return res.Item === undefined ? null : (res.Item as unknown as SuppressedContact);
      }),
    );
    return found.filter((c): c is SuppressedContact => c !== null);
  }

  async #update(
    key: DeliveryKey,
    update: string,
    condition: string,
    values: Record<string, unknown>,
    conflict: string,
  ): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: PK(key.invoiceId), sk: SK(key.requestId) },
          UpdateExpression: update,
          ConditionExpression: condition,
          ...(update.includes('#state') || condition.includes('#state')
            ? { ExpressionAttributeNames: { '#state': 'state' } }
            : {}),
          ExpressionAttributeValues: values,
        }),
      );
    } catch (err) {
      if (isConditionFailed(err)) {
        throw new ConflictError('delivery', `${key.invoiceId}/${key.requestId}`, conflict, { cause: err });
      }
      throw err;
    }
  }
}
