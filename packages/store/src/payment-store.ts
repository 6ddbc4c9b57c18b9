import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Account, Payment } from '@tally/payments';
import { ConflictError, isConditionFailed } from './errors.js';
import type { DocumentSender } from './invoice-store.js';

/**
 * Payments, customer receivables accounts and webhook notification ids in the billing table.
 *
 * | access pattern                                       | key                                                             |
 * | ---------------------------------------------------- | --------------------------------------------------------------- |
 * | get / record a payment or refund (idempotent by id)  | pk `PAY#<paymentId>`, sk `PAY`                                  |
 * | payments of a customer, by time                      | gsi2 `CUSTPAY#<customerId>` / `<receivedAt>#<paymentId>`        |
 * | payments naming an invoice, by time                  | gsi1 `INVPAY#<invoiceId>` / `<receivedAt>#<paymentId>`          |
 * | unapplied payments, by time (reconciliation)         | gsi1 `PAYUNAPPLIED` / `<receivedAt>#<paymentId>` (while unapplied) |
 * | a customer's receivables account (ledger + dunning)  | pk `PAY#ACCT#<customerId>`, sk `ACCT` (`version`)               |
 * | all accounts (reconciliation report)                 | gsi1 `PAYACCTS` / `<customerId>`                                |
 * | webhook notification seen (replay guard)             | pk `WH#<notificationId>`, sk `WH` (`expiresAt` TTL)             |
 *
 * Payment ids never contain `#` (PaymentIdSchema), so `PAY#ACCT#…` cannot collide with a payment.
 *
 * The account is ONE item changed by compare-and-set on `version` ({@link PaymentStore.updateAccount}): a
 * payment, a refund and a dunning step of the same customer are serialised, so "is the invoice still unpaid?"
 * and "record that reminder N was sent" happen in the same conditional write. The `PAYACCTS` index partition
 * takes one write per account change: payments and dunning steps are rare per second, far below its
 * 1,000 writes/s. The account grows with its journal; at ~300 bytes per invoice or payment, an account holds
 * about a thousand of them before DynamoDB's 400 KB item limit (archiving settled entries is future work).
 */

export type PaymentStatus = 'applied' | 'unapplied' | 'duplicate';

/** A payment as stored: the payment, what happened to it, and why it is unapplied when it is. */
export interface StoredPayment {
  readonly payment: Payment;
  readonly status: 'applied' | 'unapplied';
  readonly customerId: string | null;
  readonly reason: string | null;
  readonly recordedAt: string;
}

export interface PaymentStoreOptions {
  readonly client: DocumentSender;
  readonly tableName: string;
  /** Validates a stored account (`AccountSchema.parse`). Default: trusts the stored JSON. */
  readonly parseAccount?: (data: unknown) => Account;
  /** Compare-and-set attempts before giving up under contention. Default 20. */
  readonly maxAttempts?: number;
  /** Days a webhook notification id is remembered. Default 30 (providers retry for up to 3 days). */
  readonly notificationRetentionDays?: number;
}

const PAY = (id: string) => `PAY#${id}`;
const ACCT = (customerId: string) => `PAY#ACCT#${customerId}`;
const WH = (id: string) => `WH#${id}`;

/**
 * The result of an account mutation: the next account (the same object when nothing changes, so nothing is
 * written) and what the caller wants back.
 */
export interface AccountChange<R> {
  readonly account: Account | undefined;
  readonly result: R;
}

export class PaymentStore {
  readonly #client: DocumentSender;
  readonly #table: string;
  readonly #parse: (data: unknown) => Account;
  readonly #maxAttempts: number;
  readonly #retentionDays: number;

  constructor(options: PaymentStoreOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#parse = options.parseAccount ?? ((d) => d as Account);
    this.#maxAttempts = options.maxAttempts ?? 20;
    this.#retentionDays = options.notificationRetentionDays ?? 30;
  }

