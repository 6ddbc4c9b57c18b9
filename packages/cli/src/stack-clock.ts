import { billingTable } from '@tally/resources';
import { ClockStore, createDocumentClient, tableName } from '@tally/store';

/** The stack's stored test clock (`tally clock`): the billing table's clock item of the stack in `env`. */
export function clockStoreFromEnv(env: NodeJS.ProcessEnv = process.env): ClockStore {
  return new ClockStore({ client: createDocumentClient(), tableName: tableName(billingTable, env) });
}

/**
 * The time of the stack in `env`: its stored test clock when it has one (`tally clock`; the local stack's
 * functions live by it, so `tally bill`, `pay` and `report` on `npm start`'s stack act at the stack's date),
 * else the wall clock (a deployed stack stores none).
 */
export async function stackNow(env: NodeJS.ProcessEnv = process.env): Promise<Date> {
  return (await storedClock(env)) ?? new Date();
}

/** The test clock the stack in `env` stores, or null. */
export function storedClock(env: NodeJS.ProcessEnv = process.env): Promise<Date | null> {
  return clockStoreFromEnv(env).read();
}
