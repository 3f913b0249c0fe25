/**
 * Human-written counts: `100k`, `1.5M`, `450M`, `2G`, `1e6`, `1_000_000`.
 * The grammar is the one `$defs/humanCount` in schemas/recipe.schema.json accepts.
 */

/** Examples shown to users wherever a human number is accepted. */
export const HUMAN_NUMBER_EXAMPLES = '100k, 1.5M, 450M, 2G, 1e6, 1_000_000';

const SUFFIX_EXPONENT: Readonly<Record<string, number>> = { k: 3, m: 6, g: 9, t: 12 };

// Mantissa with optional `_` digit groups and fraction, then either an exponent or a suffix.
const HUMAN_NUMBER = /^\s*([+-]?)([0-9]+(?:_[0-9]+)*)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+)|\s*([kKmMgGtT]))?\s*$/;

/**
 * The number a human count denotes, or null when the text is not one.
 * The suffix is folded into the decimal exponent before parsing, so `1.5M` is exactly 1500000
 * rather than the rounded product 1.5 × 1e6.
 */
export function parseHumanNumber(s: string): number | null {
  const match = HUMAN_NUMBER.exec(s);
  if (match === null) return null;
  const [, sign, whole, fraction, exponent, suffix] = match;
  const shift = suffix !== undefined ? SUFFIX_EXPONENT[suffix.toLowerCase()] : Number(exponent ?? 0);
  const literal = `${sign}${whole.replaceAll('_', '')}${fraction !== undefined ? `.${fraction}` : ''}e${shift}`;
  const value = Number(literal);
  return Number.isFinite(value) ? value : null;
}
