/** Options every command accepts (design.md §6) and helpers to read inputs. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../errors.js';

export interface CommonOptions {
  readonly out?: string;
  readonly seed?: string;
  readonly set?: string[];
  readonly json?: boolean;
  /** Data directory of the task (run, validate, train): the recipe's task.data. */
  readonly data?: string;
}

/** Which of the common options a command takes (only those that mean something for it). */
export interface CommonOptionSet {
  readonly out?: boolean;
  readonly seed?: boolean;
  readonly overrides?: boolean;
}

export function addCommonOptions(command: Command, which: CommonOptionSet | boolean = true): Command {
  const set: CommonOptionSet =
    typeof which === 'boolean' ? { out: true, seed: true, overrides: which } : { out: false, seed: false, overrides: false, ...which };
  if (set.out) command.option('--out <dir>', 'output directory');
  if (set.seed) command.option('--seed <n>', 'random seed (overrides the recipe)');
  command.option('--json', 'machine-readable output on stdout; logs go to stderr');
  if (set.overrides) {
    command.option('--set <path=value>', 'override a recipe field, e.g. --set search.budget.evaluations=20 (repeatable)', collect, []);
  }
  return command;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export const DATA_OPTION = ['--data <dir>', "directory with the task's dataset files (overrides task.data; relative to the working directory)"] as const;

/** --data, --set and --seed all become recipe overrides; --data and --seed win over --set. */
export function recipeOverrides(options: CommonOptions): string[] {
  const overrides = [...(options.set ?? [])];
  // Resolved here so the path is taken from the working directory; JSON quoting keeps the YAML
  // value reader from turning a path like `null` or `1e3` into something else.
  if (options.data !== undefined) overrides.push(`task.data=${JSON.stringify(resolve(options.data))}`);
  if (options.seed !== undefined) {
    if (!/^\d+$/.test(options.seed)) throw new InputError(`--seed: must be a non-negative integer, got "${options.seed}"`);
    overrides.push(`seed=${options.seed}`);
  }
  return overrides;
}

export function readJsonFile(path: string, what: string): unknown {
  if (!existsSync(path)) throw new InputError(`${what} ${path}: file not found`);
  if (statSync(path).isDirectory()) throw new InputError(`${what} ${path}: is a directory, expected a JSON file`);
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InputError(`${what} ${path}: not valid JSON (${(error as Error).message})`);
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function parseIntOption(value: string | undefined, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new InputError(`${name}: must be an integer ${range}, got "${value}"`);
  }
  return Number(value);
}
