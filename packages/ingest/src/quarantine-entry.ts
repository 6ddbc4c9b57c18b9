import type { UsageEvent } from '@tally/metering';
import { type InputUnit, unitId } from './decode.js';
import type { QuarantineEntry } from './ports.js';
import type { Rejection } from './reasons.js';

/**
 * The quarantine entry of a refused unit: the input whole, the reason and message, and what is known of it
 * (its identity, from the validated event or, failing that, the raw JSON; the customer when resolved). The id
 * is `<origin>.<index>` (`unitId`), so a redelivery of the same message overwrites its own entry. HTTP admission
 * (`admitEvents`) replaces it (request ids differ per try) with an id derived from the producer and the
 * input, so a retried request overwrites its entries too (http-quarantine-id.ts).
 */
export function quarantineEntry(
  unit: InputUnit,
  rejection: Rejection,
  at: { readonly receivedAt: string; readonly quarantinedAt: string },
  known: {
    /** The validated event, or its identity. */
    readonly event?: Pick<UsageEvent, 'source' | 'id'>;
    readonly customerId?: string;
    readonly producerId?: string;
  } = {},
): QuarantineEntry {
  const json =
    unit.json !== null && typeof unit.json === 'object' ? (unit.json as Record<string, unknown>) : undefined;
  const source = known.event?.source ?? (typeof json?.source === 'string' ? json.source : undefined);
  const eventId = known.event?.id ?? (typeof json?.id === 'string' ? json.id : undefined);
  return {
    id: unitId(unit),
    reason: rejection.reason,
    message: rejection.message,
    ...(rejection.path !== undefined ? { path: rejection.path } : {}),
    raw: unit.raw,
    messageId: unit.messageId,
    index: unit.index,
    receivedAt: at.receivedAt,
    quarantinedAt: at.quarantinedAt,
    ...(source !== undefined ? { source } : {}),
    ...(eventId !== undefined ? { eventId } : {}),
    ...(known.customerId !== undefined ? { customerId: known.customerId } : {}),
    ...(known.producerId !== undefined ? { producerId: known.producerId } : {}),
  };
}
