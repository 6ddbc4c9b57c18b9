import { headerSafe } from '@tally/documents';
import MailComposer from 'nodemailer/lib/mail-composer';
import { z } from 'zod';
import { MailInputError } from './errors.js';

/** The header that names the delivery a mail belongs to (support, reconciliation, bounce matching). */
export const DELIVERY_HEADER = 'X-Tally-Delivery';

const AddressSchema = z.object({
  /** Display name: customer-supplied, made header-safe (one line, no CR/LF) before use. */
  name: z.string().optional(),
  address: z.email(),
});

export const MailMessageSchema = z.object({
  from: AddressSchema,
  to: z.array(AddressSchema).min(1).max(50),
  replyTo: AddressSchema.optional(),
  subject: z.string().min(1),
  text: z.string(),
  html: z.string(),
  attachments: z
    .array(
      z.object({
        filename: z.string().regex(/^[A-Za-z0-9._-]{1,120}$/, 'ASCII letters, digits, dot, dash, underscore'),
        contentType: z.string().min(1),
        content: z.instanceof(Buffer),
      }),
    )
    .default([]),
  /** Unique per send request; becomes X-Tally-Delivery and the Message-ID's local part. */
  deliveryId: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'ASCII letters, digits, _ and - (an SES tag value)'),
  /** Fixed Date header (the delivery's claim time), so a rebuilt message is byte-identical apart from boundaries. */
  date: z.date(),
});
export type MailMessage = z.input<typeof MailMessageSchema>;

function address(a: { name?: string; address: string }): { name: string; address: string } {
  return { name: a.name === undefined ? '' : headerSafe(a.name, 120), address: a.address };
}

/**
 * Builds the raw MIME message: multipart/mixed of multipart/alternative (text, then HTML: clients show the
 * last part they understand) and the attachments. Display names and the subject pass through
 * {@link headerSafe}, and nodemailer encodes non-ASCII headers (RFC 2047), so no customer string can start a
 * header line of its own. File and URL access of nodemailer are off: content comes only from buffers.
 *
 * @example const raw = await buildMime({ from, to: [{ address: 'a@example.com' }], subject, text, html, deliveryId, date });
 */
export async function buildMime(input: MailMessage): Promise<Buffer> {
  const parsed = MailMessageSchema.safeParse(input);
  if (!parsed.success) {
    throw new MailInputError(
      `mail for delivery ${String(input.deliveryId)} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      { cause: parsed.error },
    );
  }
  const m = parsed.data;
  const domain = m.from.address.split('@')[1] ?? 'tally.invalid';
  const composer = new MailComposer({
    from: address(m.from),
    to: m.to.map(address),
    ...(m.replyTo ? { replyTo: address(m.replyTo) } : {}),
    subject: headerSafe(m.subject),
    text: m.text,
    html: m.html,
    attachments: m.attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: a.content,
      contentDisposition: 'attachment',
    })),
    messageId: `<${m.deliveryId}@${domain}>`,
    date: m.date,
    headers: { [DELIVERY_HEADER]: m.deliveryId },
    disableFileAccess: true,
    disableUrlAccess: true,
    newline: 'win',
    xMailer: false,
  });
  return composer.compile().build();
}
