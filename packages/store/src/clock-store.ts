import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailed } from './errors.js';
import type { DocumentSender } from './invoice-store.js';

/**
 * The local test clock, persisted so that `tally clock advance 31d` in one process and the running local
 * stack in another agree on the time. Local stack only: in AWS every function uses the system clock and
 * this item does not exist.
 *
 * | access pattern        | key                                   |
 * | --------------------- | ------------------------------------- |
 * | read / move the clock | pk `CLOCK`, sk `CLOCK` (`nowMs`, `v`) |
 *
 * Time never goes backwards: every move is conditional on the value read.
 */
export interface ClockStoreOptions {
  readonly client: DocumentSender;
  readonly tableName: string;
}

/** A clock a process can follow (TestClock of @tally/local-stack satisfies it). */
export interface SettableClock {
  now(): Date;
  set(to: Date): Promise<Date>;
}

const KEY = { pk: 'CLOCK', sk: 'CLOCK' };

export class ClockStore {
  readonly #client: DocumentSender;
  readonly #table: string;

  constructor(options: ClockStoreOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
  }

  /** The persisted time, or null when no clock was ever stored. */
  async read(): Promise<Date | null> {
    const res = await this.#client.send(
      new GetCommand({ TableName: this.#table, Key: KEY, ConsistentRead: true }),
    );
    return res.Item === undefined ? null : new Date(Number(res.Item.nowMs));
  }

  /** Stores `initial` unless a clock is stored already; returns the stored time. */
  async init(initial: Date): Promise<Date> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: KEY,
          UpdateExpression: 'SET nowMs = :t',
          ConditionExpression: 'attribute_not_exists(pk)',
          ExpressionAttributeValues: { ':t': initial.getTime() },
        }),
      );
      return initial;
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      return (await this.read()) ?? initial;
    }
  }

  /** Moves the stored clock to `to` (never backwards); returns the new time. */
  async set(to: Date): Promise<Date> {
    for (;;) {
      const cur = await this.read();
      if (cur !== null && to.getTime() < cur.getTime()) {
        throw new RangeError(`clock: cannot go back from ${cur.toISOString()} to ${to.toISOString()}`);
      }
      try {
        await this.#client.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: KEY,
            UpdateExpression: 'SET nowMs = :t',
            ConditionExpression: cur === null ? 'attribute_not_exists(pk)' : 'nowMs = :was',
            ExpressionAttributeValues:
              cur === null ? { ':t': to.getTime() } : { ':t': to.getTime(), ':was': cur.getTime() },
          }),
        );
        return to;
      } catch (err) {
        if (!isConditionFailed(err)) throw err;
      }
    }
  }

  /** Moves the stored clock forward by `ms` from where it stands (or from `fallback` if none is stored). */
  async advance(ms: number, fallback: Date = new Date()): Promise<Date> {
    const cur = (await this.read()) ?? fallback;
    return this.set(new Date(cur.getTime() + ms));
  }

  /**
   * Keeps an in-process clock in step with the stored one: polls every `intervalMs` and moves `clock` forward
   * (firing its schedules) whenever the stored time is ahead. Returns a function that stops following.
   */
  follow(clock: SettableClock, intervalMs = 500): () => void {
    let stopped = false;
    let running = false;
    const tick = async () => {
      if (running || stopped) return;
      running = true;
      try {
        const stored = await this.read();
        if (stored !== null && stored.getTime() > clock.now().getTime()) await clock.set(stored);
      } finally {
        running = false;
      }
    };
    const timer = setInterval(() => void tick().catch(() => undefined), intervalMs);
    timer.unref?.();
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }
}
