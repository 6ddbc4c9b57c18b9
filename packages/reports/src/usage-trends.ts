import { Decimal } from '@tally/money';
import type { ReportData, ReportWindow } from './inputs.js';
import { ms } from './time.js';

export interface UsageTrendPoint {
  /** The period's start date as written in the usage points (the customer's local date). */
  readonly period: string;
  /** Σ over customers of the period's quantity. */
  readonly quantity: Decimal;
  readonly customers: number;
  /** Change against the previous period of the series in percent; null for the first point or after zero. */
  readonly changePercent: Decimal | null;
}

/** One meter's series in one unit (a meter measured in two units yields two series, never a sum). */
export interface UsageTrend {
  readonly meterId: string;
  readonly unit: string;
  readonly total: Decimal;
  readonly points: readonly UsageTrendPoint[];
}

export interface UsageTrendsReport {
  readonly window: ReportWindow;
  readonly meters: readonly UsageTrend[];
}

/**
 * Usage per meter and billing period across customers, for the periods starting in `window`, with the
 * period-over-period change. Periods are matched by the calendar date written in `periodStart`: billing periods
 * start at local midnight, so customers in different time zones start "March" at different instants but on the
 * same date when `periodStart` carries the customer's offset (2026-03-01T00:00:00-05:00).
 */
export function usageTrendsReport(data: ReportData, window: ReportWindow): UsageTrendsReport {
  const from = ms(window.from);
  const to = ms(window.to);
  const series = new Map<string, { meterId: string; unit: string; periods: Map<string, Period> }>();
  for (const u of data.usage) {
    const t = ms(u.periodStart);
    if (t < from || t >= to) continue;
    const key = JSON.stringify([u.meterId, u.unit]);
    const s = series.get(key) ?? { meterId: u.meterId, unit: u.unit, periods: new Map<string, Period>() };
    const date = u.periodStart.slice(0, 10);
    const p = s.periods.get(date) ?? { quantity: new Decimal(0), customers: new Set<string>() };
    p.quantity = p.quantity.plus(u.quantity);
    p.customers.add(u.customerId);
    s.periods.set(date, p);
    series.set(key, s);
  }
  const meters = [...series.values()]
    .sort((a, b) => a.meterId.localeCompare(b.meterId) || a.unit.localeCompare(b.unit))
    .map(({ meterId, unit, periods }): UsageTrend => {
      let previous: Decimal | null = null;
      const points = [...periods.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([period, p]) => {
          const changePercent: Decimal | null =
            previous === null || previous.isZero()
              ? null
              : p.quantity.minus(previous).div(previous).times(100);
          previous = p.quantity;
          return {
            period,
            quantity: p.quantity,
            customers: p.customers.size,
            changePercent,
          };
        });
      const total = points.reduce((a, p) => a.plus(p.quantity), new Decimal(0));
      return { meterId, unit, total, points };
    });
  return { window, meters };
}

interface Period {
  quantity: Decimal;
  customers: Set<string>;
}
