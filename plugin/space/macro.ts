/**
 * Macro genotype domains (method.md §10.2), validation, a random macro generator (§10.4) and the
 * macro fingerprint (§2.5, last line).
 */
import { createHash } from 'node:crypto';
import type { Rng } from '../util/rng.js';
import { cellFingerprint, validateCell } from './cell.js';
import { convOutputSize } from './cost.js';
import type { Arch, Cell, InputShape, Stage } from './types.js';

export interface MacroBounds {
  readonly minStages: number;
  readonly maxStages: number;
  /** Σ repeats; at most 19 (kept strictly below 20, §10.2). */
  readonly maxTotalCells: number;
  /** Multiples of 8. */
  readonly minChannels: number;
  readonly maxChannels: number;
  /** At most 4. */
  readonly maxRepeats: number;
  readonly strides: ReadonlyArray<1 | 2>;
  /** Multiples of 8. */
  readonly minHeadWidth: number;
  readonly maxHeadWidth: number;
  /** Cap on the number of stride-2 stages (the stem is not counted). */
  readonly maxDownsamples?: number;
}

/** The §10.2 domains. */
export const DEFAULT_MACRO_BOUNDS: MacroBounds = {
  minStages: 1,
  maxStages: 19,
  maxTotalCells: 19,
  minChannels: 8,
  maxChannels: 1024,
  maxRepeats: 4,
  strides: [1, 2],
  minHeadWidth: 8,
  maxHeadWidth: 1024,
};

const isPositiveInt = (x: unknown): x is number => Number.isInteger(x) && (x as number) >= 1;

/** Problems with the bounds themselves (thrown by the generator, reported by validateArch). */
export function validateBounds(b: MacroBounds): string[] {
  const problems: string[] = [];
  if (!isPositiveInt(b.minStages) || !isPositiveInt(b.maxStages) || b.minStages > b.maxStages) problems.push('bounds: need 1 <= minStages <= maxStages');
  if (!isPositiveInt(b.maxTotalCells) || b.maxTotalCells > 19) problems.push('bounds: maxTotalCells must be in 1..19');
  if (b.minStages > b.maxTotalCells) problems.push('bounds: minStages exceeds maxTotalCells');
  if (!isPositiveInt(b.maxRepeats) || b.maxRepeats > 4) problems.push('bounds: maxRepeats must be in 1..4');
  for (const [lo, hi, what] of [[b.minChannels, b.maxChannels, 'channels'], [b.minHeadWidth, b.maxHeadWidth, 'head width']] as const) {
    if (!isPositiveInt(lo) || !isPositiveInt(hi) || lo % 8 !== 0 || hi % 8 !== 0 || lo > hi) problems.push(`bounds: ${what} range must be multiples of 8 with min <= max`);
  }
  if (b.strides.length === 0 || b.strides.some((s) => s !== 1 && s !== 2)) problems.push('bounds: strides must be a non-empty subset of {1, 2}');
  if (b.maxDownsamples !== undefined && !(Number.isInteger(b.maxDownsamples) && b.maxDownsamples >= 0)) problems.push('bounds: maxDownsamples must be a non-negative integer');
  return problems;
}

/**
 * Domain rules (§10.2 within `bounds`), every cell generally valid (§2.6), and no stride-2 layer
 * (stem or stage) applied to a feature map already down to 1 pixel in height or width: such a
 * "down-sample" would not reduce anything. Messages name the field (`stages[2].channels: ...`).
 */
