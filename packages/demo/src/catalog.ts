import { readFileSync } from 'node:fs';
import { type Issuer, IssuerSchema } from '@tally/billing';
import { type Meter, MeterSchema } from '@tally/metering';
import { type Plan, PlanSchema } from '@tally/rating';

/** The three businesses of the demo, each with its issuer (invoice numbering) and its example plan. */
export type Business = 'telecom' | 'utility' | 'iot';

export interface DemoOffer {
  readonly business: Business;
  readonly issuer: Issuer;
  readonly plan: Plan;
  readonly meters: readonly Meter[];
}

const PLAN_FILES: Record<Business, string> = {
  telecom: 'telecom-mobile.json',
  utility: 'electricity-tou.json',
  iot: 'iot-fleet.json',
};

const ISSUERS: Record<Business, Issuer> = {
  telecom: IssuerSchema.parse({
    id: 'issuer-telecom',
    legalName: 'Nordwind Mobilfunk GmbH',
    numberPrefix: 'NWM',
    taxId: 'DE123456789',
    address: { lines: ['Hafenstraße 1'], city: 'Hamburg', postalCode: '20457', country: 'DE' },
    timeZone: 'Europe/Berlin',
  }),
  utility: IssuerSchema.parse({
    id: 'issuer-utility',
    legalName: 'Bay Electric Cooperative',
    numberPrefix: 'BEC',
    address: { lines: ['1 Grid Way'], city: 'Oakland', region: 'CA', postalCode: '94607', country: 'US' },
    timeZone: 'America/Los_Angeles',
  }),
  iot: IssuerSchema.parse({
    id: 'issuer-iot',
    legalName: 'Fieldlink SAS',
    numberPrefix: 'FLK',
    taxId: 'FR40123456789',
    address: { lines: ['12 rue des Capteurs'], city: 'Lyon', postalCode: '69002', country: 'FR' },
    timeZone: 'Europe/Paris',
  }),
};

/** Reads an example plan file from events/plans and validates it: the demo uses exactly what the docs show. */
export function loadOffer(business: Business): DemoOffer {
  const url = new URL(`../../../events/plans/${PLAN_FILES[business]}`, import.meta.url);
  const raw = JSON.parse(readFileSync(url, 'utf8')) as { meters?: unknown[] };
  const plan = PlanSchema.parse(raw);
  const meters = (raw.meters ?? []).map((m) => MeterSchema.parse(m));
  return { business, issuer: ISSUERS[business], plan, meters };
}

export function loadOffers(): Record<Business, DemoOffer> {
  return { telecom: loadOffer('telecom'), utility: loadOffer('utility'), iot: loadOffer('iot') };
}
