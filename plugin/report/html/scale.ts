/** Linear scales and "nice" tick steps (1, 2 or 5 × 10^k) for the inline SVG charts. */

export interface LinearScale {
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
  /** Data value → SVG coordinate. */
  map(value: number): number;
}

export function linearScale(domain: readonly [number, number], range: readonly [number, number]): LinearScale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  return {
    domain,
    range,
    map: (value) => (span === 0 ? (r0 + r1) / 2 : r0 + ((value - d0) / span) * (r1 - r0)),
  };
}

export interface NiceTicks {
  readonly min: number;
  readonly max: number;
  readonly step: number;
  readonly values: readonly number[];
}

/**
 * Extends [min, max] outwards to multiples of a 1/2/5 × 10^k step giving about `count` intervals.
 * A degenerate range (one value) is widened so the point sits inside the axis, not on its edge.
 */
export function niceTicks(min: number, max: number, count = 5): NiceTicks {
  let lo = min;
  let hi = max;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    lo = 0;
    hi = 1;
  }
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep((hi - lo) / Math.max(1, count));
  const first = Math.floor(lo / step + 1e-9) * step;
  const last = Math.ceil(hi / step - 1e-9) * step;
  const n = Math.round((last - first) / step);
  const values: number[] = [];
  for (let i = 0; i <= n; i++) values.push(clean(first + i * step));
  return { min: clean(first), max: clean(last), step, values };
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return clean(nice * power);
}

/** Removes float noise: 0.1 + 0.2 → 0.3. */
function clean(x: number): number {
  return Number(x.toPrecision(12));
}

/** SVG attribute text for a coordinate: two decimals are below a device pixel. */
export function svgNumber(x: number): string {
  return String(Math.round(x * 100) / 100);
}
