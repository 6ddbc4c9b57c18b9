import type { UsageEvent } from '@tally/metering';
import type { CatalogCustomer, Device } from './catalog.js';
import type { Rejection } from './reasons.js';

/** What the catalog knows about the subjects of a batch: customers and devices by id. */
export interface SubjectLookup {
  readonly customers: ReadonlyMap<string, CatalogCustomer>;
  readonly devices: ReadonlyMap<string, Device>;
}

export type Resolved = { readonly customer: CatalogCustomer } | { readonly rejection: Rejection };

/**
 * The customer an event is for. `subject` is a customer id, or a device id that the registry maps to the
 * customer it was assigned to at the event's time.
 * - neither a customer nor a device: `unknown-customer`;
 * - a device not assigned to anyone at that time: `unknown-device`;
 * - a closed customer (directly or through the device): `unknown-customer`.
 */
export function resolveCustomer(event: UsageEvent, lookup: SubjectLookup): Resolved {
  let customer = lookup.customers.get(event.subject);
  if (customer !== undefined && customer.status !== 'closed') return { customer };
  const who = `event ${event.source}#${event.id}`;
  let via = '';
  if (customer === undefined) {
    const device = lookup.devices.get(event.subject);
    if (device === undefined) {
      return {
        rejection: {
          reason: 'unknown-customer',
          path: 'subject',
          message: `${who}: subject "${event.subject}" is neither a known customer nor a registered device`,
        },
      };
    }
    const assignment = device.assignments.find(
      (a) => a.from <= event.time && (a.to === undefined || event.time < a.to),
    );
    if (assignment === undefined) {
      return {
        rejection: {
          reason: 'unknown-device',
          path: 'subject',
          message: `${who}: device "${device.id}" is not assigned to a customer at ${event.time}`,
        },
      };
    }
    customer = lookup.customers.get(assignment.customerId);
    via = ` (through device "${device.id}")`;
    if (customer === undefined) {
      return {
        rejection: {
          reason: 'unknown-customer',
          path: 'subject',
          message: `${who}: customer "${assignment.customerId}"${via} does not exist`,
        },
      };
    }
  }
  if (customer.status === 'closed') {
    return {
      rejection: {
        reason: 'unknown-customer',
        path: 'subject',
        message: `${who}: customer "${customer.id}"${via} is closed`,
      },
    };
  }
  return { customer };
}
