import type { ChargeOf, ChargeType } from './charge.js';
import { priceDaily } from './models/daily.js';
import { priceFlat } from './models/flat.js';
import { priceGraduated } from './models/graduated.js';
import { pricePerUnit } from './models/per-unit.js';
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
};
