/**
 * The cell data sets of method.md §6: unlabelled random cells (§6.1), the labelled set from the
 * cell-level regularised evolution (§6.2) with an injected scorer, the 4-D condition vector with
 * its min-max normaliser (§6.3) and the seeded held-out split (§6.4).
 *
 * The evolution streams every scoring result as one JSON line to `<directory>/labelled-cells.jsonl`
 * (a header line first). A restart with the same options replays the run from its seed: every
 * draw and mutation is repeated, and the first k scores are read from the file instead of
 * computed, so the run continues exactly where it stopped and ends with the same set as an
 * uninterrupted run. A truncated last line (a crash mid-write) is dropped and rescored.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { canonicalCell, cellFingerprint } from '../space/cell.js';
import { proxyNetworkCost } from '../space/cost.js';
import { mutateCell } from '../space/mutation.js';
import { sampleUniqueCells, type CellLabelOptions } from '../space/sampler.js';
import type { Cell } from '../space/types.js';
import { Rng } from '../util/rng.js';

export interface CellScore {
  readonly snipSnr: number;
  readonly nwot: number;
  readonly params: number;
  readonly flops: number;
  /**
   * TCET of the cell in the proxy network (method.md §5.4), computed from the same passes. Not part
   * of the condition; pretraining uses it to rank GMM clusters (condition following, corpus).
   */
  readonly tcet?: number;
}

/** Scores cells in order; null marks a cell whose scoring failed. */
export type CellScoreFn = (cells: Cell[]) => Promise<(CellScore | null)[]>;

export interface LabelledCell {
  readonly cell: Cell;
  readonly score: CellScore;
}

/** Per-dimension minimum and maximum of the raw condition over the labelled set (§6.3); JSON-safe. */
export interface ConditionNormaliser {
  readonly min: number[];
  readonly max: number[];
}

export const CONDITION_NAMES = ['snipSnr', 'nwot', 'params', 'flops'] as const;

/** Raw condition [SNIP-SNR, NWOT, #params, FLOPs] (§6.3). */
export function rawCondition(score: CellScore): number[] {
  return [score.snipSnr, score.nwot, score.params, score.flops];
}

export function fitNormaliser(raw: readonly (readonly number[])[]): ConditionNormaliser {
  if (raw.length === 0) throw new InputError('fitNormaliser: no conditions to fit');
  const min = [0, 1, 2, 3].map((d) => Math.min(...raw.map((c) => c[d]!)));
  const max = [0, 1, 2, 3].map((d) => Math.max(...raw.map((c) => c[d]!)));
  if ([...min, ...max].some((x) => !Number.isFinite(x))) throw new InputError('fitNormaliser: conditions must be finite 4-D vectors');
  return { min, max };
}

/** (x − min)/(max − min) per dimension; a constant dimension maps to 0. */
export function normaliseCondition(raw: readonly number[], n: ConditionNormaliser): number[] {
  return raw.map((x, d) => {
    const span = n.max[d]! - n.min[d]!;
    return span > 0 ? (x - n.min[d]!) / span : 0;
  });
}

export function denormaliseCondition(normalised: readonly number[], n: ConditionNormaliser): number[] {
  return normalised.map((x, d) => n.min[d]! + x * (n.max[d]! - n.min[d]!));
}

/** The unlabelled set of §6.1: `count` random cells unique by fingerprint, in draw order. */
export function unlabelledCells(options: { count: number; seed: number; labels?: CellLabelOptions }): Cell[] {
  return sampleUniqueCells(new Rng(options.seed), options.count, options.labels);
}

/** Seeded split (§6.4): ⌈fraction·n⌉ items held out, chosen by a shuffle with `seed` (default 5 %, seed 0). */
export function splitHeldOut<T>(items: readonly T[], options: { fraction?: number; seed?: number } = {}): { train: T[]; heldOut: T[] } {
  const fraction = options.fraction ?? 0.05;
  const order = new Rng(options.seed ?? 0).shuffle(items.map((_, i) => i));
  const nHeld = Math.ceil(fraction * items.length);
  const held = new Set(order.slice(0, nHeld));
  return { train: items.filter((_, i) => !held.has(i)), heldOut: order.slice(0, nHeld).map((i) => items[i]!) };
}

/** The labelled set ready for VAE training: normaliser over all of it, normalised conditions, 5 % held out. */
export function labelledDataset(records: readonly LabelledCell[], options: { fraction?: number; seed?: number } = {}): {
  normaliser: ConditionNormaliser;
  train: { cells: Cell[]; conditions: number[][] };
  heldOut: { cells: Cell[]; conditions: number[][] };
} {
  const normaliser = fitNormaliser(records.map((r) => rawCondition(r.score)));
  const { train, heldOut } = splitHeldOut(records, options);
  const unpack = (rs: readonly LabelledCell[]) => ({ cells: rs.map((r) => r.cell), conditions: rs.map((r) => normaliseCondition(rawCondition(r.score), normaliser)) });
  return { normaliser, train: unpack(train), heldOut: unpack(heldOut) };
}

