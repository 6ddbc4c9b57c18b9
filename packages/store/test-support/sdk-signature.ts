import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from './node-sha256.js';

/**
 * The authorization `@smithy/signature-v4` computes for a DynamoDB JSON POST to `/` with `headers` signed,
 * at `date`: what our SigV4 (direct-request.ts `signRequest`) must equal.
 */
export async function sdkAuthorization(request: {
  readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  readonly region: string;
  readonly protocol: 'http:' | 'https:';
  readonly hostname: string;
  readonly headers: Record<string, string>;
  readonly body: string | Uint8Array;
  readonly date: Date;
}): Promise<string> {
  const signer = new SignatureV4({
    credentials: request.credentials,
    region: request.region,
    service: 'dynamodb',
    sha256: Sha256,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: request.protocol,
      hostname: request.hostname,
      path: '/',
      query: {},
      headers: request.headers,
      body: request.body,
    },
    { signingDate: request.date },
  );
  return String(signed.headers.authorization);
}

/** The instant of an `x-amz-date` header (`20260304T050607Z`). */
export function amzDate(value: string): Date {
  const d = value;
  return new Date(
    `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${d.slice(9, 11)}:${d.slice(11, 13)}:${d.slice(13, 15)}Z`,
  );
}
