/**
 * Reading a run directory (design.md §2 step 6) for the Optuna export: `candidates.jsonl`
 * records as `hgnas run` writes them, `result.json`, and the recipe's task id and fitness.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { InputError } from '../../errors.js';
import type { CandidateRecord } from '../../search/records.js';

export type { CandidateRecord } from '../../search/records.js';
export { evaluationRecord } from '../../search/records.js';

/** The parts of result.json the export uses. */
export interface RunResultSummary {
  readonly task: string;
  readonly metric: { readonly name: string; readonly value: number };
  readonly search: { readonly method: string; readonly fitness: string; readonly winnerCandidateId: number };
}

export interface RunRecords {
  readonly runDir: string;
  /** The run directory's base name: the study name and `hgnas:run_id` by default. */
  readonly runId: string;
  readonly candidates: CandidateRecord[];
  readonly result: RunResultSummary | null;
  readonly task: string | null;
  readonly fitness: string | null;
  readonly method: string | null;
}

export function readRunRecords(runDir: string): RunRecords {
  const dir = resolve(runDir);
  const file = join(dir, 'candidates.jsonl');
  if (!existsSync(file)) throw new InputError(`${dir}: no candidates.jsonl`, 'pass the directory of an `hgnas run` (it holds candidates.jsonl)');
  const text = readFileSync(file, 'utf8');
  // A run still writing may have left a partial last line: only complete lines count.
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  const candidates = complete
    .split('\n')
    .map((line, i) => [line, i + 1] as const)
    .filter(([line]) => line.trim() !== '')
    .map(([line, n]) => {
      try {
        return JSON.parse(line) as CandidateRecord;
      } catch (error) {
        throw new InputError(`${file}:${n}: not a JSON record (${(error as Error).message})`);
      }
    });
  const result = readJson<RunResultSummary>(join(dir, 'result.json'));
  let task: string | null = result?.task ?? null;
  let fitness: string | null = result?.search?.fitness ?? null;
  let method: string | null = result?.search?.method ?? null;
  const recipeFile = join(dir, 'recipe.resolved.yaml');
  if (existsSync(recipeFile)) {
    const recipe = parseYaml(readFileSync(recipeFile, 'utf8')) as { task?: { id?: unknown }; search?: { method?: unknown; fitness?: unknown } } | null;
    if (task === null && typeof recipe?.task?.id === 'string') task = recipe.task.id;
    if (method === null && typeof recipe?.search?.method === 'string') method = recipe.search.method;
    if (fitness === null && typeof recipe?.search?.fitness === 'string' && recipe.search.fitness !== 'auto') fitness = recipe.search.fitness;
  }
  return { runDir: dir, runId: basename(dir), candidates, result: result && result.metric && result.search ? result : null, task, fitness, method };
}

function readJson<T>(file: string): T | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (error) {
    throw new InputError(`${file}: not valid JSON (${(error as Error).message})`);
  }
}
