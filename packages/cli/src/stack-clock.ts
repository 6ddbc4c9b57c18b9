import { billingTable } from '@tally/resources';
import { ClockStore, createDocumentClient, tableName } from '@tally/store';

/**
 * The time of the stack in `env`: its stored test clock when it has one (`tally clock`; the local stack's
 * functions live by it, so `tally bill`, `pay` and `report` on `npm start`'s stack act at the stack's date),
 * else the wall clock (a deployed stack stores none).
 */
export async function stackNow(env: NodeJS.ProcessEnv = process.env): Promise<Date> {
  return (await storedClock(env)) ?? new Date();
}

/** The test clock the stack in `env` stores (the billing table's clock item), or null. */
export function storedClock(env: NodeJS.ProcessEnv = process.env): Promise<Date | null> {
  return new ClockStore({ client: createDocumentClient(), tableName: tableName(billingTable, env) }).read();
}
