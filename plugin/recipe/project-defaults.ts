/**
 * Project defaults: an `hgnas` config found by cosmiconfig from the recipe's directory up to the
 * project root (the nearest package.json), merged under the recipe. Cosmiconfig only finds the
 * file; we parse it ourselves so its problems carry that file's name and line:column.
 */
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { cosmiconfig } from 'cosmiconfig';
import { parseYamlSource, type ParsedSource } from './source.js';

export const PROJECT_DEFAULTS_PLACES = [
  'package.json',
  '.hgnasrc',
  '.hgnasrc.yaml',
  '.hgnasrc.yml',
  '.hgnasrc.json',
  'hgnas.config.yaml',
  'hgnas.config.yml',
  'hgnas.config.json',
] as const;

/** Cosmiconfig skips search places whose loader yields null: a package.json without `hgnas`. */
function findOnly(filepath: string, content: string): unknown {
  if (basename(filepath) !== 'package.json') return { found: true };
  try {
    return JSON.parse(content) as unknown;
  } catch {
    // A broken package.json is npm's problem to report, not a recipe problem: keep searching.
    return {};
  }
}

export interface ProjectDefaults {
  path: string;
  parsed: ParsedSource;
}

export async function findProjectDefaults(startDir: string, recipePath: string): Promise<ProjectDefaults | null> {
  const explorer = cosmiconfig('hgnas', {
    searchPlaces: [...PROJECT_DEFAULTS_PLACES],
    searchStrategy: 'project',
    cache: false,
    loaders: { '.json': findOnly, '.yaml': findOnly, '.yml': findOnly, noExt: findOnly },
  });
  const found = await explorer.search(startDir);
  if (found === null || found.isEmpty === true) return null;
  const path = resolve(found.filepath);
  // A recipe named like a config file (hgnas.config.yaml) is not its own project default.
  if (path === resolve(recipePath)) return null;
  const text = await readFile(path, 'utf8');
  const rootKey = basename(path) === 'package.json' ? 'hgnas' : undefined;
  return { path, parsed: parseYamlSource(text, { file: path, ...(rootKey === undefined ? {} : { rootKey }) }) };
}
