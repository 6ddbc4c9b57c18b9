import { type Customer, CustomerSchema, type Subscription, SubscriptionSchema } from '@tally/billing';
import { DateTime } from 'luxon';
import type { Business, DemoOffer } from './catalog.js';
import type { Random } from './random.js';

export interface DemoCustomer {
  readonly business: Business;
  readonly customer: Customer;
  readonly subscription: Subscription;
  /** IoT devices that report under their own id as `subject`; mapped to the customer by the device registry. */
  readonly devices: readonly string[];
  /** How this customer will pay in the demo. */
  readonly payer: 'on-time' | 'late' | 'after-suspension' | 'partial' | 'never';
}

interface Profile {
  readonly zones: readonly string[];
  readonly locales: readonly string[];
  readonly names: readonly string[];
  readonly tax: Customer['tax'];
}

const PROFILES: Record<Business, Profile> = {
  telecom: {
    zones: ['Europe/Berlin', 'Europe/Berlin', 'Europe/Vienna'],
    locales: ['de-DE', 'de-DE', 'en-GB', 'fr-FR'],
    names: [
      'Schmidt',
      'Müller',
      'Weber',
      'Fischer',
      'Becker',
      'Hoffmann',
      'Schulz',
      'Koch',
      'Wagner',
      'Richter',
    ],
    tax: {
      mode: 'exclusive',
      rates: [{ id: 'de-vat', name: 'USt. 19 %', rate: '0.19' }],
      rounding: 'per-invoice',
    },
  },
  utility: {
    zones: ['America/Los_Angeles'],
    locales: ['en-US'],
    names: ['Garcia Bakery', 'Pacific Print', 'Harbor Dental', 'Lopez Farms', 'Mission Cafe', 'Oak Hardware'],
    tax: {
      mode: 'exclusive',
      rates: [
        { id: 'ca-state', name: 'CA utility users tax', rate: '0.05' },
        { id: 'oak-city', name: 'Oakland city tax', rate: '0.025' },
      ],
      rounding: 'per-line',
    },
  },
  iot: {
    zones: ['Europe/Paris', 'Europe/Paris', 'Asia/Tokyo'],
    locales: ['fr-FR', 'en-GB', 'ja-JP'],
    names: ['Agritech', 'Flotte Sud', 'Capteurs Nord', 'Kobe Sensors', 'Logistique Est', 'Smart Silos'],
    tax: {
      mode: 'exclusive',
      rates: [{ id: 'fr-vat', name: 'TVA 20 %', rate: '0.20' }],
      rounding: 'per-invoice',
    },
  },
};

/**
 * Hostile-but-valid names, so the demo's emails and PDFs show that customer strings are escaped.
 * (Names only: the addresses stay valid.)
 */
const TRICKY_NAMES = [
  "O'Brien & Söhne <b>GmbH</b>",
  '=HYPERLINK("http://x")',
  'Zoë "Quotes" & Co\r\nBcc: x@y',
];

const PAYERS: readonly DemoCustomer['payer'][] = [
  'on-time',
  'on-time',
  'on-time',
  'on-time',
  'late',
  'after-suspension',
  'partial',
  'never',
];

const BUSINESSES: readonly Business[] = ['telecom', 'utility', 'iot'];

/** The demo's customer ids, in the order generateCustomers makes them (telecom, utility, IoT in turn). */
export function demoCustomerIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => customerId(i));
}

const customerId = (i: number) => `cust-${BUSINESSES[i % 3]}-${String(i + 1).padStart(4, '0')}`;

/**
 * `count` customers spread over the three businesses, each with one monthly, calendar-aligned subscription
 * starting at local midnight on `month`'s first day (every tenth starts mid-month, to show proration).
 */
export function generateCustomers(
  offers: Record<Business, DemoOffer>,
  options: { count: number; month: string; random: Random },
): DemoCustomer[] {
  const { count, month, random } = options;
  const out: DemoCustomer[] = [];
  for (let i = 0; i < count; i++) {
    const business = BUSINESSES[i % 3]!;
    const offer = offers[business];
    const profile = PROFILES[business];
    const id = customerId(i);
    const zone = random.pick(profile.zones);
    const name =
      i < TRICKY_NAMES.length * 3 && i % 3 === 0
        ? TRICKY_NAMES[i / 3]!
        : `${random.pick(profile.names)} ${i + 1}`;
    const customer = CustomerSchema.parse({
      id,
      legalName: name.replace(/[\r\n]+/g, ' '),
      billingEmails: [`billing+${id}@example.com`],
      locale: random.pick(profile.locales),
      timeZone: zone,
      currency: offer.plan.currency,
      tax: profile.tax,
      issuerId: offer.issuer.id,
      paymentTermsDays: 14,
    });
    const first = DateTime.fromISO(`${month}-01T00:00:00`, { zone });
    const start = i % 10 === 9 ? first.plus({ days: 11 }) : first;
    const subscription = SubscriptionSchema.parse({
      id: `sub-${id}`,
      customerId: id,
      start: start.toUTC().toISO(),
      interval: 'month',
      alignment: 'calendar',
      phases: [
        {
          from: start.toUTC().toISO(),
          planId: offer.plan.id,
          planVersion: offer.plan.version,
          quantity: '1',
        },
      ],
    });
    const devices =
      business === 'iot' ? Array.from({ length: random.int(2, 8) }, (_, d) => `dev-${id}-${d + 1}`) : [];
    // Payer types cycle with the customer number (8 types against 3 businesses), so every 24 customers hold
    // every pair of business and payment behaviour, and even a handful of customers shows most behaviours.
    out.push({
      business,
      customer,
      subscription,
      devices,
      payer: PAYERS[i % PAYERS.length]!,
    });
  }
  return out;
}
