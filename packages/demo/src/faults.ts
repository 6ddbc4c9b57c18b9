import type { UsageEvent } from '@tally/metering';
import type { Random } from './random.js';

export interface FaultRates {
  /** Exact re-sends of an event (a producer retry). */
  readonly duplicate: number;
  /** Same identity, different payload: the second copy must be quarantined as a conflict. */
  readonly conflict: number;
  /** Events moved out of time order. */
  readonly reorder: number;
  /** Bodies that are not valid events at all. */
  readonly malformed: number;
  /** Events held back and sent after their period was invoiced. */
  readonly late: number;
}

export const DEFAULT_FAULTS: FaultRates = {
  duplicate: 0.05,
  conflict: 0.005,
  reorder: 0.1,
  malformed: 0.005,
  late: 0.005,
};

/** What the ingestion must end with, computed from the generated input alone. */
export interface ExpectedLedger {
  /** Input units: every event in a message, plus every message that is not valid JSON or not an event list. */
  readonly inputs: number;
  readonly stored: number;
  readonly duplicates: number;
  readonly quarantined: { readonly conflict: number; readonly malformed: number };
  /** The events that must be billed: every clean event once (a conflicting copy only adds a field). */
  readonly billable: readonly UsageEvent[];
}

export interface Traffic {
  /** SQS message bodies to send during the month (each a JSON array of events, or a malformed body). */
  readonly onTime: readonly string[];
  /** Bodies to send after the period closed: late events for the next invoice's adjustments. */
  readonly late: readonly string[];
  readonly expected: ExpectedLedger;
}

const MALFORMED = [
  '{"specversion":"1.0","id":', // truncated JSON
  'not json at all',
  '[{"specversion":"1.0","id":"x-1","source":"urn:demo","type":"tally.sms.sent"}]', // no subject, no time
];

/**
 * Turns clean events into realistic traffic: producer batches of up to `batchSize` events per message, with
 * exact duplicates, conflicting duplicates, reordering, malformed bodies and late events, at `rates`.
 */
export function injectFaults(
  clean: readonly UsageEvent[],
  options: { random: Random; rates?: FaultRates; batchSize?: number },
): Traffic {
  const { random } = options;
  const rates = options.rates ?? DEFAULT_FAULTS;
  const batchSize = options.batchSize ?? 25;
  // Reorder first: swap a share of events with a neighbour up to 50 positions later.
  const ordered = [...clean];
  for (let i = 0; i < ordered.length; i++) {
    if (!random.chance(rates.reorder)) continue;
    const j = Math.min(ordered.length - 1, i + random.int(1, 50));
    [ordered[i], ordered[j]] = [ordered[j]!, ordered[i]!];
  }
  const stream: UsageEvent[] = [];
  const late: UsageEvent[] = [];
  let duplicates = 0;
  let conflicts = 0;
  for (const e of ordered) {
    if (random.chance(rates.late)) {
      late.push(e);
      continue;
    }
    stream.push(e);
    // An event gets at most one of the two, so the counts do not depend on which copy wins a race:
    // identical copies are one stored + one duplicate; differing copies one stored + one conflict.
    const roll = random.next();
    if (roll < rates.duplicate) {
      stream.push(e);
      duplicates++;
    } else if (roll < rates.duplicate + rates.conflict) {
      stream.push({ ...e, data: { ...(e.data as object), tampered: true } } as UsageEvent);
      conflicts++;
    }
  }
  const unique = stream.length - duplicates - conflicts;
  const onTime: string[] = [];
  for (let i = 0; i < stream.length; i += batchSize)
    onTime.push(JSON.stringify(stream.slice(i, i + batchSize)));
  let malformed = 0;
  const malformedCount = Math.round(onTime.length * rates.malformed * batchSize);
  for (let m = 0; m < malformedCount; m++) {
    onTime.splice(random.int(0, onTime.length), 0, MALFORMED[m % MALFORMED.length]!);
    malformed++;
  }
  const lateBodies: string[] = [];
  for (let i = 0; i < late.length; i += batchSize)
    lateBodies.push(JSON.stringify(late.slice(i, i + batchSize)));
  return {
    onTime,
    late: lateBodies,
    expected: {
      inputs: stream.length + late.length + malformed,
      stored: unique + late.length,
      duplicates,
      quarantined: { conflict: conflicts, malformed },
      billable: clean,
    },
  };
}