export interface CellReaProgress {
  readonly phase: 'initial' | 'evolution';
  /** Labelled cells so far (the history). */
  readonly history: number;
  readonly target: number;
  /** Results read back from the file instead of scored. */
  readonly replayed: number;
  /** Cells sent to the scorer in this process. */
  readonly scored: number;
}

export interface CellReaOptions {
  /** Folder of the stream file (created when missing). */
  readonly directory: string;
  readonly seed: number;
  /** Initial random cells (paper 500). */
  readonly initial?: number;
  /** Population size (paper 100). */
  readonly population?: number;
  /** Target history size (paper 2 000). */
  readonly history?: number;
  /** Largest allowed parameter count (paper 1 000 000). */
  readonly maxParams?: number;
  /** Parameter count used for that limit; default the paper's §3.2 network (proxyNetworkCost). */
  readonly paramsOf?: (cell: Cell) => number;
  readonly labels?: CellLabelOptions;
  /** Initial cells per scorer call (lets a pool of workers help); default 16. */
  readonly scoreBatch?: number;
  /**
   * Children per evolution round, all drawn from the same population and scored together. 1 (the
   * default) is the sequential REA of §6.2; more lets several workers help at the cost of a
   * slightly staler population.
   */
  readonly evolutionBatch?: number;
  readonly onProgress?: (progress: CellReaProgress) => void;
}

export const STREAM_FILE = 'labelled-cells.jsonl';
const STREAM_FORMAT = 'hgnas/cell-rea@1';

interface StreamRecord {
  readonly fingerprint: string;
  readonly cell: Cell;
  readonly score: CellScore | null;
}

function isScore(x: unknown): x is CellScore {
  if (typeof x !== 'object' || x === null) return false;
  const s = x as Record<string, unknown>;
  return ['snipSnr', 'nwot', 'params', 'flops'].every((k) => typeof s[k] === 'number' && Number.isFinite(s[k]));
}

/**
 * Reads the stream, checks its header and drops a truncated last line (rewriting the file without
 * it). Null when the file holds no complete header line (the caller starts it afresh).
 */
function readStream(file: string, header: Record<string, unknown>): StreamRecord[] | null {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  // The last element is '' after a final newline, or a line cut short by a crash: drop it either way.
  const complete = lines.slice(0, -1);
  const dropped = lines.at(-1) !== '';
  if (complete.length === 0) return null;
  let head: unknown;
  try {
    head = JSON.parse(complete[0]!);
  } catch {
    throw new InputError(`${file}: line 1 is not a JSON header; delete the file to start over`);
  }
  if (JSON.stringify(head) !== JSON.stringify(header)) {
    const was = (typeof head === 'object' && head !== null ? head : {}) as Record<string, unknown>;
    const differing = [...new Set([...Object.keys(was), ...Object.keys(header)])].filter((k) => JSON.stringify(was[k]) !== JSON.stringify(header[k]));
    throw new InputError(
      `${file} was written with other options: ${differing.map((k) => `${k} ${JSON.stringify(was[k])} (now ${JSON.stringify(header[k])})`).join(', ')}`,
      'resume with the settings that wrote it (seed, pretrain.cells, space ops/kernels), use another --out, or delete the file to start over',
    );
  }
  const records: StreamRecord[] = complete.slice(1).map((line, i) => {
    let r: Record<string, unknown>;
    try {
      r = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new InputError(`${file}: line ${i + 2} is not valid JSON; the file is corrupt (delete it to start over)`);
    }
    if (typeof r.fingerprint !== 'string' || (r.score !== null && !isScore(r.score))) {
      throw new InputError(`${file}: line ${i + 2} lacks a fingerprint or a score of four finite numbers (or null)`);
    }
    let cell: Cell;
    try {
      cell = canonicalCell(r.cell as Cell);
    } catch (error) {
      throw new InputError(`${file}: line ${i + 2}: ${(error as Error).message}`);
    }
    return { fingerprint: r.fingerprint, cell, score: r.score as CellScore | null };
  });
  if (dropped) writeFileSync(file, complete.map((l) => `${l}\n`).join(''));
  return records;
}

/**
 * The cell-level regularised evolution of §6.2. Returns the history (labelled cells, unique by
 * fingerprint, in scoring order). Cells whose scoring failed are recorded as failures, never
 * scored again and not part of the history.
 */
