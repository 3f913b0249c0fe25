/**
 * Typed reads from parsed JSON/YAML of unknown shape: a run directory may come from an older
 * version, be half-written or hand-edited, and the report shows what it can instead of throwing.
 */
export type JsonObject = Readonly<Record<string, unknown>>;

export function asObject(value: unknown): JsonObject | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : null;
}

/** The value at a dotted path (`search.bestFitness`), or undefined. */
export function at(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const key of path.split('.')) {
    const obj = asObject(current);
    if (obj === null) return undefined;
    current = obj[key];
  }
  return current;
}

export function numberAt(value: unknown, path: string): number | null {
  const v = at(value, path);
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function stringAt(value: unknown, path: string): string | null {
  const v = at(value, path);
  return typeof v === 'string' ? v : null;
}

export function booleanAt(value: unknown, path: string): boolean | null {
  const v = at(value, path);
  return typeof v === 'boolean' ? v : null;
}

/** Finite numeric entries of an object (proxy values, failure-reason counts). */
export function numberRecord(value: unknown): Record<string, number> {
  const obj = asObject(value);
  const out: Record<string, number> = {};
  if (obj === null) return out;
  for (const [key, v] of Object.entries(obj)) {
    if (typeof v === 'number' && Number.isFinite(v)) out[key] = v;
  }
  return out;
}

/** String entries of an object (versions). */
export function stringRecord(value: unknown): Record<string, string> {
  const obj = asObject(value);
  const out: Record<string, string> = {};
  if (obj === null) return out;
  for (const [key, v] of Object.entries(obj)) {
    if (typeof v === 'string' || typeof v === 'number') out[key] = String(v);
  }
  return out;
}
