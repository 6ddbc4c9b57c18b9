import type { Charge, ChargeOf, ChargeType } from './charge.js';
import { groupByOf } from './groups.js';
import { priceCall } from './models/call.js';
import { priceDaily } from './models/daily.js';
import { priceDemand } from './models/demand.js';
import { priceDynamic } from './models/dynamic.js';
import { priceFlat } from './models/flat.js';
import { priceGraduated } from './models/graduated.js';
import { priceGraduatedPercentage } from './models/graduated-percentage.js';
import { pricePackage } from './models/package.js';
import { pricePerUnit } from './models/per-unit.js';
import { pricePercentage } from './models/percentage.js';
import { priceTimeOfUse } from './models/time-of-use.js';
import { priceVolume } from './models/volume.js';
import type { Pricer } from './pricer.js';

/**
 * What a model reads: nothing (fixed fees), the meter's aggregate, or the meter's raw records (models that
 * price each record by its time, destination, carried price or amount).
 */
export type PricerInputKind = 'none' | 'aggregate' | 'records';

export interface PricerEntry<C> {
  readonly input: PricerInputKind;
  readonly price: Pricer<C>;
}

/** One pricing model per charge type; a charge type without a model fails the type check. */
export const PRICERS: { readonly [K in ChargeType]: PricerEntry<ChargeOf<K>> } = {
  flat: { input: 'none', price: priceFlat },
  daily: { input: 'none', price: priceDaily },
  'per-unit': { input: 'aggregate', price: pricePerUnit },
  graduated: { input: 'aggregate', price: priceGraduated },
  volume: { input: 'aggregate', price: priceVolume },
  package: { input: 'aggregate', price: pricePackage },
  percentage: { input: 'records', price: pricePercentage },
  'graduated-percentage': { input: 'aggregate', price: priceGraduatedPercentage },
  dynamic: { input: 'records', price: priceDynamic },
  'time-of-use': { input: 'records', price: priceTimeOfUse },
  demand: { input: 'records', price: priceDemand },
  call: { input: 'records', price: priceCall },
};

/**
 * What rating reads of a charge's meter: its model's input, except that a charge priced per group reads
 * records (it needs their dimensions) whatever its model. Callers that pre-aggregate usage ask this.
 */
export function chargeInput(charge: Charge): PricerInputKind {
  const { input } = PRICERS[charge.type];
  return input === 'aggregate' && groupByOf(charge) !== undefined ? 'records' : input;
}