export async function labelledCells(score: CellScoreFn, options: CellReaOptions): Promise<LabelledCell[]> {
  const initial = options.initial ?? 500;
  const populationSize = options.population ?? 100;
  const target = options.history ?? 2000;
  const maxParams = options.maxParams ?? 1_000_000;
  const scoreBatch = options.scoreBatch ?? 16;
  const evolutionBatch = options.evolutionBatch ?? 1;
  const paramsOf = options.paramsOf ?? ((cell: Cell) => proxyNetworkCost(cell).params);
  for (const [name, v] of Object.entries({ initial, population: populationSize, history: target, scoreBatch, evolutionBatch })) {
    if (!Number.isInteger(v) || v < 1) throw new InputError(`labelledCells: ${name} must be a positive integer, got ${v}`);
  }
  const header = {
    format: STREAM_FORMAT, seed: options.seed, initial, population: populationSize, history: target, maxParams,
    labels: options.labels ?? null, evolutionBatch,
  };
  mkdirSync(options.directory, { recursive: true });
  const file = join(options.directory, STREAM_FILE);
  const stored = existsSync(file) ? readStream(file, header) : null;
  if (stored === null) writeFileSync(file, `${JSON.stringify(header)}\n`);
  const replay = stored ?? [];
  let replayed = 0;
  let scored = 0;

  const history: LabelledCell[] = [];
  const seen = new Set<string>();
  const report = (phase: CellReaProgress['phase']): void => options.onProgress?.({ phase, history: history.length, target, replayed, scored });

  /** Scores cells in order, taking results from the file while it lasts. */
  const scoreInOrder = async (cells: readonly Cell[]): Promise<(CellScore | null)[]> => {
    const out: (CellScore | null)[] = [];
    let i = 0;
    for (; i < cells.length && replayed < replay.length; i++) {
      const record = replay[replayed]!;
      const fp = cellFingerprint(cells[i]!);
      if (record.fingerprint !== fp) {
        throw new InputError(`${file}: record ${replayed + 1} is for cell ${record.fingerprint}, but the replay drew ${fp}; the file belongs to another run, delete it to start over`);
      }
      out.push(record.score);
      replayed++;
    }
    const rest = cells.slice(i);
    if (rest.length > 0) {
      const scores = await score(rest.slice());
      if (scores.length !== rest.length) throw new Error(`labelledCells: the scorer returned ${scores.length} results for ${rest.length} cells`);
      appendFileSync(file, rest.map((cell, k) => `${JSON.stringify({ fingerprint: cellFingerprint(cell), cell, score: scores[k] ?? null })}\n`).join(''));
      scored += rest.length;
      out.push(...scores.map((s) => s ?? null));
    }
    return out;
  };

  const rng = new Rng(options.seed);
  const candidates = sampleUniqueCells(rng, initial, options.labels);
  const drawn = candidates.filter((cell) => paramsOf(cell) <= maxParams);
  if (drawn.length === 0 && candidates.length > 0) {
    const smallest = Math.min(...candidates.map(paramsOf));
    throw new InputError(
      `pretrain.cells.maxProxyParams: none of the ${candidates.length} initial cells fits under ${maxParams} parameters in the proxy network (the smallest needs ${smallest})`,
      `raise pretrain.cells.maxProxyParams to at least ${smallest} (the default is 1M)`,
    );
  }
  const population: LabelledCell[] = [];
  for (let start = 0; start < drawn.length && history.length < target; start += scoreBatch) {
    const chunk = drawn.slice(start, start + scoreBatch);
    const scores = await scoreInOrder(chunk);
    chunk.forEach((cell, k) => {
      seen.add(cellFingerprint(cell));
      const s = scores[k];
      if (s === null || s === undefined) return;
      const entry = { cell, score: s };
      history.push(entry);
      // The first `population` scored cells in draw order (§6.2).
      if (population.length < populationSize) population.push(entry);
    });
    report('initial');
  }
  if (population.length === 0) {
    throw new InputError(
      `pretrain.cells: scoring failed for every one of the ${drawn.length} initial cells (non-finite proxies or failed jobs; see the log above)`,
      'check pretrain.proxyNetwork (channels, batch) and runtime.jobTimeoutSeconds',
    );
  }

  const fitness = (e: LabelledCell): number => e.score.snipSnr * e.score.nwot;
  let fruitless = 0;
  while (history.length < target) {
    const children: Cell[] = [];
    const batchFps = new Set<string>();
    for (let tries = 0; children.length < Math.min(evolutionBatch, target - history.length) && tries < 100 * evolutionBatch; tries++) {
      const parent = rng.pick(population);
      const child = mutateCell(parent.cell, rng, options.labels);
      if (child === null) continue;
      const fp = cellFingerprint(child);
      if (seen.has(fp) || batchFps.has(fp)) continue;
      if (paramsOf(child) > maxParams) continue;
      batchFps.add(fp);
      children.push(child);
    }
    if (children.length === 0) {
      if (++fruitless > 100) throw new Error(`labelledCells: no new child in 100 rounds at ${history.length} cells; the space reachable from the population is exhausted`);
      continue;
    }
    fruitless = 0;
    const scores = await scoreInOrder(children);
    children.forEach((child, k) => {
      seen.add(cellFingerprint(child));
      const s = scores[k];
      if (s === null || s === undefined) return;
      const entry = { cell: child, score: s };
      history.push(entry);
      population.push(entry);
      // Remove the worst (lowest fitness; the oldest among equals), not the oldest.
      let worst = 0;
      for (let i = 1; i < population.length; i++) if (fitness(population[i]!) < fitness(population[worst]!)) worst = i;
      population.splice(worst, 1);
    });
    report('evolution');
  }
  return history;
}