  async getAccount(customerId: string): Promise<Account | undefined> {
    const res = await this.#client.send(
      new GetCommand({
        TableName: this.#table,
        Key: { pk: ACCT(customerId), sk: 'ACCT' },
        ConsistentRead: true,
      }),
    );
    return res.Item === undefined ? undefined : this.#parse({ ...res.Item.data, version: res.Item.version });
  }

  /**
   * Reads the account, applies `change` (pure) and writes the result only if the version did not move;
   * on a lost race it re-reads and re-applies, so `change` always sees the latest state.
   * @throws ConflictError after `maxAttempts` lost races.
   */
  async updateAccount<R>(
    customerId: string,
    change: (account: Account | undefined) => AccountChange<R>,
  ): Promise<R> {
    for (let attempt = 0; attempt < this.#maxAttempts; attempt++) {
      const current = await this.getAccount(customerId);
      const { account: next, result } = change(current);
      if (next === undefined || next === current) return result;
      if (next.customerId !== customerId) {
        throw new ConflictError('account', customerId, `a change returned the account of ${next.customerId}`);
      }
      const version = current?.version ?? 0;
      const { version: _v, ...data } = next;
      try {
        await this.#client.send(
          new PutCommand({
            TableName: this.#table,
            Item: {
              pk: ACCT(customerId),
              sk: 'ACCT',
              data,
              version: version + 1,
              gsi1pk: 'PAYACCTS',
              gsi1sk: customerId,
            },
            ConditionExpression: current === undefined ? 'attribute_not_exists(pk)' : 'version = :v',
            ...(current === undefined ? {} : { ExpressionAttributeValues: { ':v': version } }),
          }),
        );
        return result;
      } catch (err) {
        if (!isConditionFailed(err)) throw err;
      }
    }
    throw new ConflictError('account', customerId, `not updated after ${this.#maxAttempts} attempts`);
  }

  /** Every account (for the reconciliation report), by customer id. */
  async listAccounts(): Promise<Account[]> {
    const items = await this.#queryAll('gsi1', 'PAYACCTS');
    return items.map((i) => this.#parse({ ...(i.data as object), version: i.version }));
  }

  /**
   * Records a payment. A payment id is stored once: a later record of the same id only replaces an
   * `unapplied` one (it was applied since), so an applied payment is never turned back.
   * @returns false when the payment was already stored as applied.
   */
  async putPayment(p: StoredPayment): Promise<boolean> {
    const { payment } = p;
    const index =
      p.status === 'unapplied'
        ? { gsi1pk: 'PAYUNAPPLIED', gsi1sk: `${payment.receivedAt}#${payment.id}` }
        : payment.invoiceId !== undefined
          ? { gsi1pk: `INVPAY#${payment.invoiceId}`, gsi1sk: `${payment.receivedAt}#${payment.id}` }
          : {};
    const customer =
      p.customerId === null
        ? {}
        : { gsi2pk: `CUSTPAY#${p.customerId}`, gsi2sk: `${payment.receivedAt}#${payment.id}` };
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            pk: PAY(payment.id),
            sk: 'PAY',
            data: payment,
            status: p.status,
            customerId: p.customerId,
            reason: p.reason,
            recordedAt: p.recordedAt,
            ...index,
            ...customer,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR #status = :unapplied',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':unapplied': 'unapplied' },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }

  async getPayment(paymentId: string): Promise<StoredPayment | undefined> {
    const res = await this.#client.send(
      new GetCommand({
        TableName: this.#table,
        Key: { pk: PAY(paymentId), sk: 'PAY' },
        ConsistentRead: true,
      }),
    );
    return res.Item === undefined ? undefined : fromPaymentItem(res.Item);
  }

  /** Payments kept unapplied, oldest first. */
  async listUnapplied(): Promise<StoredPayment[]> {
    return (await this.#queryAll('gsi1', 'PAYUNAPPLIED')).map(fromPaymentItem);
  }

  /** Payments and refunds recorded for a customer, oldest first. */
  async listByCustomer(customerId: string): Promise<StoredPayment[]> {
    return (await this.#queryAll('gsi2', `CUSTPAY#${customerId}`)).map(fromPaymentItem);
  }

  /**
   * Claims a webhook notification id. `new`: first time; `processing`: seen, but its processing never
   * confirmed (a crash or a concurrent delivery: processing again is safe, the ledger is idempotent by
   * payment id); `done`: a replay, to be acknowledged and ignored.
   */
  async claimNotification(notificationId: string, now: Date): Promise<'new' | 'processing' | 'done'> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            pk: WH(notificationId),
            sk: 'WH',
            state: 'processing',
            firstSeenAt: now.toISOString(),
            expiresAt: Math.floor(now.getTime() / 1000) + this.#retentionDays * 86_400,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'new';
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
    }
    const res = await this.#client.send(
      new GetCommand({
        TableName: this.#table,
        Key: { pk: WH(notificationId), sk: 'WH' },
        ConsistentRead: true,
      }),
    );
    return res.Item?.state === 'done' ? 'done' : 'processing';
  }

  /** Marks a notification processed: later deliveries of its id are replays. */
  async completeNotification(notificationId: string, now: Date): Promise<void> {
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: { pk: WH(notificationId), sk: 'WH' },
        UpdateExpression: 'SET #state = :done, doneAt = :now',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':done': 'done', ':now': now.toISOString() },
      }),
    );
  }

  async #queryAll(index: 'gsi1' | 'gsi2', pk: string): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          IndexName: index,
          KeyConditionExpression: `${index}pk = :pk`,
          ExpressionAttributeValues: { ':pk': pk },
          ExclusiveStartKey: start,
        }),
      );
      out.push(...(res.Items ?? []));
      start = res.LastEvaluatedKey;
    } while (start !== undefined);
    return out;
  }
}

function fromPaymentItem(item: Record<string, unknown>): StoredPayment {
  return {
    payment: item.data as Payment,
    status: item.status === 'unapplied' ? 'unapplied' : 'applied',
    customerId: typeof item.customerId === 'string' ? item.customerId : null,
    reason: typeof item.reason === 'string' ? item.reason : null,
    recordedAt: String(item.recordedAt),
  };
}
