import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeliveryMessageSchema, deliveryIdOf, deliveryKeyOf } from './deliver.js';

describe('delivery ids', () => {
  it('are valid SES tag values and decode back to the invoice and request (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (invoiceId, requestId) => {
        const id = deliveryIdOf({ invoiceId, requestId });
        // SES tag values: letters, digits, _ and - only
        expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(deliveryKeyOf(id)).toEqual({ invoiceId, requestId });
      }),
    );
  });

  it('differ for requests that differ only in where the separator falls', () => {
    expect(deliveryIdOf({ invoiceId: 'a:b', requestId: 'c' })).not.toBe(
      deliveryIdOf({ invoiceId: 'a', requestId: 'b:c' }),
    );
  });

  it('reads a foreign tag value as not ours', () => {
    expect(deliveryKeyOf('hello-world')).toBeNull();
  });
});

describe('DeliveryMessageSchema', () => {
  it('accepts the message billing enqueues', () => {
    const msg = { invoiceId: 'inv_1', requestId: 'inv_1:invoice', kind: 'invoice' };
    expect(DeliveryMessageSchema.parse(msg)).toEqual(msg);
  });

  it('requires what each kind needs', () => {
    expect(
      DeliveryMessageSchema.safeParse({ invoiceId: 'i', requestId: 'r', kind: 'reminder' }).success,
    ).toBe(false);
  });
});
