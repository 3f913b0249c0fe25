/**
 * The few facts several sections need (budget lines, fitness name, winner), taken from the most
 * authoritative file present: result.json, then the resolved recipe, then the search files.
 */
import { archCost } from '../../space/cost.js';
import { numberAt, stringAt } from './json-fields.js';
import type { RunData } from './run-data.js';

export interface Sourced<T> {
  readonly value: T;
  /** The file the value was read from. */
  readonly source: string;
}

export interface RunFacts {
  readonly name: string | null;
  readonly task: string | null;
  readonly budgetParams: Sourced<number> | null;
  readonly budgetFlops: Sourced<number> | null;
  readonly method: Sourced<string> | null;
  /** The proxy the search ranked by. */
  readonly fitnessName: string | null;
  readonly winnerId: number | null;
  readonly winnerParams: Sourced<number> | null;
  readonly winnerFlops: Sourced<number> | null;
  readonly seed: Sourced<number> | null;
}

export function runFacts(data: RunData): RunFacts {
  const { result, recipe, searchState, arch } = data;
  const cost = arch ? safeCost(data) : null;
  return {
    name: stringAt(result, 'name') ?? stringAt(recipe, 'name'),
    task: stringAt(result, 'task') ?? stringAt(recipe, 'task.id'),
    budgetParams: first([numberAt(result, 'budget.params'), 'result.json'], [numberAt(recipe, 'constraints.params'), 'recipe.resolved.yaml']),
    budgetFlops: first([numberAt(result, 'budget.flops'), 'result.json'], [numberAt(recipe, 'constraints.flops'), 'recipe.resolved.yaml']),
    method: first(
      [stringAt(result, 'search.method'), 'result.json'],
      [stringAt(searchState, 'method'), 'search-state.json'],
      [stringAt(recipe, 'search.method'), 'recipe.resolved.yaml'],
    ),
    fitnessName: stringAt(result, 'search.fitness') ?? explicitFitness(stringAt(recipe, 'search.fitness')) ?? inferFitnessName(data),
    winnerId: numberAt(result, 'search.winnerCandidateId') ?? arch?.candidateId ?? null,
    winnerParams: first([numberAt(result, 'params'), 'result.json'], [cost?.params ?? null, arch?.file ?? '']),
    winnerFlops: first([numberAt(result, 'flops'), 'result.json'], [cost?.flops ?? null, arch?.file ?? '']),
    seed: first([numberAt(result, 'seed'), 'result.json'], [numberAt(recipe, 'seed'), 'recipe.resolved.yaml']),
  };
}

function first<T>(...options: ReadonlyArray<readonly [T | null, string]>): Sourced<T> | null {
  for (const [value, source] of options) if (value !== null) return { value, source };
  return null;
}

function explicitFitness(name: string | null): string | null {
  return name === null || name === 'auto' ? null : name;
}

/** With `fitness: auto` and no result.json, the fitness is the proxy whose value every scored candidate's fitness equals. */
function inferFitnessName(data: RunData): string | null {
  const scored = (data.candidates ?? []).filter((c) => c.ok);
  if (scored.length === 0) return null;
  const names = Object.keys(scored[0]!.proxies);
  return names.find((name) => scored.every((c) => c.proxies[name] === c.fitness)) ?? null;
}

function safeCost(data: RunData): { params: number; flops: number } | null {
  try {
    return data.arch ? archCost(data.arch.arch) : null;
  } catch {
    return null;
  }
}
