/** Identifies one delivery: the invoice and the send request. */
export interface DeliveryRef {
  readonly invoiceId: string;
  readonly requestId: string;
}

/**
 * The delivery id: names the mail in the X-Tally-Delivery header, the SES message tag (bounces and
 * complaints come back with it) and the text footer. Base64url of the key, because SES tag values allow
 * only letters, digits, `_` and `-`, and request ids carry `:`; it decodes back to the key.
 */
export function deliveryIdOf(key: DeliveryRef): string {
  return Buffer.from(JSON.stringify([key.invoiceId, key.requestId]), 'utf8').toString('base64url');
}

/** The key of a delivery id, or null for a value that is not one. */
export function deliveryKeyOf(deliveryId: string): DeliveryRef | null {
  try {
    const v = JSON.parse(Buffer.from(deliveryId, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') {
      return { invoiceId: v[0], requestId: v[1] };
    }
  } catch {
    // not one of ours
  }
  return null;
}
