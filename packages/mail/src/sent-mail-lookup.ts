import { z } from 'zod';

/** What is known about whether the mail of a delivery went out. */
export type SentLookup =
  | { readonly status: 'sent'; readonly messageId: string }
  | { readonly status: 'not-sent' }
  | { readonly status: 'unknown'; readonly reason: string };

/**
 * Answers "did the mail of this delivery go out?" after a crash between SendEmail and recording the result.
 * SES has no idempotency key and no API to search sent mail, so in AWS the honest answer is "unknown"
 * ({@link NoSentMailLookup}); locally the emulator's store can be searched ({@link EmulatorSentMailLookup}).
 */
export interface SentMailLookup {
  find(deliveryId: string, opts: { readonly since: Date }): Promise<SentLookup>;
}

/** AWS: SES cannot be asked; the delivery becomes `sent-unknown` and the operator is alerted. */
export class NoSentMailLookup implements SentMailLookup {
  async find(): Promise<SentLookup> {
    return {
      status: 'unknown',
      reason: 'SES offers no lookup of sent mail: check the configuration set events for the delivery tag',
    };
  }
}

const StoreSchema = z.object({
  emails: z.array(
    z
      .object({
        messageId: z.string(),
        body: z.object({ text: z.string().optional(), html: z.string().optional() }).loose(),
      })
      .loose(),
  ),
});

/**
 * The local stack: aws-ses-v2-local keeps every sent mail and lists them at `GET /store`. For raw messages it
 * keeps the parsed bodies but not the headers, so the delivery id is matched in the text body (the documents
 * print it in their footer).
 */
export class EmulatorSentMailLookup implements SentMailLookup {
  constructor(
    private readonly endpoint: string,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  async find(deliveryId: string): Promise<SentLookup> {
    // No `since` filter: the emulator stamps mails with the wall clock, which a test clock does not follow.
    let res: Response;
    try {
      res = await this.fetchFn(`${this.endpoint.replace(/\/$/, '')}/store`);
    } catch (err) {
      return { status: 'unknown', reason: `SES emulator store unreachable: ${(err as Error).message}` };
    }
    if (!res.ok) return { status: 'unknown', reason: `SES emulator store answered HTTP ${res.status}` };
    const store = StoreSchema.parse(await res.json());
    // Whole-token match: delivery "a--r1" must not match the mail of "a--r10".
    const token = new RegExp(`(^|[^A-Za-z0-9_-])${deliveryId.replace(/[-]/g, '\\-')}($|[^A-Za-z0-9_-])`);
    const hit = store.emails.find((e) => token.test(e.body.text ?? ''));
    return hit ? { status: 'sent', messageId: hit.messageId } : { status: 'not-sent' };
  }
}
