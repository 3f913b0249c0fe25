import { DataFormatError } from './errors.js';

/** Parses a JSON manifest; syntax errors name the file. */
export function parseJsonFile(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DataFormatError(file, 'valid JSON', (err as Error).message);
  }
}

/**
 * A label map such as FSD50K's lbl_map.json: an object from label name to class index, with
 * indices 0..n−1 each used once.
 */
export function parseLabelMap(text: string, file: string): Map<string, number> {
  const v = parseJsonFile(text, file);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new DataFormatError(file, 'a JSON object mapping label names to indices', Array.isArray(v) ? 'an array' : String(v));
  const map = new Map<string, number>();
  const seen = new Set<number>();
  for (const [k, idx] of Object.entries(v as Record<string, unknown>)) {
    if (typeof idx !== 'number' || !Number.isInteger(idx) || idx < 0) throw new DataFormatError(file, `a non-negative integer index for label "${k}"`, JSON.stringify(idx));
    if (seen.has(idx)) throw new DataFormatError(file, 'each class index used once', `index ${idx} repeated (label "${k}")`);
    seen.add(idx);
    map.set(k, idx);
  }
  for (let i = 0; i < map.size; i++) if (!seen.has(i)) throw new DataFormatError(file, `class indices 0..${map.size - 1}`, `index ${i} missing`);
  return map;
}