export function validateArch(arch: Arch, bounds: MacroBounds = DEFAULT_MACRO_BOUNDS): string[] {
  const problems = validateBounds(bounds);
  const { input } = arch;
  for (const key of ['height', 'width', 'channels'] as const) {
    if (!isPositiveInt(input?.[key])) problems.push(`input.${key}: expected a positive integer, got ${JSON.stringify(input?.[key])}`);
  }
  if (!isPositiveInt(arch.numClasses)) problems.push(`numClasses: expected a positive integer, got ${JSON.stringify(arch.numClasses)}`);
  if (arch.stemStride !== 1 && arch.stemStride !== 2) problems.push(`stemStride: expected 1 or 2, got ${JSON.stringify(arch.stemStride)}`);
  if (typeof arch.se !== 'boolean') problems.push('se: expected a boolean');
  const widthProblem = (x: unknown, lo: number, hi: number): string | null =>
    isPositiveInt(x) && x % 8 === 0 && x >= lo && x <= hi ? null : `expected a multiple of 8 in [${lo}, ${hi}], got ${JSON.stringify(x)}`;
  const head = widthProblem(arch.headWidth, bounds.minHeadWidth, bounds.maxHeadWidth);
  if (head) problems.push(`headWidth: ${head}`);

  const stages = Array.isArray(arch.stages) ? arch.stages : [];
  if (stages.length < bounds.minStages || stages.length > bounds.maxStages) {
    problems.push(`stages: ${stages.length} stage(s), expected ${bounds.minStages}..${bounds.maxStages}`);
  }
  let total = 0;
  let downsamples = 0;
  const spatialOk = isPositiveInt(input?.height) && isPositiveInt(input?.width);
  let h = input?.height ?? 0;
  let w = input?.width ?? 0;
  const applyStride = (stride: number, where: string): void => {
    if (!spatialOk || stride !== 2) return;
    if (h < 2 || w < 2) problems.push(`${where}: stride 2 applied to a ${h}×${w} feature map (nothing left to down-sample)`);
    h = convOutputSize(h, 1, 2, 0);
    w = convOutputSize(w, 1, 2, 0);
  };
  applyStride(arch.stemStride, 'stemStride');
  stages.forEach((stage: Stage, i) => {
    const at = `stages[${i}]`;
    const ch = widthProblem(stage.channels, bounds.minChannels, bounds.maxChannels);
    if (ch) problems.push(`${at}.channels: ${ch}`);
    if (!bounds.strides.includes(stage.stride)) problems.push(`${at}.stride: expected one of ${bounds.strides.join(', ')}, got ${JSON.stringify(stage.stride)}`);
    if (!isPositiveInt(stage.repeats) || stage.repeats > bounds.maxRepeats) {
      problems.push(`${at}.repeats: expected an integer in 1..${bounds.maxRepeats}, got ${JSON.stringify(stage.repeats)}`);
    } else {
      total += stage.repeats;
    }
    if (stage.stride === 2) downsamples++;
    applyStride(stage.stride, `${at}.stride`);
    for (const p of validateCell(stage.cell)) problems.push(`${at}.cell: ${p}`);
  });
  if (total > bounds.maxTotalCells) problems.push(`stages: ${total} cells in total, at most ${bounds.maxTotalCells} allowed`);
  if (bounds.maxDownsamples !== undefined && downsamples > bounds.maxDownsamples) {
    problems.push(`stages: ${downsamples} stride-2 stages, at most ${bounds.maxDownsamples} allowed`);
  }
  return problems;
}

function uniformMultipleOf8(rng: Rng, lo: number, hi: number): number {
  return 8 * rng.int(lo / 8, hi / 8);
}

/**
 * A random macro architecture within `bounds`, in the spirit of §10.4: stage count uniform in
 * [minStages, maxStages] (capped by maxTotalCells), per stage channels a uniform multiple of 8,
 * stride uniform from `bounds.strides` (stride 1 is forced when another stride 2 would act on a
 * feature map already at 1 pixel, or exceed maxDownsamples), repeats uniform in
 * 1..min(maxRepeats, cells left after reserving one per later stage), head width a uniform
 * multiple of 8, one fresh cell per stage. Throws if the bounds are unsatisfiable.
 */
export function sampleArch(
  rng: Rng,
  bounds: MacroBounds,
  sampleCell: (rng: Rng) => Cell,
  input: InputShape,
  numClasses: number,
  stemStride: 1 | 2,
  se: boolean,
): Arch {
  const boundProblems = validateBounds(bounds);
  if (boundProblems.length > 0) throw new Error(boundProblems.join('; '));
  const count = rng.int(bounds.minStages, Math.min(bounds.maxStages, bounds.maxTotalCells));
  let h = stemStride === 2 ? convOutputSize(input.height, 1, 2, 0) : input.height;
  let w = stemStride === 2 ? convOutputSize(input.width, 1, 2, 0) : input.width;
  let downsamples = 0;
  let used = 0;
  const stages: Stage[] = [];
  for (let i = 0; i < count; i++) {
    const channels = uniformMultipleOf8(rng, bounds.minChannels, bounds.maxChannels);
    let stride = rng.pick(bounds.strides);
    const canDownsample = h >= 2 && w >= 2 && (bounds.maxDownsamples === undefined || downsamples < bounds.maxDownsamples);
    if (stride === 2 && !canDownsample) {
      if (!bounds.strides.includes(1)) throw new Error('bounds allow only stride 2, but the input cannot be down-sampled that often');
      stride = 1;
    }
    if (stride === 2) {
      downsamples++;
      h = convOutputSize(h, 1, 2, 0);
      w = convOutputSize(w, 1, 2, 0);
    }
    const left = bounds.maxTotalCells - used - (count - i - 1);
    const repeats = rng.int(1, Math.min(bounds.maxRepeats, left));
    used += repeats;
    stages.push({ cell: sampleCell(rng), channels, stride, repeats });
  }
  const headWidth = uniformMultipleOf8(rng, bounds.minHeadWidth, bounds.maxHeadWidth);
  return { input: { ...input }, numClasses, stemStride, se, stages, headWidth };
}

/** H over (stem stride, per stage (cell fingerprint, channels, stride, repeats), F, se) — §2.5. */
export function archFingerprint(arch: Arch): string {
  const stages = arch.stages.map((s) => `${cellFingerprint(s.cell)},${s.channels},${s.stride},${s.repeats}`);
  const text = `stem=${arch.stemStride};stages=${stages.join(';')};F=${arch.headWidth};se=${arch.se}`;
  return createHash('md5').update(text).digest('hex');
}
