import { CurrencyCodeSchema, DecimalStringSchema } from '@tally/money';
import { IANAZone } from 'luxon';
import { z } from 'zod';

/**
 * Whether luxon (the runtime's Intl data) knows a zone, remembered per name: the check builds an
 * Intl.DateTimeFormat, and every parse of an invoice or subscription runs it (a few seconds of CPU per
 * hundred customers of `npm start` before). The answer for a name cannot change within a process.
 */
const knownZones = new Map<string, boolean>();
function isKnownZone(zone: string): boolean {
  let known = knownZones.get(zone);
  if (known === undefined) {
    known = IANAZone.isValidZone(zone);
    if (knownZones.size < 1_000) knownZones.set(zone, known);
  }
  return known;
}

/** An IANA time zone name such as "Europe/Berlin"; fixed offsets and "local" are refused. */
export const TimeZoneSchema = z
  .string()
  .refine((zone) => zone.includes('/') || zone === 'UTC', {
    message: 'must be an IANA time zone name such as "Europe/Berlin" or "UTC"',
  })
  .refine(isKnownZone, { message: 'is not a known IANA time zone' });

/** A tax rate as a fraction, "0.19" for 19 %. */
export const TaxRateSchema = z.object({
  /** Stable id, e.g. "de-vat-standard" or "us-ca-state". */
  id: z.string().min(1),
  /** Name printed on the invoice, e.g. "VAT 19 %". */
  name: z.string().min(1),
  /** Fraction between 0 and 1, decimal string ("0.19"). */
  rate: DecimalStringSchema.refine((r) => Number(r) >= 0 && Number(r) < 1, {
    message: 'must be a fraction in [0, 1), e.g. "0.19" for 19 %',
  }),
});
export type TaxRate = z.infer<typeof TaxRateSchema>;

/**
 * How tax is computed for a customer.
 * - `mode`: `exclusive` adds tax on top of the line amounts; `inclusive` means prices already contain it and the
 *   invoice states the tax it contains.
 * - `rates`: applied side by side (not compounded) to the same base, e.g. a state and a county rate.
 * - `rounding`: `per-line` rounds the tax of every line and adds them; `per-invoice` rounds the tax of the
 *   subtotal once per rate. The invoice states which one was used.
 * - `exemption`: when present, no tax is charged and the invoice prints the reason.
 */
export const TaxSettingsSchema = z.object({
  mode: z.enum(['exclusive', 'inclusive']).default('exclusive'),
  rates: z.array(TaxRateSchema).default([]),
  rounding: z.enum(['per-line', 'per-invoice']).default('per-invoice'),
  exemption: z
    .object({
      /** Printed on the invoice, e.g. "Reverse charge, Art. 196 Directive 2006/112/EC". */
      reason: z.string().min(1),
      certificateId: z.string().optional(),
    })
    .optional(),
});
export type TaxSettings = z.infer<typeof TaxSettingsSchema>;
export type TaxRounding = TaxSettings['rounding'];

export const AddressSchema = z.object({
  lines: z.array(z.string().min(1)).min(1),
  city: z.string().min(1),
  postalCode: z.string().optional(),
  region: z.string().optional(),
  /** ISO 3166-1 alpha-2 */
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as "DE"'),
});
export type Address = z.infer<typeof AddressSchema>;

/**
 * The billing entity that issues invoices. Invoice numbers are per issuer, gap-free and formatted as
 * `<numberPrefix>-<year>-<sequence padded to 6>` (see `formatInvoiceNumber`).
 */
export const IssuerSchema = z.object({
  id: z.string().min(1),
  legalName: z.string().min(1),
  numberPrefix: z.string().regex(/^[A-Z0-9]{2,12}$/, 'must be 2–12 upper-case letters or digits'),
  taxId: z.string().optional(),
  address: AddressSchema.optional(),
  /** The issuer's zone decides the year in the invoice number. */
  timeZone: TimeZoneSchema.default('UTC'),
});
export type Issuer = z.infer<typeof IssuerSchema>;

/** A customer as billing sees it. Periods, by-day proration and issue/due dates use `timeZone`. */
export const CustomerSchema = z.object({
  id: z.string().min(1),
  legalName: z.string().min(1),
  billingEmails: z.array(z.email()).min(1),
  /** BCP 47 tag used to render documents, e.g. "de-DE". */
  locale: z.string().min(2),
  timeZone: TimeZoneSchema,
  currency: CurrencyCodeSchema,
  address: AddressSchema.optional(),
  taxId: z.string().optional(),
  tax: TaxSettingsSchema,
  /** Id of the {@link Issuer} whose numbers this customer's invoices use. */
  issuerId: z.string().min(1),
  /** Net N days: the due date is the issue date plus N days (a plan's `paymentTermsDays` overrides it). */
  paymentTermsDays: z.int().min(0).max(365).default(30),
});
export type Customer = z.infer<typeof CustomerSchema>;
export type CustomerInput = z.input<typeof CustomerSchema>;
