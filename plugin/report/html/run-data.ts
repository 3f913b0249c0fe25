/**
 * Reads a run directory for the report without ever throwing on its content: each file is
 * loaded on its own, and a missing, unreadable or malformed file becomes a FileStatus the page
 * shows, while the other files still give their sections.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { InputError } from '../../errors.js';
import { archFromJson } from '../../space/arch-json.js';
import { traceShapes, type ShapeTrace } from '../../space/cost.js';
import type { Arch } from '../../space/types.js';
import { asObject, at, numberAt, numberRecord, stringAt, type JsonObject } from './json-fields.js';

export type FileState = 'ok' | 'missing' | 'corrupt' | 'partial';

export interface FileStatus {
  readonly name: string;
  readonly state: FileState;
  /** What went wrong, or what the page lacks because of it; null when the file is fine. */
  readonly detail: string | null;
}

/** One line of candidates.jsonl, as far as the report needs it. */
export interface CandidateRecord {
  /** 1-based position in candidates.jsonl: the order candidates were scored in. */
  readonly index: number;
  readonly id: number;
  readonly origin: string;
  readonly ok: boolean;
  /** Finite fitness of a successful candidate; null for a failed one. */
  readonly fitness: number | null;
  readonly proxies: Readonly<Record<string, number>>;
  readonly reason: string | null;
  readonly params: number | null;
  readonly flops: number | null;
  readonly seconds: number | null;
}

export interface EpochRecord {
  readonly epoch: number;
  readonly trainLoss: number | null;
  readonly trainAccuracy: number | null;
  readonly valLoss: number | null;
  readonly valAccuracy: number | null;
  readonly lr: number | null;
  readonly seconds: number | null;
  readonly imagesPerSecond: number | null;
}

export interface TrainHistory {
  readonly epochs: readonly EpochRecord[];
  readonly totalSteps: number | null;
  readonly seconds: number | null;
}

export interface ArchView {
  readonly arch: Arch;
  readonly shapes: ShapeTrace;
  /** best.arch.json (a search run) or arch.json (`hgnas train`). */
  readonly file: string;
  readonly candidateId: number | null;
}

export interface RunData {
  readonly dir: string;
  /** `search`: written by `hgnas run`; `train`: by `hgnas train` (one given genotype, no search files). */
  readonly kind: 'search' | 'train';
  readonly files: readonly FileStatus[];
  readonly result: JsonObject | null;
  readonly recipe: JsonObject | null;
  readonly searchState: JsonObject | null;
  readonly candidates: readonly CandidateRecord[] | null;
  readonly arch: ArchView | null;
  readonly history: TrainHistory | null;
}

/** What each artefact gives the page, said when it is missing. */
const MISSING_MEANS: Readonly<Record<string, string>> = {
  'result.json': 'the run did not finish: no test metric, final costs, backend or versions',
  'candidates.jsonl': 'no search progress, cost/fitness plots or proxy correlations',
  'search-state.json': 'no search checkpoint (only needed to --resume)',
  'best.arch.json': 'no winner architecture to draw',
  'arch.json': 'no architecture to draw',
  'train-history.json': 'no training curves: the final training did not run or did not finish',
  'recipe.resolved.yaml': 'budgets and settings come from result.json alone',
};

/** Files written by `hgnas run`, in the order the main job writes them. */
const SEARCH_RUN_FILES = ['recipe.resolved.yaml', 'candidates.jsonl', 'search-state.json', 'best.arch.json', 'train-history.json', 'result.json'];
/** Files written by `hgnas train`. */
const TRAIN_RUN_FILES = ['recipe.resolved.yaml', 'arch.json', 'train-history.json', 'result.json'];

/** Throws InputError when `dir` is not a directory holding at least one run artefact. */
export function loadRunData(dir: string): RunData {
  const path = resolve(dir);
  if (!existsSync(path) || !statSync(path).isDirectory()) {
    throw new InputError(`run directory ${path}: not found or not a directory`, 'pass the directory an `hgnas run` wrote (it holds result.json, candidates.jsonl, ...)');
  }
  const known = [...new Set([...SEARCH_RUN_FILES, ...TRAIN_RUN_FILES])];
  if (!known.some((name) => existsSync(join(path, name)))) {
    throw new InputError(
      `${path} is not a run directory: none of ${known.join(', ')} is there`,
      'pass the directory an `hgnas run` or `hgnas train` wrote',
    );
  }
  const isTrainRun = existsSync(join(path, 'arch.json')) && !existsSync(join(path, 'best.arch.json'));
  const expected = isTrainRun ? TRAIN_RUN_FILES : SEARCH_RUN_FILES;
  const files: FileStatus[] = [];

  const recipe = readStructured(path, 'recipe.resolved.yaml', files, expected, (text) => parseYaml(text) as unknown);
  const result = readStructured(path, 'result.json', files, expected, (text) => JSON.parse(text) as unknown);
  const searchState = isTrainRun ? null : readStructured(path, 'search-state.json', files, expected, (text) => JSON.parse(text) as unknown);
  const candidates = isTrainRun ? null : readCandidates(path, files);
  const arch = readArch(path, isTrainRun ? 'arch.json' : 'best.arch.json', files);
  const history = readHistory(path, files);
  const order = [...expected];
  files.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  return { dir: path, kind: isTrainRun ? 'train' : 'search', files, result, recipe, searchState, candidates, arch, history };
}

