/**
 * The intended intraday activity profile of each product type: relative order-flow intensity for
 * every second of a UTC day, from the session structure in US Eastern time (DST-aware).
 *
 * Futures (Globex): Sunday–Friday sessions from 18:00 to 17:00 ET with a daily halt 17:00–18:00
 * (no reopen on Friday evening), quiet overnight, busier in the European morning, a data spike at
 * 08:30, the cash open at 09:30 and a close ramp to 16:00. Options on futures follow the future
 * with a thinner overnight and stop at their 16:00 ET expiry. Equities (XNAS) trade 04:00–20:00 ET
 * with the open and close peaks; equity options (OPRA) 09:30–16:00 ET.
 *
 * @module
 */
import { easternOffsetHours, parseDay, weekdayOf } from "./calendar.ts";
import type { ProductType } from "./products.ts";

const H = 3600;

function decay(t: number, t0: number, tau: number): number {
  return t >= t0 ? Math.exp(-(t - t0) / tau) : 0;
}

/** Relative intensity of futures order flow at ET second-of-day `t` on ET weekday `dow`. */
export function futureIntensityAt(t: number, dow: number): number {
  // Closed: Saturday, Sunday before 18:00, Friday after 17:00, the daily 17:00–18:00 halt.
  if (dow === 6 || (dow === 0 && t < 18 * H) || (dow === 5 && t >= 17 * H)) return 0;
  if (t >= 17 * H && t < 17.75 * H) return 0;
  if (t >= 17.75 * H && t < 18 * H) return 0.08; // pre-open: orders accepted, no matching
  if (t >= 18 * H) return 0.28 + 0.9 * decay(t, 18 * H, 300);
  if (t < 2 * H) return 0.15;
  if (t < 3 * H) return 0.2;
  if (t < 8.5 * H) return 0.35 + 0.25 * decay(t, 3 * H, 1800);
  if (t < 9.5 * H) return 0.5 + 1.6 * decay(t, 8.5 * H, 240);
  if (t < 16 * H) {
    const base = t < 11.5 * H ? 1.15 : t < 13.5 * H ? 0.8 : t < 15 * H ? 1.0 : 1.2;
    const close = t >= 15.83 * H ? 1.5 * (t - 15.83 * H) / (0.17 * H) : 0;
    return base + 3.5 * decay(t, 9.5 * H, 600) + close;
  }
  return 0.35 + 0.6 * decay(t, 16 * H, 600); // 16:00–17:00
}

/** Relative intensity of XNAS equity order flow at ET second-of-day `t`. */
export function equityIntensityAt(t: number): number {
  if (t < 4 * H || t >= 20 * H) return 0;
  if (t < 7 * H) return 0.04;
  if (t < 9.5 * H) return 0.08 + 0.2 * (t - 7 * H) / (2.5 * H);
  if (t < 16 * H) {
    const base = t < 11.5 * H ? 1.2 : t < 14 * H ? 0.8 : t < 15.5 * H ? 1.0 : 1.4;
    const close = t >= 15.83 * H ? 2.5 * (t - 15.83 * H) / (0.17 * H) : 0;
    return base + 5 * decay(t, 9.5 * H, 480) + close;
  }
  return 0.05 + 0.5 * decay(t, 16 * H, 300);
}

/** Relative intensity of 0DTE futures-option flow (expiring 16:00 ET on the ET date of `t`). */
export function futureOptionIntensityAt(t: number, dow: number, expiryDay: boolean): number {
  if (expiryDay && t >= 16 * H) return 0;
  const f = futureIntensityAt(t, dow);
  const rth = t >= 9.5 * H && t < 16 * H;
  return rth ? f : 0.25 * f;
}

/** Relative intensity of OPRA equity-option quoting at ET second-of-day `t`. */
export function equityOptionIntensityAt(t: number): number {
  if (t < 9.5 * H || t >= 16 * H) return 0;
  const close = t >= 15.5 * H ? 0.8 * (t - 15.5 * H) / (0.5 * H) : 0;
  return 1 + 3 * decay(t, 9.5 * H, 600) + close;
}

/**
 * The intended relative intensity for each of the 86,400 seconds of the UTC day `date`
 * (not normalised; 0 where the market is closed).
 */
export function intensityProfile(productType: ProductType, date: string): Float64Array {
  const off = easternOffsetHours(date) * H;
  const day = parseDay(date);
  const out = new Float64Array(86_400);
  for (let s = 0; s < 86_400; s++) {
    const et = s + off; // ET seconds relative to ET midnight of `date` (negative: previous ET day)
    const prev = et < 0;
    const t = prev ? et + 86_400 : et;
    const dow = weekdayOf(prev ? day - 1 : day);
    switch (productType) {
      case "future_mbo":
        out[s] = futureIntensityAt(t, dow);
        break;
      case "future_option_mbo":
        out[s] = futureOptionIntensityAt(t, dow, !prev);
        break;
      case "equity_mbo":
        out[s] = prev ? 0 : equityIntensityAt(t);
        break;
      case "equity_option_cmbp_1":
        out[s] = prev ? 0 : equityOptionIntensityAt(t);
        break;
      default:
        throw new RangeError(`unknown product type '${productType}'`);
    }
  }
  return out;
}
