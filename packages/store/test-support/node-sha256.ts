import { createHash, createHmac } from 'node:crypto';

/** node's sha256 / HMAC-sha256 as `@smithy/signature-v4`'s hash constructor (tests check our SigV4 with it). */
export class Sha256 {
  readonly #h: { update(data: string | Uint8Array): void; digest(): Buffer };
  constructor(secret?: unknown) {
    this.#h =
      secret === undefined ? createHash('sha256') : createHmac('sha256', secret as string | Uint8Array);
  }
  update(data: unknown): void {
    this.#h.update(data as string | Uint8Array);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#h.digest());
  }
}