function readText(dir: string, name: string, files: FileStatus[]): string | null {
  const file = join(dir, name);
  if (!existsSync(file)) {
    files.push({ name, state: 'missing', detail: MISSING_MEANS[name] ?? null });
    return null;
  }
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    files.push({ name, state: 'corrupt', detail: `cannot be read: ${(error as Error).message}` });
    return null;
  }
}

/** A JSON or YAML document that must be an object. */
function readStructured(dir: string, name: string, files: FileStatus[], expected: readonly string[], parse: (text: string) => unknown): JsonObject | null {
  if (!expected.includes(name) && !existsSync(join(dir, name))) return null;
  const text = readText(dir, name, files);
  if (text === null) return null;
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    files.push({ name, state: 'corrupt', detail: `cannot be parsed: ${firstLine((error as Error).message)}` });
    return null;
  }
  const obj = asObject(value);
  if (obj === null) {
    files.push({ name, state: 'corrupt', detail: 'is not an object' });
    return null;
  }
  files.push({ name, state: 'ok', detail: null });
  return obj;
}

/** A bad line (a crash mid-append leaves one) is reported and skipped; the others still count. */
function readCandidates(dir: string, files: FileStatus[]): CandidateRecord[] | null {
  const name = 'candidates.jsonl';
  const text = readText(dir, name, files);
  if (text === null) return null;
  const records: CandidateRecord[] = [];
  const bad: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line) as unknown;
    } catch {
      bad.push(`line ${i + 1}: not valid JSON`);
      return;
    }
    const record = candidateRecord(value, records.length + 1);
    if (record === null) bad.push(`line ${i + 1}: not a candidate record (needs a numeric id and a boolean ok)`);
    else records.push(record);
  });
  if (bad.length === 0) files.push({ name, state: 'ok', detail: null });
  else {
    const shown = bad.slice(0, 5).join('; ') + (bad.length > 5 ? `; and ${bad.length - 5} more` : '');
    files.push({ name, state: records.length > 0 ? 'partial' : 'corrupt', detail: `${bad.length} line(s) skipped (${shown})` });
  }
  return records;
}

function candidateRecord(value: unknown, index: number): CandidateRecord | null {
  const id = numberAt(value, 'id');
  const ok = at(value, 'ok');
  if (id === null || typeof ok !== 'boolean') return null;
  const fitness = numberAt(value, 'fitness');
  const reason = at(value, 'reason');
  return {
    index,
    id,
    origin: stringAt(value, 'origin') ?? 'unknown',
    ok: ok && fitness !== null,
    fitness: ok ? fitness : null,
    proxies: numberRecord(at(value, 'proxies')),
    reason: typeof reason === 'string' ? reason : ok && fitness === null ? 'fitness missing or not finite' : null,
    params: numberAt(value, 'params'),
    flops: numberAt(value, 'flops'),
    seconds: numberAt(value, 'seconds'),
  };
}

function readArch(dir: string, name: string, files: FileStatus[]): ArchView | null {
  const text = readText(dir, name, files);
  if (text === null) return null;
  try {
    const doc = JSON.parse(text) as unknown;
    const arch = archFromJson(doc);
    const shapes = traceShapes(arch);
    files.push({ name, state: 'ok', detail: null });
    return { arch, shapes, file: name, candidateId: numberAt(doc, 'meta.candidateId') };
  } catch (error) {
    files.push({ name, state: 'corrupt', detail: `not a valid hgnas/arch@1 genotype: ${firstLines((error as Error).message, 4)}` });
    return null;
  }
}

function readHistory(dir: string, files: FileStatus[]): TrainHistory | null {
  const name = 'train-history.json';
  const text = readText(dir, name, files);
  if (text === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    files.push({ name, state: 'corrupt', detail: `cannot be parsed: ${firstLine((error as Error).message)}` });
    return null;
  }
  const list = at(value, 'epochs');
  if (!Array.isArray(list)) {
    files.push({ name, state: 'corrupt', detail: 'has no epochs list' });
    return null;
  }
  const epochs: EpochRecord[] = [];
  list.forEach((e: unknown, i) => {
    epochs.push({
      epoch: numberAt(e, 'epoch') ?? i,
      trainLoss: numberAt(e, 'trainLoss'),
      trainAccuracy: numberAt(e, 'trainAccuracy'),
      valLoss: numberAt(e, 'valLoss'),
      valAccuracy: numberAt(e, 'valAccuracy'),
      lr: numberAt(e, 'lr'),
      seconds: numberAt(e, 'seconds'),
      imagesPerSecond: numberAt(e, 'imagesPerSecond'),
    });
  });
  files.push({ name, state: 'ok', detail: null });
  return { epochs, totalSteps: numberAt(value, 'totalSteps'), seconds: numberAt(value, 'seconds') };
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

function firstLines(text: string, n: number): string {
  const lines = text.split('\n');
  return lines.slice(0, n).join(' ').replace(/\s+/g, ' ') + (lines.length > n ? ' …' : '');
}
