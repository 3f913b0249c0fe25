/** Number and duration formatting shared by the summary, the tables and the axis ticks. */

const SI = [
  { factor: 1e12, suffix: 'T' },
  { factor: 1e9, suffix: 'G' },
  { factor: 1e6, suffix: 'M' },
  { factor: 1e3, suffix: 'k' },
] as const;

/** 60438 → "60,438" (thin separators read better than a bare digit run). */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Math.round(n).toLocaleString('en-US');
}

/** 4410884 → "4.41 M"; below 1000 the plain value with `digits` significant digits. */
export function formatSi(n: number, digits = 3): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  for (const { factor, suffix } of SI) {
    if (abs >= factor) return `${trimZeros((n / factor).toPrecision(digits))} ${suffix}`;
  }
  return trimZeros(abs === 0 ? '0' : n.toPrecision(digits));
}

/** Fitness and proxy values span 1e-3 … 1e6: 4 significant digits, SI above 10 k. */
export function formatValue(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1e4) return formatSi(n, 4);
  return trimZeros(n === 0 ? '0' : n.toPrecision(4));
}

/** 401.019 → "6 min 41 s"; under a minute one decimal. */
export function formatSeconds(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return '—';
  if (s < 60) return `${trimZeros(s.toFixed(1))} s`;
  const total = Math.round(s);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  return h > 0 ? `${h} h ${m} min ${sec} s` : `${m} min ${sec} s`;
}

export function formatPercent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)} %`;
}

/**
 * A tick label: the decimals follow the tick step so neighbouring labels differ and none shows
 * float noise (0.30000000000000004); large values get an SI suffix.
 */
export function formatTick(value: number, step: number): string {
  if (value === 0) return '0';
  const magnitude = Math.max(Math.abs(value), Math.abs(step));
  for (const { factor, suffix } of SI) {
    if (magnitude >= factor * 10 || (magnitude >= factor && Math.abs(step) >= factor)) {
      return `${fixed(value / factor, step / factor)}${suffix}`;
    }
  }
  return fixed(value, step);
}

function fixed(value: number, step: number): string {
  const decimals = Math.max(0, Math.min(10, -Math.floor(Math.log10(Math.abs(step)) + 1e-9)));
  return value.toFixed(decimals);
}

function trimZeros(text: string): string {
  if (!text.includes('.') || text.includes('e')) return text;
  return text.replace(/\.?0+$/, '');
}
